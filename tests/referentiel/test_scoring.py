"""Tests of the pure scoring module (no database, no Django needed)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from referentiel.scoring import (
    AnswerSpec,
    AssessmentScore,
    BandSpec,
    ChoiceSpec,
    LevelSpec,
    QuestionSpec,
    ScoringError,
    ThemeScore,
    compare,
    level_for,
    question_ratio,
    score_assessment,
    score_theme,
    strengths_and_priorities,
)

# Given out of order on purpose: level_for must sort by threshold itself.
LEVELS = (
    LevelSpec(rank=3, name="Avancé", threshold=50),
    LevelSpec(rank=1, name="Initial", threshold=0),
    LevelSpec(rank=4, name="Expert", threshold=75),
    LevelSpec(rank=2, name="Intermédiaire", threshold=25),
)


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def ladder(qid, theme="T1", weight=1, points=(0, 1, 2, 3), kind="ladder"):
    """Choice ids are qid * 10 + index, so choice(qid, i) picks the i-th."""
    choices = tuple(ChoiceSpec(id=qid * 10 + i, points=p) for i, p in enumerate(points))
    return QuestionSpec(id=qid, theme=theme, kind=kind, weight=weight, choices=choices)


def yesno(qid, theme="T1", weight=1):
    # index 0 = oui (1 point), index 1 = non (0 point)
    return ladder(qid, theme, weight, points=(1, 0), kind="yesno")


def multiple(qid, theme="T1", weight=1, points=(1, 1, 2)):
    return ladder(qid, theme, weight, points=points, kind="multiple")


# [.., 10) -> 0, [10, 20) -> 1, [20, ..) -> 2
OPEN_BANDS = (
    BandSpec(min=None, max=10, points=0),
    BandSpec(min=10, max=20, points=1),
    BandSpec(min=20, max=None, points=2),
)
# [0, 10) -> 1, [10, 20) -> 2: anything else is outside every band
CLOSED_BANDS = (BandSpec(min=0, max=10, points=1), BandSpec(min=10, max=20, points=2))


def numeric(qid, theme="T1", weight=1, bands=OPEN_BANDS):
    return QuestionSpec(id=qid, theme=theme, kind="numeric", weight=weight, bands=bands)


def choice(qid, *indexes):
    return AnswerSpec(question_id=qid, choice_ids=frozenset(qid * 10 + i for i in indexes))


def value(qid, v):
    return AnswerSpec(question_id=qid, value=v)


def na(qid):
    return AnswerSpec(question_id=qid, not_applicable=True)


def by_id(*answers):
    return {a.question_id: a for a in answers}


# --------------------------------------------------------------------------
# question_ratio
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, 0.0), (1, 1 / 3), (2, 2 / 3), (3, 1.0)],
)
def test_ladder_ratio_is_points_over_best(index, expected):
    assert question_ratio(ladder(1), choice(1, index)) == pytest.approx(expected)


def test_ladder_best_is_the_max_not_the_last_choice():
    q = ladder(1, points=(4, 0, 2))
    assert question_ratio(q, choice(1, 2)) == pytest.approx(0.5)


def test_ladder_mid_choice_scores_66_7():
    result = score_theme([ladder(1)], by_id(choice(1, 2)), LEVELS)
    assert result.score == 66.7
    assert result.level == 3


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(choice(1, 0), 1.0), (choice(1, 1), 0.0)],
    ids=["oui", "non"],
)
def test_yesno_ratio(answer, expected):
    assert question_ratio(yesno(1), answer) == expected


@pytest.mark.parametrize("make", [ladder, yesno], ids=["ladder", "yesno"])
def test_single_choice_unanswered_is_none(make):
    assert question_ratio(make(1), AnswerSpec(question_id=1)) is None
    assert question_ratio(make(1), None) is None


@pytest.mark.parametrize("points", [(0, 0, 0), (-1, 0), (-2, -1)])
def test_ladder_without_positive_points_does_not_count(points):
    assert question_ratio(ladder(1, points=points), choice(1, 0)) is None


def test_ladder_without_choices_does_not_count():
    q = QuestionSpec(id=1, theme="T1", kind="ladder", weight=1)
    assert question_ratio(q, AnswerSpec(question_id=1)) is None


def test_ladder_negative_choice_is_clamped_to_zero():
    assert question_ratio(ladder(1, points=(-2, 0, 4)), choice(1, 0)) == 0.0


@pytest.mark.parametrize("make", [ladder, yesno], ids=["ladder", "yesno"])
def test_single_choice_with_two_choices_raises(make):
    with pytest.raises(ScoringError):
        question_ratio(make(1), choice(1, 0, 1))


@pytest.mark.parametrize(
    ("points", "ticked", "expected"),
    [
        ((1, 1, 2), (), 0.0),  # « aucune de ces pratiques » is a real 0
        ((1, 1, 2), (0,), 0.25),
        ((1, 1, 2), (0, 2), 0.75),
        ((1, 1, 2), (0, 1, 2), 1.0),
        # a negative "bad practice" lowers the sum but is not in the total
        ((2, 2, -1), (0, 1, 2), 0.75),
        ((2, 2, -1), (2,), 0.0),  # clamped, never below 0
        ((2, 0, 2), (1,), 0.0),
    ],
)
def test_multiple_ratio(points, ticked, expected):
    assert question_ratio(multiple(1, points=points), choice(1, *ticked)) == expected


@pytest.mark.parametrize("points", [(0, 0), (-1, 0, -3)])
def test_multiple_without_positive_points_does_not_count(points):
    assert question_ratio(multiple(1, points=points), choice(1, 0)) is None


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (-1e9, 0.0),
        (9.999, 0.0),
        (10, 0.5),  # min inclusive
        (19.999, 0.5),
        (20, 1.0),  # max exclusive: 20 belongs to the next band
        (1e9, 1.0),
    ],
)
def test_numeric_open_bands(v, expected):
    assert question_ratio(numeric(1), value(1, v)) == expected


@pytest.mark.parametrize(
    ("v", "expected"),
    [(0, 0.5), (9.5, 0.5), (10, 1.0), (-0.001, 0.0), (20, 0.0), (25, 0.0)],
)
def test_numeric_closed_bands_outside_is_zero(v, expected):
    assert question_ratio(numeric(1, bands=CLOSED_BANDS), value(1, v)) == expected


def test_numeric_overlapping_bands_take_the_best_regardless_of_order():
    bands = (BandSpec(min=0, max=100, points=1), BandSpec(min=50, max=None, points=4))
    assert question_ratio(numeric(1, bands=bands), value(1, 60)) == 1.0
    assert question_ratio(numeric(1, bands=bands[::-1]), value(1, 60)) == 1.0
    assert question_ratio(numeric(1, bands=bands), value(1, 10)) == 0.25


def test_numeric_without_bands_or_value_does_not_count():
    assert question_ratio(numeric(1, bands=()), value(1, 12)) is None
    assert question_ratio(numeric(1), AnswerSpec(question_id=1)) is None


def test_numeric_nan_raises():
    with pytest.raises(ScoringError):
        question_ratio(numeric(1), value(1, float("nan")))


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            ladder(1),
            AnswerSpec(question_id=1, choice_ids=frozenset({12}), not_applicable=True),
        ),
        (
            yesno(1),
            AnswerSpec(question_id=1, choice_ids=frozenset({10}), not_applicable=True),
        ),
        (multiple(1), AnswerSpec(question_id=1, not_applicable=True)),
        (numeric(1), AnswerSpec(question_id=1, value=15, not_applicable=True)),
    ],
    ids=["ladder", "yesno", "multiple", "numeric"],
)
def test_not_applicable_is_none(question, answer):
    assert question_ratio(question, answer) is None


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (ladder(1), AnswerSpec(question_id=1, choice_ids=frozenset({20}))),
        (yesno(1), AnswerSpec(question_id=1, choice_ids=frozenset({99}))),
        (multiple(1), AnswerSpec(question_id=1, choice_ids=frozenset({10, 11, 20}))),
        (numeric(1), AnswerSpec(question_id=1, choice_ids=frozenset({10}), value=5)),
        (
            ladder(1),
            AnswerSpec(question_id=1, choice_ids=frozenset({20}), not_applicable=True),
        ),
    ],
    ids=["ladder", "yesno", "multiple", "numeric", "n/a"],
)
def test_foreign_choice_id_raises(question, answer):
    with pytest.raises(ScoringError, match="do not belong"):
        question_ratio(question, answer)


def test_scoring_error_is_a_value_error():
    assert issubclass(ScoringError, ValueError)


def test_answer_of_another_question_raises():
    with pytest.raises(ScoringError):
        question_ratio(ladder(1), choice(2, 0))


def test_unknown_kind_raises():
    q = QuestionSpec(id=1, theme="T1", kind="slider", weight=1)
    with pytest.raises(ScoringError):
        question_ratio(q, AnswerSpec(question_id=1))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_points_raise(bad):
    with pytest.raises(ScoringError):
        question_ratio(ladder(1, points=(0, bad)), choice(1, 0))


# --------------------------------------------------------------------------
# score_theme
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ((1, 1), 50.0),
        ((3, 1), 75.0),
        ((1, 3), 25.0),
        ((2.5, 1.5), 62.5),
        ((1, 0), 100.0),  # weight 0: does not count
        ((1, -2), 100.0),  # negative weight: does not count either
        ((0, 1), 0.0),
    ],
)
def test_theme_weighted_mean(weights, expected):
    # question 1 at 100 %, question 2 at 0 %
    questions = [ladder(1, weight=weights[0]), ladder(2, weight=weights[1])]
    result = score_theme(questions, by_id(choice(1, 3), choice(2, 0)), LEVELS)
    assert result.score == expected


def test_theme_only_zero_weights_is_not_evaluated():
    questions = [ladder(1, weight=0), ladder(2, weight=-1)]
    result = score_theme(questions, by_id(choice(1, 3), choice(2, 3)), LEVELS)
    assert result == ThemeScore(theme="T1", score=None, level=None, answered=2, applicable=2)


def test_theme_mixed_kinds():
    questions = [ladder(1), yesno(2), multiple(3), numeric(4)]
    answers = by_id(choice(1, 2), choice(2, 0), choice(3, 0), value(4, 10))
    # (2/3 + 1 + 1/4 + 1/2) / 4 = 29/48 = 60.416...
    result = score_theme(questions, answers, LEVELS)
    assert result.score == 60.4
    assert (result.answered, result.applicable) == (4, 4)


def test_theme_not_applicable_excluded_from_numerator_and_denominator():
    questions = [ladder(1), ladder(2), ladder(3)]
    answers = by_id(choice(1, 3), na(2), choice(3, 1))
    # (1 + 1/3) / 2, not (1 + 0 + 1/3) / 3
    result = score_theme(questions, answers, LEVELS)
    assert result == ThemeScore(theme="T1", score=66.7, level=3, answered=2, applicable=2)


def test_theme_all_not_applicable_is_not_evaluated():
    result = score_theme([ladder(1), yesno(2)], by_id(na(1), na(2)), LEVELS)
    assert result == ThemeScore(theme="T1", score=None, level=None, answered=0, applicable=0)


def test_theme_unanswered_is_not_evaluated_but_applicable():
    result = score_theme([ladder(1), yesno(2)], {}, LEVELS)
    assert result == ThemeScore(theme="T1", score=None, level=None, answered=0, applicable=2)


def test_theme_unanswered_questions_do_not_count_as_zero():
    result = score_theme([ladder(1), ladder(2)], by_id(choice(1, 3)), LEVELS)
    assert result == ThemeScore(theme="T1", score=100.0, level=4, answered=1, applicable=2)


def test_theme_empty_multiple_is_a_real_zero():
    result = score_theme([multiple(1)], by_id(AnswerSpec(question_id=1)), LEVELS)
    assert result == ThemeScore(theme="T1", score=0.0, level=1, answered=1, applicable=1)


def test_theme_numeric_without_bands_is_answered_but_not_scored():
    questions = [numeric(1, bands=()), ladder(2)]
    result = score_theme(questions, by_id(value(1, 42), choice(2, 0)), LEVELS)
    assert result == ThemeScore(theme="T1", score=0.0, level=1, answered=2, applicable=2)


def test_theme_empty_ladder_answer_is_not_answered():
    result = score_theme([ladder(1)], by_id(AnswerSpec(question_id=1)), LEVELS)
    assert (result.score, result.answered, result.applicable) == (None, 0, 1)


def test_theme_mixed_themes_raise():
    with pytest.raises(ScoringError):
        score_theme([ladder(1, theme="A"), ladder(2, theme="B")], {}, LEVELS)


def test_theme_empty_needs_explicit_code():
    with pytest.raises(ScoringError):
        score_theme([], {}, LEVELS)
    assert score_theme([], {}, LEVELS, theme="X") == ThemeScore("X", None, None, 0, 0)


def test_theme_explicit_code_must_match_questions():
    with pytest.raises(ScoringError):
        score_theme([ladder(1, theme="A")], {}, LEVELS, theme="B")


def test_theme_foreign_choice_raises_even_with_zero_weight():
    with pytest.raises(ScoringError):
        score_theme(
            [ladder(1, weight=0)],
            by_id(AnswerSpec(question_id=1, choice_ids=frozenset({20}))),
            LEVELS,
        )


# --------------------------------------------------------------------------
# level_for
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, None),
        (0.0, 1),
        (24.9, 1),
        (25.0, 2),  # exactly on the threshold: reached
        (49.9, 2),
        (50.0, 3),
        (74.9, 3),
        (75.0, 4),
        (100.0, 4),
    ],
)
def test_level_thresholds(score, expected):
    assert level_for(score, LEVELS) == expected


def test_level_below_every_threshold_is_none():
    levels = [LevelSpec(1, "Débutant", 10), LevelSpec(2, "Confirmé", 60)]
    assert level_for(9.9, levels) is None
    assert level_for(10, levels) == 1


def test_level_without_levels_is_none():
    assert level_for(50, []) is None


def test_level_ties_on_threshold_pick_the_higher_rank():
    levels = [LevelSpec(2, "B", 50), LevelSpec(1, "A", 0), LevelSpec(3, "C", 50)]
    assert level_for(50, levels) == 3


def test_level_uses_the_displayed_score():
    # 74.96 is displayed 75.0: the level must agree with what the user sees.
    q = ladder(1, points=(0, 7496, 10000))
    result = score_theme([q], by_id(choice(1, 1)), LEVELS)
    assert (result.score, result.level) == (75.0, 4)


# --------------------------------------------------------------------------
# score_assessment
# --------------------------------------------------------------------------


def test_assessment_overall_ignores_non_evaluated_themes():
    questions = [ladder(1, "A"), ladder(2, "A"), ladder(3, "B")]
    answers = [choice(1, 3), choice(2, 0), na(3)]
    result = score_assessment(questions, answers, LEVELS)
    assert result == AssessmentScore(
        overall=50.0,
        level=3,
        themes={
            "A": ThemeScore("A", 50.0, 3, answered=2, applicable=2),
            "B": ThemeScore("B", None, None, answered=0, applicable=0),
        },
    )


def test_assessment_overall_is_plain_mean_of_themes():
    # One question at 100 in A, three at 0 in B: 50, not 25.
    questions = [ladder(1, "A"), ladder(2, "B"), ladder(3, "B"), ladder(4, "B")]
    answers = [choice(1, 3), choice(2, 0), choice(3, 0), choice(4, 0)]
    assert score_assessment(questions, answers, LEVELS).overall == 50.0


def test_assessment_rounds_only_at_the_end():
    # A = 0, B = 33.33..: exact mean 16.67 -> 16.7 (rounding B first: 16.65 -> 16.6)
    questions = [ladder(1, "A"), ladder(2, "B")]
    result = score_assessment(questions, [choice(1, 0), choice(2, 1)], LEVELS)
    assert result.themes["B"].score == 33.3
    assert result.overall == 16.7


def test_assessment_all_themes_not_evaluated():
    result = score_assessment([ladder(1, "A"), ladder(2, "B")], [na(1)], LEVELS)
    assert (result.overall, result.level) == (None, None)
    assert [t.score for t in result.themes.values()] == [None, None]


def test_assessment_themes_keep_referential_order():
    questions = [ladder(1, "Z"), ladder(2, "A"), ladder(3, "Z"), ladder(4, "M")]
    assert list(score_assessment(questions, [], LEVELS).themes) == ["Z", "A", "M"]


def test_assessment_ignores_answers_to_questions_not_passed():
    result = score_assessment([ladder(1, "A")], [choice(1, 3), choice(2, 0)], LEVELS)
    assert result.overall == 100.0


def test_assessment_duplicate_answers_raise():
    with pytest.raises(ScoringError):
        score_assessment([ladder(1)], [choice(1, 0), choice(1, 3)], LEVELS)


def test_assessment_duplicate_questions_raise():
    with pytest.raises(ScoringError):
        score_assessment([ladder(1), ladder(1)], [], LEVELS)


def test_assessment_foreign_choice_raises():
    with pytest.raises(ScoringError):
        score_assessment(
            [ladder(1), ladder(2)],
            [choice(1, 0), AnswerSpec(question_id=2, choice_ids=frozenset({10}))],
            LEVELS,
        )


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------


def _result(overall, /, **scores):
    themes = {code: ThemeScore(code, s, None, 0, 0) for code, s in scores.items()}
    return AssessmentScore(overall=overall, level=None, themes=themes)


def test_compare_deltas_and_none():
    previous = _result(40.0, A=33.3, B=None, C=50.0, D=80.0)
    current = _result(52.5, A=66.7, B=20.0, C=None, D=70.0, E=10.0)
    assert compare(previous, current) == {
        "overall": 12.5,
        "A": 33.4,  # exact subtraction, not 33.400000000000006
        "B": None,
        "C": None,
        "D": -10.0,
        "E": None,  # new theme: nothing to compare with
    }


def test_compare_overall_none():
    assert compare(_result(None), _result(10.0)) == {"overall": None}
    assert compare(_result(10.0), _result(None)) == {"overall": None}


def test_compare_keeps_removed_themes():
    assert compare(_result(1.0, A=5.0), _result(1.0)) == {"overall": 0.0, "A": None}


def test_compare_reserved_theme_code_raises():
    with pytest.raises(ScoringError):
        compare(_result(1.0, overall=2.0), _result(1.0))


# --------------------------------------------------------------------------
# strengths_and_priorities
# --------------------------------------------------------------------------

SAMPLE = _result(None, A=80.0, B=50.0, C=None, D=50.0, E=20.0, F=90.0)


@pytest.mark.parametrize(
    ("n", "strongest", "weakest"),
    [
        (3, ["F", "A", "B"], ["E", "B", "D"]),  # tie B/D broken by code
        (1, ["F"], ["E"]),
        (0, [], []),
        (
            10,
            ["F", "A", "B", "D", "E"],
            ["E", "B", "D", "A", "F"],
        ),  # C is « non évalué »
    ],
)
def test_strengths_and_priorities(n, strongest, weakest):
    assert strengths_and_priorities(SAMPLE, n) == (strongest, weakest)


def test_strengths_and_priorities_default_n_is_3():
    assert strengths_and_priorities(SAMPLE) == (["F", "A", "B"], ["E", "B", "D"])


def test_strengths_and_priorities_tie_order_does_not_depend_on_input_order():
    reordered = _result(None, D=50.0, B=50.0)
    assert strengths_and_priorities(reordered, 1) == (["B"], ["B"])


def test_strengths_and_priorities_negative_n_raises():
    with pytest.raises(ScoringError):
        strengths_and_priorities(SAMPLE, -1)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

ANSWER_MODES = ("none", "na", "choice")


@st.composite
def referentials(draw):
    """1-4 themes of 1-6 ladder questions, weights 1..3, random answers."""
    questions, answers = [], []
    qid = 0
    for t in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(1, 6))):
            qid += 1
            # Negative points allowed: exercises the clamping; all-non-positive
            # questions (which do not count) are generated too.
            points = draw(st.lists(st.integers(-2, 10), min_size=2, max_size=5))
            weight = draw(st.integers(1, 3) | st.floats(1, 3))
            questions.append(ladder(qid, f"T{t}", weight, tuple(points)))
            mode = draw(st.sampled_from(ANSWER_MODES))
            if mode == "na":
                answers.append(na(qid))
            elif mode == "choice":
                answers.append(choice(qid, draw(st.integers(0, len(points) - 1))))
    return questions, answers


@st.composite
def level_sets(draw):
    """Levels with ranks increasing with thresholds, given in random order."""
    thresholds = sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=6, unique=True)))
    levels = [LevelSpec(rank=i + 1, name=f"L{i + 1}", threshold=t) for i, t in enumerate(thresholds)]
    return draw(st.permutations(levels))


PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def _points(question, answer):
    (cid,) = answer.choice_ids
    return next(c.points for c in question.choices if c.id == cid)


@PROPERTY_SETTINGS
@given(referentials())
def test_property_scores_are_within_bounds(ref):
    questions, answers = ref
    result = score_assessment(questions, answers, LEVELS)
    scores = [t.score for t in result.themes.values()] + [result.overall]
    for s in scores:
        assert s is None or 0.0 <= s <= 100.0
    for code, theme in result.themes.items():
        in_theme = [q for q in questions if q.theme == code]
        assert 0 <= theme.answered <= theme.applicable <= len(in_theme)
        # LEVELS starts at 0, so a level exists exactly when a score does.
        assert (theme.level is None) == (theme.score is None)
    assert (result.overall is None) == all(t.score is None for t in result.themes.values())


def _assert_not_lower(before, after):
    # None only when nothing counts (e.g. a ladder without positive points):
    # changing the chosen step cannot make such a theme evaluated, nor the
    # reverse.
    if before is None:
        assert after is None
    else:
        assert after is not None
        assert after >= before


@PROPERTY_SETTINGS
@given(referentials(), st.data())
def test_property_better_choice_never_lowers_scores(ref, data):
    questions, answers = ref
    chosen = [i for i, a in enumerate(answers) if a.choice_ids]
    assume(chosen)
    i = data.draw(st.sampled_from(chosen))
    answer = answers[i]
    question = next(q for q in questions if q.id == answer.question_id)
    current = _points(question, answer)
    better = [idx for idx, c in enumerate(question.choices) if c.points > current]
    assume(better)
    improved = list(answers)
    improved[i] = choice(question.id, data.draw(st.sampled_from(better)))

    before = score_assessment(questions, answers, LEVELS)
    after = score_assessment(questions, improved, LEVELS)
    _assert_not_lower(before.themes[question.theme].score, after.themes[question.theme].score)
    _assert_not_lower(before.overall, after.overall)
    # Other themes are untouched.
    for code, theme in before.themes.items():
        if code != question.theme:
            assert after.themes[code] == theme


@PROPERTY_SETTINGS
@given(referentials(), st.data())
def test_property_not_applicable_is_neutral(ref, data):
    questions, answers = ref
    target = data.draw(st.sampled_from(questions))
    others = [a for a in answers if a.question_id != target.id]

    with_na = score_assessment(questions, [*others, na(target.id)], LEVELS)
    removed = score_assessment([q for q in questions if q is not target], others, LEVELS)

    assert with_na.overall == removed.overall
    assert with_na.level == removed.level
    for code, theme in with_na.themes.items():
        if code in removed.themes:
            assert theme == removed.themes[code]
        else:
            # The question was the theme's only one: the theme remains, empty.
            assert theme == ThemeScore(code, None, None, answered=0, applicable=0)
    assert set(removed.themes) <= set(with_na.themes)


@PROPERTY_SETTINGS
@given(level_sets(), st.lists(st.floats(0, 100), min_size=2, max_size=10))
def test_property_level_is_monotone_in_score(levels, scores):
    ranks = [level_for(s, levels) for s in sorted(scores)]
    as_ints = [0 if r is None else r for r in ranks]
    assert as_ints == sorted(as_ints)
    # And it is the right level: its threshold is reached, the next one is not.
    by_rank = {lv.rank: lv.threshold for lv in levels}
    for s, r in zip(sorted(scores), ranks, strict=True):
        if r is None:
            assert s < min(by_rank.values())
        else:
            assert by_rank[r] <= s
            assert r == len(levels) or by_rank[r + 1] > s


@PROPERTY_SETTINGS
@given(referentials(), level_sets())
def test_property_theme_levels_follow_theme_scores(ref, levels):
    questions, answers = ref
    result = score_assessment(questions, answers, levels)
    scored = sorted((t.score, 0 if t.level is None else t.level) for t in result.themes.values() if t.score is not None)
    assert [lv for _, lv in scored] == sorted(lv for _, lv in scored)
    assert result.level == level_for(result.overall, levels)


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LEVELS[0].threshold = 10
