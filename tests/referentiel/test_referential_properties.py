"""Every referential the loader accepts can be answered, submitted, scored, compared and shown.

Referentials are generated with hypothesis, edge values included (reserved or case-twin codes, weights of 0,
numeric indicators without bands, the largest points and bounds the columns hold, questions for one kind of
organisation only...). The pure layer (scoring, radar) takes many examples; a few go through the database and
the participant's pages, so that the test stays a matter of seconds.
"""

import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import HeadcountBand, OrganisationKind
from organisations.services import create_organisation
from referentiel import scoring
from referentiel.enums import QuestionKind
from referentiel.forms import MAX_VALUE
from referentiel.loader import load_referential, validate_referential
from referentiel.radar import radar_svg
from referentiel.results import build_results
from referentiel.services import AnswerInput, save_answer, start_assessment, submit_assessment
from referentiel.structure import structure_for

from ..conftest import TERRITORY_A

# Codes people type, the reserved one in several cases, case twins, and anything the code pattern allows.
SPECIAL_CODES = ["overall", "OVERALL", "Overall", "ENE", "ene", "PIL", "x", "_", "-", "0", "resultats", "valider"]
theme_codes = st.one_of(st.sampled_from(SPECIAL_CODES), st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True))
question_codes = st.one_of(st.sampled_from(SPECIAL_CODES), st.from_regex(r"[A-Za-z0-9_-]{1,30}", fullmatch=True))
texts = st.one_of(
    st.sampled_from(["Énergie", "<script>alert(1)</script>", "l'eau & « la mer »", "🌱", "a" * 200]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30),
)
# Choice.points and NumericBand.points: DecimalField(max_digits=6, decimal_places=2).
points = st.one_of(
    st.sampled_from([0, 1, 9999.99]), st.decimals(0, Decimal("9999.99"), places=2).map(lambda d: float(d))
)
# NumericBand bounds: DecimalField(max_digits=14, decimal_places=3).
bounds = st.one_of(st.sampled_from([0, 0.001, 99999999999.999]), st.integers(0, 10**6))
weights = st.one_of(st.sampled_from([0, 1, 100]), st.integers(0, 100))


def _choices(kind, draw):
    if kind == QuestionKind.YESNO:
        return [{"label": "Oui", "points": draw(points)}, {"label": "Non", "points": 0}]
    values = draw(st.lists(points, min_size=2, max_size=5))
    if kind == QuestionKind.LADDER:
        values = sorted(set(values))
    return [{"label": f"Pratique {index}", "points": value} for index, value in enumerate(values, start=1)]


def _bands(draw):
    cuts = sorted(set(draw(st.lists(bounds, max_size=3))))
    edges = [None, *cuts, None]
    return [
        {"min": low, "max": high, "points": draw(points)}
        for low, high in zip(edges, edges[1:], strict=False)
        if draw(st.booleans())
    ]


@st.composite
def questions(draw):
    kind = draw(st.sampled_from(QuestionKind.values))
    question = {
        "code": draw(question_codes),
        "text": draw(texts),
        "kind": kind,
        "weight": draw(weights),
        "allow_not_applicable": draw(st.booleans()),
        "organisation_kinds": draw(st.lists(st.sampled_from(OrganisationKind.values), max_size=2, unique=True)),
        "headcount_bands": draw(st.lists(st.sampled_from(HeadcountBand.values), max_size=2, unique=True)),
    }
    if kind == QuestionKind.NUMERIC:
        question.update(unit="kWh/an", bands=_bands(draw))
    else:
        question["choices"] = _choices(kind, draw)
    return question


