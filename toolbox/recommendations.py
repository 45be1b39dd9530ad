"""The recommended actions of an assessment, read from the database and ranked by toolbox/recommend.py.

A constant number of queries whatever the size of the toolbox: the referential's structure comes
from its in-process cache (referentiel/structure.py), the candidate actions with their question
links in one query (aggregated per action), and the shown actions, with the plan, in another; the
ranking itself is cached (see below). The SQL only narrows the candidates to the visible actions
of the priority themes linked to an answer below the top of its ladder (a territory may hold
thousands of actions); the pure ranking decides.
"""

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from assett import fragments
from referentiel.results import describe_answer
from referentiel.structure import answer_spec, question_spec

from . import recommend
from .constants import RECOMMENDED_PER_THEME
from .models import Action
from .revisions import toolbox_revision
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


def plan_choices(organisation):
    """The `organisations` of templates/toolbox/includes/add_to_plan.html for one organisation's page:
    its own plan only, where a recommended action never is already."""
    organisation.planned_action_ids = frozenset()
    return [organisation]


def profile_of(organisation, level_rank):
    naf = organisation.naf_code or ""
    return recommend.Profile(
        kind=organisation.kind,
        headcount_band=organisation.headcount_band,
        naf_section=organisation.naf_section or "",
        naf_division=naf[:2] if naf[:2].isdigit() else "",
        level=level_rank,
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
    rows = (
        Action.objects.filter(hidden=False)
        .filter(Q(main_theme__in=theme_codes) | Q(themes__overlap=list(theme_codes)))
        # By code only (an index scan, cheap to plan); the ranking then compares each link's
        # up_to_step with the answer's step.
        .filter(question_links__question_code__in=list(steps_by_code))
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


# --------------------------------------------------------------------------
# The ranking of an assessment, cached
# --------------------------------------------------------------------------
# Ranking a toolbox of 2,000 actions takes tens of milliseconds (bench/bench_results_recommendations.py),
# and its inputs seldom change: a submitted assessment's answers never do, the toolbox rarely. So the
# ranking is kept, plan ignored, per assessment, organisation profile and toolbox revision (which the
# database moves in the transaction of every write of an action or a question link, bulk writes
# included: toolbox/revisions.py). Each request then only drops the plan's actions and reads the few
# shown actions fresh, hidden ones left out.

CACHE_SECONDS = fragments.TIMEOUT  # as long as the page's fragment that shows it: the key moves with any change
# Ranked actions kept per theme: enough to replace those the plan already holds.
KEPT_PER_THEME = RECOMMENDED_PER_THEME + 30


@dataclass(frozen=True)
class _Ranked:
    pk: int
    code: str
    reasons: tuple


def _rank(assessment, structure, answers, priority_codes, keep=KEPT_PER_THEME):
    """Per priority theme: (its ranked actions, plan ignored, at most `keep`; whether more exist)."""
    organisation = assessment.organisation
    triggerable = _triggerable(structure, organisation, {answer.question_id: answer for answer in answers})
    found = _candidates(priority_codes, {code: step for code, (step, _input) in triggerable.items()})
    by_theme = recommend.recommend_by_theme(
        profile_of(organisation, assessment.level_rank),
        priority_codes,
        {code: question for code, (_step, question) in triggerable.items()},
        [candidate for candidate, *_rest in found.values()],
        per_theme=keep + 1,
    )
    return {
        theme: (
            [_Ranked(found[r.code][1], r.code, r.reasons) for r in ranked[:keep]],
            len(ranked) > keep,
        )
        for theme, ranked in by_theme.items()
    }


def ranking_key(assessment, priority_codes, toolbox):
    """The cache key of an assessment's ranking: what the ranking depends on but the answers, which never
    change once submitted (a page that keeps the recommendations rendered keys them on it too).
    `toolbox` is the toolbox's revision (revisions.toolbox_revision), read before the actions are."""
    profile = profile_of(assessment.organisation, assessment.level_rank)
    criteria = [profile.kind, profile.headcount_band, profile.naf_section, profile.naf_division, *priority_codes]
    return f"toolbox:recommendations:{assessment.pk}:{toolbox}:{':'.join(criteria)}"


# The ranked actions as they are now. One array parameter, not the ORM's `id IN (%s, %s, …)`: a hundred
# parameters bound and planned made the query 3.2 ms instead of 0.9 (bench/bench_results_recommendations.py).
_OFFERED = """
SELECT action.id, action.title, action.promise FROM toolbox_action AS action
WHERE action.id = ANY (%s) AND NOT action.hidden
    AND NOT EXISTS (
        SELECT FROM toolbox_planitem AS item WHERE item.organisation_id = %s AND item.action_id = action.id
    )"""


def _offered(organisation, ranking):
    """The ranked actions still visible and not in the organisation's plan: pk → (title, promise).

    One query for the plan and the actions' current state: a ranking read from the cache never
    shows an action hidden (or planned) since it was made.
    """
    ranked_pks = [r.pk for ranked, _truncated in ranking.values() for r in ranked]
    with connection.cursor() as cursor:
        cursor.execute(_OFFERED, [ranked_pks, organisation.pk])
        return {pk: (title, promise) for pk, title, promise in cursor.fetchall()}


def _enough(ranking, offered, per_theme):
    """Whether every theme has `per_theme` actions on offer, or no more ranked ones to give."""
    return all(
        not truncated or sum(1 for r in ranked if r.pk in offered) >= per_theme
        for ranked, truncated in ranking.values()
    )


def recommendations_for(
    assessment, structure, answers, priority_codes, *, toolbox=None, per_theme=RECOMMENDED_PER_THEME
):
    """Per priority theme (in the given order), its best few recommended actions, those of the plan left out.

    ``answers``: the assessment's Answer rows; ``priority_codes``: the priority themes of its
    results (referentiel/results.py); ``toolbox``: the toolbox's revision when the caller has read it
    already. One query when the ranking is cached (the shown actions and the plan), one more when it is
    not (the candidates), and one for the revision when it is not given.
    """
    organisation = assessment.organisation
    key = ranking_key(assessment, priority_codes, toolbox or toolbox_revision())
    ranking = cache.get(key)
    if ranking is None:
        ranking = _rank(assessment, structure, answers, priority_codes)
        cache.set(key, ranking, CACHE_SECONDS)
    offered = _offered(organisation, ranking)
    if not _enough(ranking, offered, per_theme):
        # The plan (or the staff, hiding actions) took most of a theme's kept actions: rank again,
        # keeping enough to replace them.
        kept = sum(len(ranked) for ranked, _truncated in ranking.values())
        ranking = _rank(assessment, structure, answers, priority_codes, keep=KEPT_PER_THEME + kept)
        cache.set(key, ranking, CACHE_SECONDS)
        offered = _offered(organisation, ranking)
    result = []
    for code in priority_codes:
        ranked, _truncated = ranking.get(code, ((), False))
        actions = [RecommendedAction(r.pk, r.code, *offered[r.pk], r.reasons) for r in ranked if r.pk in offered]
        theme = structure.theme_by_code(code)
        if actions and theme is not None:
            result.append(ThemeRecommendations(theme=theme, actions=actions[:per_theme]))
    return result
