"""The recommended actions of an assessment, read from the database and ranked by toolbox/recommend.py.

A constant number of queries whatever the size of the toolbox: the referential's structure comes
from its in-process cache (referentiel/structure.py), the plan's action codes in one query, and the
candidate actions with their question links in one more (aggregated per action). The SQL only
narrows the candidates to the actions a triggering answer links to (an optimisation: a territory
may hold thousands of actions); the pure ranking decides, on exactly the same rule.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q

from referentiel.results import describe_answer
from referentiel.structure import answer_spec, question_spec

from . import recommend
from .constants import RECOMMENDED_PER_THEME
from .models import Action, PlanItem
from .steps import answer_step, top_step


@dataclass
class RecommendedAction:
    pk: int
    code: str
    title: str
    promise: str
    reasons: tuple  # recommend.Reason, the strongest first


@dataclass
class ThemeRecommendations:
    theme: object  # referentiel Theme of the assessment's version
    actions: list


def profile_of(organisation, level_rank):
    naf = organisation.naf_code or ""
    return recommend.Profile(
        kind=organisation.kind,
        headcount_band=organisation.headcount_band,
        naf_section=organisation.naf_section or "",
        naf_division=naf[:2] if naf[:2].isdigit() else "",
        level=level_rank,
    )


def planned_codes(organisation):
    """Codes of the toolbox actions in the organisation's plan, whatever their status (one query)."""
    return set(
        PlanItem.objects.filter(organisation=organisation, action__isnull=False).values_list("action__code", flat=True)
    )


def _spec(question):
    # Kept on the cached structure's question: a published version never changes.
    spec = getattr(question, "_scoring_spec", None)
    if spec is None:
        spec = question._scoring_spec = question_spec(question)
    return spec


def _triggerable(structure, organisation, answers_by_question):
    """The organisation's questions whose answer is below the top of its ladder, keyed by code."""
    result = {}
    for _theme, questions in structure.themes_for(organisation):
        for question in questions:
            answer = answers_by_question.get(question.pk)
            if answer is None or not answer.is_answered or answer.not_applicable:
                continue
            spec = _spec(question)
            given = answer_spec(answer)
            step = answer_step(spec, given)
            if step is None or step >= top_step(spec):
                continue
            result[question.code] = (
                step,
                recommend.QuestionInput(
                    code=question.code,
                    text=question.text,
                    spec=spec,
                    answer=given,
                    answer_label=" ; ".join(describe_answer(question, answer)),
                ),
            )
    return result


def _candidates(theme_codes, steps_by_code):
    """Visible actions serving one of the themes, with only their links that may trigger (one query)."""
    if not theme_codes or not steps_by_code:
        return {}
    triggering = reduce(
        or_,
        (
            Q(question_links__question_code=code, question_links__up_to_step__gte=step)
            for code, step in steps_by_code.items()
        ),
    )
    rows = (
        Action.objects.filter(hidden=False)
        .filter(Q(main_theme__in=theme_codes) | Q(themes__overlap=list(theme_codes)))
        .filter(triggering)
        # filter() before annotate(): the aggregates run over the links the filter kept.
        .annotate(
            link_codes=ArrayAgg("question_links__question_code", order_by="question_links__question_code"),
            link_steps=ArrayAgg("question_links__up_to_step", order_by="question_links__question_code"),
        )
        .values_list(
            "pk",
            "code",
            "title",
            "promise",
            "main_theme",
            "themes",
            "levels",
            "organisation_kinds",
            "headcount_bands",
            "naf_codes",
            "link_codes",
            "link_steps",
        )
        .order_by()
    )
    result = {}
    for pk, code, title, promise, main, themes, levels, kinds, bands, naf, link_codes, link_steps in rows:
        candidate = recommend.Candidate(
            code=code,
            main_theme=main,
            themes=tuple(themes),
            levels=tuple(levels),
            kinds=tuple(kinds),
            bands=tuple(bands),
            naf_codes=tuple(naf),
            links=tuple(recommend.Link(c, s) for c, s in zip(link_codes, link_steps, strict=True)),
        )
        result[code] = (candidate, pk, title, promise)
    return result


def recommendations_for(
    assessment, structure, answers, priority_codes, *, planned=None, per_theme=RECOMMENDED_PER_THEME
):
    """Per priority theme (in the given order), its best few recommended actions.

    ``answers``: the assessment's Answer rows; ``priority_codes``: the priority themes of its
    results (referentiel/results.py); ``planned``: the plan's action codes when the caller has them.
    """
    organisation = assessment.organisation
    if planned is None:
        planned = planned_codes(organisation)
    triggerable = _triggerable(structure, organisation, {answer.question_id: answer for answer in answers})
    found = _candidates(priority_codes, {code: step for code, (step, _input) in triggerable.items()})
    by_theme = recommend.recommend_by_theme(
        profile_of(organisation, assessment.level_rank),
        priority_codes,
        {code: question for code, (_step, question) in triggerable.items()},
        [candidate for candidate, *_rest in found.values()],
        planned,
        per_theme=per_theme,
    )
    result = []
    for code in priority_codes:
        actions = []
        for recommendation in by_theme.get(code, []):
            _candidate, pk, title, promise = found[recommendation.code]
            actions.append(RecommendedAction(pk, recommendation.code, title, promise, recommendation.reasons))
        theme = structure.theme_by_code(code)
        if actions and theme is not None:
            result.append(ThemeRecommendations(theme=theme, actions=actions))
    return result
