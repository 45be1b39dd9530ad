"""Pure ranking of toolbox actions for one organisation: plain data in, plain data out.

Like referentiel/scoring.py, this module touches no database and imports nothing from Django
(toolbox/recommendations.py builds its inputs from the models), so that the rules below can be
unit- and property-tested on their own.

The rules:
- an action is *triggered* by a linked question when the organisation's answer sits at or below
  the link's `up_to_step` and below the top of its ladder (toolbox/steps.py); « non concerné »,
  no answer, and a question the organisation is not asked never trigger;
- an action is recommended when at least one of its links triggers and it is not in the plan;
- its *gap* is the sum, over the triggering links, of the question's weight times how far the
  answer is from the top of its ladder, as a share of the ladder (0 at the top, 1 at the bottom);
- its *fit* adds points for each profile criterion the action meets (see `fit`); a criterion left
  empty fits every organisation; a criterion the organisation misses adds nothing;
- its score is gap × (FIT_BASE + fit): a lower answer never lowers it, a better fit raises it, a
  criterion the organisation misses never raises it. Ties are broken by code.

Arithmetic is exact (fractions), so that equal scores compare equal and the tie-break by code
is the only thing that orders them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from referentiel.scoring import AnswerSpec, QuestionSpec

from .steps import answer_step, top_step

__all__ = [
    "FIT_BASE",
    "Candidate",
    "Link",
    "Profile",
    "QuestionInput",
    "Reason",
    "Recommendation",
    "fit",
    "rank_actions",
    "recommend_by_theme",
]

# Points of each criterion met (or left empty by the action). The NAF activity is where an action
# "matters more": a division match says more than a section match, and either more than an action
# written for every activity.
LEVEL_POINTS = 2
KIND_POINTS = 2
BAND_POINTS = 1
NAF_DIVISION_POINTS = 3
NAF_SECTION_POINTS = 2
NAF_ANY_POINTS = 1
# Added to the fit before multiplying, so that an action that misses every criterion still ranks
# by its gap instead of vanishing.
FIT_BASE = 2


@dataclass(frozen=True)
class Profile:
    kind: str
    headcount_band: str
    naf_section: str = ""  # « C »
    naf_division: str = ""  # « 10 »
    level: int | None = None  # rank of the overall maturity level reached; None = below the first


@dataclass(frozen=True)
class QuestionInput:
    """A question the organisation is asked, with its answer and how the page words that answer."""

    code: str
    text: str
    spec: QuestionSpec
    answer: AnswerSpec | None
    answer_label: str = ""


@dataclass(frozen=True)
class Link:
    question_code: str
    up_to_step: int


@dataclass(frozen=True)
class Candidate:
    code: str
    main_theme: str
    themes: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    naf_codes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    def serves(self, theme: str) -> bool:
        return theme == self.main_theme or theme in self.themes


@dataclass(frozen=True)
class Reason:
    """« parce que vous avez répondu « answer_label » à « question_text » »."""

    question_code: str
    question_text: str
    answer_label: str


@dataclass(frozen=True)
class Recommendation:
    code: str
    score: Fraction
    gap: Fraction
    fit: int
    reasons: tuple[Reason, ...]


def made_for(allowed: Sequence, value) -> bool:
    """Whether an action limited to `allowed` (kinds, headcount bands, levels; empty: all) is made for `value`."""
    return not allowed or value in allowed


def _level_fits(candidate: Candidate, level: int | None) -> bool:
    # Below the first level, an organisation has everything to gain from the first level's actions.
    return made_for(candidate.levels, 1 if level is None else level)


def fit(candidate: Candidate, profile: Profile) -> int:
    """How well the action suits the organisation, in points (see the constants above)."""
    points = 0
    if _level_fits(candidate, profile.level):
        points += LEVEL_POINTS
    if made_for(candidate.kinds, profile.kind):
        points += KIND_POINTS
    if made_for(candidate.bands, profile.headcount_band):
        points += BAND_POINTS
    if not candidate.naf_codes:
        points += NAF_ANY_POINTS
    elif profile.naf_division and profile.naf_division in candidate.naf_codes:
        points += NAF_DIVISION_POINTS
    elif profile.naf_section and profile.naf_section in candidate.naf_codes:
        points += NAF_SECTION_POINTS
    return points


@dataclass(frozen=True)
class _Standing:
    """Where one answer stands, computed once per question rather than once per link."""

    step: int
    share: int  # weight × distance from the top, as a multiple of 1 / denominator (exact)
    reason: Reason


def _distance(question: QuestionInput) -> tuple[int, Fraction] | None:
    """The answer's step and its distance from the top of its ladder (0..1); None when it cannot
    trigger anything (no answer, « non concerné », already at the top)."""
    step = answer_step(question.spec, question.answer)
    if step is None:
        return None
    top = top_step(question.spec)
    # The best answer never calls for an action, even through a link saved with up_to_step at the top.
    if step >= top:
        return None
    return step, Fraction(top - step, top - 1)


def _weight(question: QuestionInput) -> Fraction:
    weight = question.spec.weight
    # A weight of 0 (or less) scores nothing in the referential: it adds nothing here either.
    return Fraction(weight) if weight > 0 else Fraction(0)


def _standings(questions: Iterable[QuestionInput]) -> tuple[dict[str, _Standing], int]:
    """Each question that may trigger, with its share of a gap as an integer over one common
    denominator: the ranking then adds and multiplies integers (a Fraction per link cost tens of
    milliseconds on a toolbox of 2,000 actions) and stays exact."""
    shares = {}
    for question in questions:
        found = _distance(question)
        if found is not None:
            step, distance = found
            shares[question.code] = (step, _weight(question) * distance, question)
    denominator = math.lcm(*(share.denominator for _step, share, _q in shares.values())) if shares else 1
    standings = {
        code: _Standing(
            step=step,
            share=int(share * denominator),
            reason=Reason(question.code, question.text, question.answer_label),
        )
        for code, (step, share, question) in shares.items()
    }
    return standings, denominator


def _rank_one(candidate: Candidate, profile: Profile, standings: Mapping[str, _Standing], denominator: int):
    triggered = []
    for link in candidate.links:
        standing = standings.get(link.question_code)
        if standing is not None and standing.step <= link.up_to_step:
            triggered.append(standing)
    if not triggered:
        return None
    gap = sum(standing.share for standing in triggered)
    points = fit(candidate, profile)
    # The farthest answers first: they are the strongest reasons.
    triggered.sort(key=lambda standing: (-standing.share, standing.reason.question_code))
    return gap * (FIT_BASE + points), Recommendation(
        code=candidate.code,
        score=Fraction(gap * (FIT_BASE + points), denominator),
        gap=Fraction(gap, denominator),
        fit=points,
        reasons=tuple(standing.reason for standing in triggered),
    )


def rank_actions(
    profile: Profile,
    questions: Mapping[str, QuestionInput] | Iterable[QuestionInput],
    candidates: Iterable[Candidate],
    planned: Collection[str] = (),
) -> list[Recommendation]:
    """Every recommended action, best first (score descending, then code).

    ``questions``: the questions the organisation is asked, keyed by code (or an iterable of them).
    ``planned``: codes of the actions already in the organisation's plan, never suggested.
    """
    if isinstance(questions, Mapping):
        questions = questions.values()
    standings, denominator = _standings(questions)
    planned = set(planned)
    ranked = []
    for candidate in candidates:
        if candidate.code in planned:
            continue
        ranking = _rank_one(candidate, profile, standings, denominator)
        if ranking is not None:
            ranked.append(ranking)
    # The integer score orders exactly as the Fraction (one denominator for all) and compares faster.
    ranked.sort(key=lambda row: (-row[0], row[1].code))
    return [recommendation for _score, recommendation in ranked]


def recommend_by_theme(
    profile: Profile,
    priority_themes: Sequence[str],
    questions: Mapping[str, QuestionInput] | Iterable[QuestionInput],
    candidates: Iterable[Candidate],
    planned: Collection[str] = (),
    per_theme: int = 3,
) -> dict[str, list[Recommendation]]:
    """The best `per_theme` actions of each priority theme, in the themes' order.

    An action is listed once, so that the page never repeats it: under its main theme when that
    is a priority, otherwise under the first priority theme among its other themes.
    """
    candidates = list(candidates)
    by_code = {candidate.code: candidate for candidate in candidates}
    result = {theme: [] for theme in priority_themes}
    for recommendation in rank_actions(profile, questions, candidates, planned):
        candidate = by_code[recommendation.code]
        home = _home_theme(candidate, priority_themes)
        if home is not None and len(result[home]) < per_theme:
            result[home].append(recommendation)
    return result


def _home_theme(candidate: Candidate, priority_themes: Sequence[str]) -> str | None:
    if candidate.main_theme in priority_themes:
        return candidate.main_theme
    return next((theme for theme in priority_themes if theme in candidate.themes), None)