@st.composite
def referentials(draw):
    thresholds = sorted(set(draw(st.lists(st.decimals(Decimal("0.01"), 100, places=2), min_size=1, max_size=3))))
    levels = [
        {"rank": rank, "name": f"Niveau {rank}", "threshold": float(threshold)}
        for rank, threshold in enumerate([Decimal(0), *thresholds], start=1)
    ]
    themes = [
        {
            "code": draw(theme_codes),
            "title": draw(texts),
            "questions": draw(st.lists(questions(), min_size=1, max_size=3)),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    return {"title": "Référentiel généré", "version": "h-1", "levels": levels, "themes": themes}


def _accepted(data):
    assume(not validate_referential(data))
    return data


# --------------------------------------------------------------------------
# Pure layer: scoring and radar, many examples
# --------------------------------------------------------------------------


def _specs(data):
    """The loader's data as scoring specs, ids given in reading order (as the database would)."""
    specs, next_id = [], iter(range(1, 10_000))
    for theme in data["themes"]:
        for question in theme["questions"]:
            specs.append(
                scoring.QuestionSpec(
                    id=next(next_id),
                    theme=theme["code"],
                    kind=question["kind"],
                    weight=question["weight"],
                    choices=tuple(
                        scoring.ChoiceSpec(id=next(next_id), points=c["points"]) for c in question.get("choices", [])
                    ),
                    bands=tuple(scoring.BandSpec(b["min"], b["max"], b["points"]) for b in question.get("bands", [])),
                )
            )
    return specs


def _answers(specs, data_draw, allow_na):
    answers = []
    for spec, na_allowed in zip(specs, allow_na, strict=True):
        how = data_draw.draw(st.sampled_from(["skip", "answer", "na"] if na_allowed else ["skip", "answer"]))
        if how == "skip":
            continue
        if how == "na":
            answers.append(scoring.AnswerSpec(spec.id, not_applicable=True))
        elif spec.kind == scoring.NUMERIC:
            value = data_draw.draw(st.sampled_from([0, 0.001, float(MAX_VALUE), 12.5]))
            answers.append(scoring.AnswerSpec(spec.id, value=value))
        elif spec.kind == scoring.MULTIPLE:
            picked = data_draw.draw(st.sets(st.sampled_from([c.id for c in spec.choices])))
            answers.append(scoring.AnswerSpec(spec.id, choice_ids=frozenset(picked)))
        else:
            answers.append(
                scoring.AnswerSpec(spec.id, choice_ids=frozenset({data_draw.draw(st.sampled_from(spec.choices)).id}))
            )
    return answers


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(referentials(), st.data())
def test_every_accepted_referential_scores_compares_and_draws(data, data_draw):
    data = _accepted(data)
    specs = _specs(data)
    allow_na = [q["allow_not_applicable"] for theme in data["themes"] for q in theme["questions"]]
    levels = [scoring.LevelSpec(lv["rank"], lv["name"], lv["threshold"]) for lv in data["levels"]]

    first = scoring.score_assessment(specs, _answers(specs, data_draw, allow_na), levels)
    second = scoring.score_assessment(specs, _answers(specs, data_draw, allow_na), levels)
    deltas = scoring.compare(first, second)
    strengths, priorities = scoring.strengths_and_priorities(second, 3)

    assert set(deltas) == {scoring.OVERALL, *second.themes}
    for result in (first, second):
        assert result.overall is None or 0 <= result.overall <= 100
        assert all(t.score is None or 0 <= t.score <= 100 for t in result.themes.values())
    assert set(strengths) | set(priorities) <= set(second.themes)
    titles = {theme["code"]: theme["title"] for theme in data["themes"]}
    svg = radar_svg(
        [(titles[code], t.score) for code, t in second.themes.items()],
        previous=[first.themes[code].score for code in second.themes],
    )
    assert svg.startswith("<svg")


# --------------------------------------------------------------------------
# Through the database and the participant's pages, a few examples
# --------------------------------------------------------------------------


class _RolledBack(Exception):
    """Raised at the end of each example so that its referential and assessments vanish with the savepoint."""


def _answer_everything(assessment, user, data_draw):
    structure = structure_for(assessment.version)
    for _theme, theme_questions in structure.themes_for(assessment.organisation):
        for question in theme_questions:
            if question.allow_not_applicable and data_draw.draw(st.booleans()):
                answer = AnswerInput(not_applicable=True)
            elif question.kind == QuestionKind.NUMERIC:
                answer = AnswerInput(value=data_draw.draw(st.sampled_from([Decimal(0), MAX_VALUE, Decimal("12.5")])))
            elif question.kind == QuestionKind.MULTIPLE:
                picked = data_draw.draw(st.sets(st.sampled_from([c.pk for c in question.choice_list])))
                answer = AnswerInput(choice_ids=tuple(picked), explicit_none=not picked)
            else:
                answer = AnswerInput(choice_ids=(data_draw.draw(st.sampled_from(question.choice_list)).pk,))
            save_answer(assessment, question, user, answer)


def _pages(assessment, structure):
    base = f"/auto-evaluations/{assessment.pk}"
    themes = [theme for theme, _questions in structure.themes_for(assessment.organisation)]
    return [f"{base}/", f"{base}/relecture/", *(f"{base}/themes/{theme.code}/" for theme in themes)]


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(referentials(), st.sampled_from(OrganisationKind.values), st.sampled_from(HeadcountBand.values), st.data())
def test_every_accepted_referential_can_be_answered_submitted_and_shown(in_a, data, kind, band, data_draw):
    data = _accepted(data)
    client = Client(HTTP_HOST=TERRITORY_A.domain)
    try:
        with transaction.atomic():
            version = load_referential(data, publish=True)
            owner = User.objects.create_user("generee@example.org", "Mot-de-passe-42")
            organisation = create_organisation(
                owner,
                name="Organisation générée",
                kind=kind,
                siret=demo_siret(random.Random(1)),
                naf_code="16.23Z",
                headcount_band=band,
                commune="Poitiers",
            )
            client.force_login(owner)
            structure = structure_for(version)
            submitted = []
            for _round in range(2):
                assessment = start_assessment(organisation, owner)
                for url in _pages(assessment, structure):
                    response = client.get(url, follow=True)
                    assert response.status_code == 200, url
                _answer_everything(assessment, owner, data_draw)
                assert client.get(f"/auto-evaluations/{assessment.pk}/relecture/").status_code == 200
                submitted.append(submit_assessment(assessment, owner))

            results = build_results(submitted[1])
            assert results.previous.pk == submitted[0].pk
            for assessment in submitted:
                response = client.get(f"/auto-evaluations/{assessment.pk}/resultats/")
                assert response.status_code == 200
            assert client.get(f"/organisations/{organisation.pk}/auto-evaluations/").status_code == 200
            raise _RolledBack
    except _RolledBack:
        pass
