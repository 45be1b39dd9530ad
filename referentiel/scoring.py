"""Pure scoring of a maturity self-assessment.

Plain data in, plain data out: this module never touches the database and
imports nothing from Django, so that the scoring rules can be unit- and
property-tested in isolation and reused by views, exports and batch jobs
alike (the caller turns model instances into the specs below).

Arithmetic is done with ``fractions.Fraction``: every float input converts to
a Fraction exactly, so sums and means carry no accumulated error and rounding
to one decimal happens once, at the very end, on the exact value. This is what
makes properties such as "a question answered « non concerné » weighs exactly
as if it did not exist" hold exactly rather than within some epsilon.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "OVERALL",
    "AnswerSpec",
    "AssessmentScore",
    "BandSpec",
    "ChoiceSpec",
    "LevelSpec",
    "QuestionSpec",
    "ScoringError",
    "ThemeScore",
    "compare",
    "level_for",
    "question_ratio",
    "score_assessment",
    "score_theme",
    "strengths_and_priorities",
]

LADDER = "ladder"
MULTIPLE = "multiple"
YESNO = "yesno"
NUMERIC = "numeric"
KINDS = frozenset({LADDER, MULTIPLE, YESNO, NUMERIC})

# Key used by compare() for the overall score, next to the theme codes.
OVERALL = "overall"

_ZERO = Fraction(0)
_ONE = Fraction(1)
_HUNDRED = Fraction(100)


class ScoringError(ValueError):
    """Inconsistent scoring input (foreign choice, unknown kind, ...).

    A ValueError so that callers validating a form can treat it like any
    other bad value, while still being able to catch it specifically.
    """


# --------------------------------------------------------------------------
# Input types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelSpec:
    rank: int
    name: str
    threshold: float  # in [0, 100]


@dataclass(frozen=True)
class ChoiceSpec:
    id: int
    points: float


@dataclass(frozen=True)
class BandSpec:
    """Numeric band: ``min`` inclusive, ``max`` exclusive, None = unbounded."""

    min: float | None
    max: float | None
    points: float

    def contains(self, value: float) -> bool:
        # Half-open intervals so that contiguous bands [0, 10) [10, 20) never
        # both claim the boundary value.
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value >= self.max)


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    theme: str  # theme code
    kind: str  # "ladder" | "multiple" | "yesno" | "numeric"
    weight: float
    choices: tuple[ChoiceSpec, ...] = ()
    bands: tuple[BandSpec, ...] = ()


@dataclass(frozen=True)
class AnswerSpec:
    question_id: int
    choice_ids: frozenset[int] = frozenset()  # one for ladder/yesno, several for multiple
    value: float | None = None  # numeric
    not_applicable: bool = False


# --------------------------------------------------------------------------
# Output types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    score: float | None  # None = « non évalué » (nothing counted), never 0
    level: int | None
    answered: int
    applicable: int


@dataclass(frozen=True)
class AssessmentScore:
    overall: float | None
    level: int | None
    themes: dict[str, ThemeScore]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _exact(x: float, what: str) -> Fraction:
    # Fraction() converts floats (and ints, Decimals) exactly. It raises a
    # bare ValueError/OverflowError/TypeError on NaN, infinities or junk:
    # report those as a scoring input problem instead.
    try:
        return Fraction(x)
    except (ValueError, OverflowError, TypeError):
        raise ScoringError(f"{what} must be a finite number, got {x!r}") from None


def _clamp01(x: Fraction) -> Fraction:
    # Negative points (a "bad practice" choice) must not push a question
    # below 0, nor a generous sum above 1: a question's share stays in [0, 1].
    return min(max(x, _ZERO), _ONE)


def _to_display(x: Fraction) -> float:
    # The single rounding point. round() on a Fraction rounds the exact value
    # (half to even), then float() gives the nearest double of e.g. 66.7.
    return float(round(x, 1))


def _check_choice_ids(question: QuestionSpec, answer: AnswerSpec) -> None:
    known = {c.id for c in question.choices}
    foreign = set(answer.choice_ids) - known
    if foreign:
        raise ScoringError(f"choice ids {sorted(foreign)} do not belong to question {question.id}")


def _is_answered(question: QuestionSpec, answer: AnswerSpec | None) -> bool:
    """Whether the respondent gave an answer (N/A does not count as one).

    This is about completion, not about scoring: a numeric question without
    bands, or a question of weight 0, is answered even though it does not
    weigh in the score.
    """
    if answer is None or answer.not_applicable:
        return False
    if question.kind == MULTIPLE:
        # Ticking nothing is a real answer (« aucune de ces pratiques »).
        return True
    if question.kind == NUMERIC:
        return answer.value is not None
    return bool(answer.choice_ids)


# --------------------------------------------------------------------------
# Question level
# --------------------------------------------------------------------------


def _question_ratio_exact(question: QuestionSpec, answer: AnswerSpec | None) -> Fraction | None:
    if question.kind not in KINDS:
        raise ScoringError(f"question {question.id}: unknown kind {question.kind!r}")
    if answer is None:
        return None
    if answer.question_id != question.id:
        raise ScoringError(f"answer for question {answer.question_id} given to question {question.id}")
    # Validated even for N/A answers: a foreign id means the caller mixed up
    # questions, which must surface whatever the answer says.
    _check_choice_ids(question, answer)
    if answer.not_applicable:
        return None

    if question.kind in (LADDER, YESNO):
        if not answer.choice_ids:
            return None  # unanswered
        if len(answer.choice_ids) > 1:
            raise ScoringError(f"question {question.id} ({question.kind}) accepts a single choice")
        best = max((_exact(c.points, "points") for c in question.choices), default=_ZERO)
        if best <= 0:
            return None  # cannot discriminate between respondents
        (chosen_id,) = answer.choice_ids
        chosen = next(c for c in question.choices if c.id == chosen_id)
        return _clamp01(_exact(chosen.points, "points") / best)

    if question.kind == MULTIPLE:
        total = sum(
            (p for c in question.choices if (p := _exact(c.points, "points")) > 0),
            _ZERO,
        )
        if total <= 0:
            return None  # nothing to earn: cannot discriminate
        ticked = sum(
            (_exact(c.points, "points") for c in question.choices if c.id in answer.choice_ids),
            _ZERO,
        )
        return _clamp01(ticked / total)

    # NUMERIC
    if not question.bands or answer.value is None:
        return None
    if math.isnan(answer.value):
        raise ScoringError(f"question {question.id}: value is NaN")
    best = max(_exact(b.points, "points") for b in question.bands)
    if best <= 0:
        return None  # cannot discriminate
    # With overlapping bands the most favourable one wins, so that the
    # result does not depend on the order the bands were declared in.
    matching = [_exact(b.points, "points") for b in question.bands if b.contains(answer.value)]
    if not matching:
        return _ZERO  # outside every band
    return _clamp01(max(matching) / best)


def question_ratio(question: QuestionSpec, answer: AnswerSpec | None) -> float | None:
    """The question's score in [0, 1], or None if it does not count.

    None means: unanswered, « non concerné », or a question that cannot
    discriminate (no positive points to earn, numeric without bands).
    Raises ScoringError on inconsistent input (foreign choice id, several
    choices on a single-choice question, unknown kind, NaN).
    """
    ratio = _question_ratio_exact(question, answer)
    return None if ratio is None else float(ratio)


# --------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------


def level_for(score: float | None, levels: Iterable[LevelSpec]) -> int | None:
    """Rank of the highest level whose threshold <= score.

    None when the score is None (« non évalué ») or below every threshold.
    Callers pass the displayed (rounded) score, so that a score shown as
    50.0 reaches a level whose threshold is 50.
    """
    if score is None:
        return None
    reached = None
    # Sorting on (threshold, rank) keeps the choice deterministic if two
    # levels share a threshold: the higher rank wins.
    for level in sorted(levels, key=lambda lv: (lv.threshold, lv.rank)):
        if level.threshold <= score:
            reached = level.rank
        else:
            break
    return reached


# --------------------------------------------------------------------------
# Theme level
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _ThemeExact:
    score: Fraction | None  # 0..100, full precision
    answered: int
    applicable: int


def _score_theme_exact(
    questions: Sequence[QuestionSpec], answers_by_question_id: Mapping[int, AnswerSpec]
) -> _ThemeExact:
    weighted = _ZERO
    total_weight = _ZERO
    answered = 0
    applicable = 0
    for question in questions:
        answer = answers_by_question_id.get(question.id)
        ratio = _question_ratio_exact(question, answer)  # validates even weight <= 0
        if answer is None or not answer.not_applicable:
            applicable += 1
        if _is_answered(question, answer):
            answered += 1
        # Weights <= 0 (or NaN) mean "not scored": skipping them keeps a
        # negative weight from flipping the meaning of the mean.
        if ratio is None or not question.weight > 0:
            continue
        weight = _exact(question.weight, "weight")
        weighted += weight * ratio
        total_weight += weight
    score = None if total_weight == 0 else weighted / total_weight * _HUNDRED
    return _ThemeExact(score=score, answered=answered, applicable=applicable)


def _theme_result(theme: str, exact: _ThemeExact, levels: Sequence[LevelSpec]) -> ThemeScore:
    score = None if exact.score is None else _to_display(exact.score)
    return ThemeScore(
        theme=theme,
        score=score,
        level=level_for(score, levels),
        answered=exact.answered,
        applicable=exact.applicable,
    )


def score_theme(
    questions: Sequence[QuestionSpec],
    answers_by_question_id: Mapping[int, AnswerSpec],
    levels: Sequence[LevelSpec],
    *,
    theme: str | None = None,
) -> ThemeScore:
    """Score one theme: weighted mean of question ratios × 100.

    - score: over the questions that count (answered, applicable, ratio not
      None, weight > 0); None (« non évalué », not 0) if none counts.
    - applicable: number of questions minus those answered N/A.
    - answered: questions with a non-N/A answer (a choice for ladder/yesno,
      any answer for multiple, a value for numeric), whether or not they
      weigh in the score.
    ``theme`` defaults to the questions' common theme code; it is required
    only when ``questions`` is empty.
    """
    codes = {q.theme for q in questions}
    if theme is None:
        if len(codes) != 1:
            raise ScoringError(
                f"score_theme needs questions of exactly one theme (or an explicit theme), got {sorted(codes)}"
            )
        (theme,) = codes
    elif codes - {theme}:
        raise ScoringError(f"questions of themes {sorted(codes - {theme})} given for {theme!r}")
    exact = _score_theme_exact(questions, answers_by_question_id)
    return _theme_result(theme, exact, levels)


# --------------------------------------------------------------------------
# Assessment level
# --------------------------------------------------------------------------


def score_assessment(
    questions: Sequence[QuestionSpec],
    answers: Iterable[AnswerSpec],
    levels: Sequence[LevelSpec],
) -> AssessmentScore:
    """Score a whole assessment.

    ``questions`` are the questions that apply to the organisation (the
    caller filters them). Answers to other questions are ignored: they may
    legitimately linger after the organisation's profile changed. Themes
    appear in the order of their first question. The overall score is the
    plain mean of the evaluated themes, so that each theme counts the same
    whatever its number of questions; None if no theme is evaluated.
    """
    seen_questions: set[int] = set()
    by_theme: dict[str, list[QuestionSpec]] = {}
    for question in questions:
        if question.id in seen_questions:
            raise ScoringError(f"question {question.id} given twice")
        seen_questions.add(question.id)
        by_theme.setdefault(question.theme, []).append(question)

    answers_by_id: dict[int, AnswerSpec] = {}
    for answer in answers:
        if answer.question_id in answers_by_id:
            # Two answers would make the score depend on iteration order.
            raise ScoringError(f"question {answer.question_id} answered twice")
        answers_by_id[answer.question_id] = answer

    themes: dict[str, ThemeScore] = {}
    evaluated: list[Fraction] = []
    for code, theme_questions in by_theme.items():
        exact = _score_theme_exact(theme_questions, answers_by_id)
        themes[code] = _theme_result(code, exact, levels)
        if exact.score is not None:
            evaluated.append(exact.score)  # full precision, not the rounded one

    overall = _to_display(sum(evaluated, _ZERO) / len(evaluated)) if evaluated else None
    return AssessmentScore(overall=overall, level=level_for(overall, levels), themes=themes)


# --------------------------------------------------------------------------
# Reading the result
# --------------------------------------------------------------------------


def _delta(previous: float | None, current: float | None) -> float | None:
    if previous is None or current is None:
        return None
    # Subtract exactly and round again: 66.7 - 33.3 is 33.4, not
    # 33.400000000000006.
    return _to_display(Fraction(current) - Fraction(previous))


def compare(previous: AssessmentScore, current: AssessmentScore) -> dict[str, float | None]:
    """Progress between two assessments: current - previous, per theme and
    under the key "overall"; None when either side is None or the theme is
    missing on one side (the referential changed in between).
    """
    codes = list(previous.themes)
    codes += [code for code in current.themes if code not in previous.themes]
    if OVERALL in codes:
        # Would silently overwrite (or be overwritten by) the overall delta.
        raise ScoringError(f"theme code {OVERALL!r} is reserved")
    result: dict[str, float | None] = {OVERALL: _delta(previous.overall, current.overall)}
    for code in codes:
        before = previous.themes.get(code)
        after = current.themes.get(code)
        result[code] = _delta(
            None if before is None else before.score,
            None if after is None else after.score,
        )
    return result


def strengths_and_priorities(result: AssessmentScore, n: int = 3) -> tuple[list[str], list[str]]:
    """The n strongest theme codes (highest score first) and the n weakest
    (lowest first), ignoring « non évalué » themes.

    Ties are broken by theme code so that the output is deterministic. With
    fewer than 2n evaluated themes, a theme may appear in both lists.
    """
    if n < 0:
        raise ScoringError(f"n must be >= 0, got {n}")
    scored = [(t.score, code) for code, t in result.themes.items() if t.score is not None]
    strongest = [code for _, code in sorted(scored, key=lambda sc: (-sc[0], sc[1]))[:n]]
    weakest = [code for _, code in sorted(scored, key=lambda sc: (sc[0], sc[1]))[:n]]
    return strongest, weakest
