"""Answer steps (toolbox/steps.py): the scale that `up_to_step` counts on."""

import pytest

from referentiel.scoring import AnswerSpec, BandSpec, ChoiceSpec, QuestionSpec
from toolbox.steps import answer_step, top_step

LADDER = QuestionSpec(
    id=1,
    theme="ENE",
    kind="ladder",
    weight=1,
    # Out of order on purpose: steps follow points, not the stored order.
    choices=(ChoiceSpec(11, 0), ChoiceSpec(13, 50), ChoiceSpec(12, 25), ChoiceSpec(14, 100)),
)
YESNO = QuestionSpec(id=2, theme="ENE", kind="yesno", weight=1, choices=(ChoiceSpec(21, 100), ChoiceSpec(22, 0)))
MULTIPLE = QuestionSpec(
    id=3,
    theme="DEC",
    kind="multiple",
    weight=1,
    choices=(ChoiceSpec(31, 10), ChoiceSpec(32, 20), ChoiceSpec(33, 0), ChoiceSpec(34, 30)),
)
NUMERIC = QuestionSpec(
    id=4,
    theme="EAU",
    kind="numeric",
    weight=1,
    bands=(BandSpec(None, 10, 0), BandSpec(10, 50, 50), BandSpec(50, None, 100)),
)


@pytest.mark.parametrize(("question", "top"), [(LADDER, 4), (YESNO, 2), (MULTIPLE, 4), (NUMERIC, 3)])
def test_top_step(question, top):
    assert top_step(question) == top


@pytest.mark.parametrize(("choice", "step"), [(11, 1), (12, 2), (13, 3), (14, 4)])
def test_ladder_steps_follow_points(choice, step):
    assert answer_step(LADDER, AnswerSpec(1, frozenset({choice}))) == step


def test_yes_no():
    assert answer_step(YESNO, AnswerSpec(2, frozenset({22}))) == 1
    assert answer_step(YESNO, AnswerSpec(2, frozenset({21}))) == 2


@pytest.mark.parametrize(("ticked", "step"), [(set(), 1), ({33}, 1), ({31}, 2), ({31, 33, 34}, 3), ({31, 32, 34}, 4)])
def test_multiple_counts_ticked_scoring_choices(ticked, step):
    assert answer_step(MULTIPLE, AnswerSpec(3, frozenset(ticked))) == step


@pytest.mark.parametrize(("value", "step"), [(0, 1), (10, 2), (49.9, 2), (50, 3), (1e6, 3)])
def test_numeric_bands(value, step):
    assert answer_step(NUMERIC, AnswerSpec(4, value=value)) == step


def test_no_answer_and_not_applicable_have_no_step():
    assert answer_step(LADDER, None) is None
    assert answer_step(LADDER, AnswerSpec(1, not_applicable=True)) is None
    assert answer_step(NUMERIC, AnswerSpec(4)) is None
    gap = QuestionSpec(id=5, theme="EAU", kind="numeric", weight=1, bands=(BandSpec(0, 10, 0),))
    assert answer_step(gap, AnswerSpec(5, value=20)) is None
