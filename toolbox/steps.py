"""Where an answer stands on its question's ladder, in steps counted from 1 (the lowest).

One rule for the toolbox's `up_to_step` (docs/toolbox-format.md), its validation (loader, editor)
and the recommendations (toolbox/recommend.py). Pure: scoring specs in, integers out.

- ladder, yes/no, numeric: the distinct points values of the choices (or bands), ascending; the
  answer's step is the rank of its points among them;
- multiple choice: 1 + the number of ticked choices that carry points (nothing ticked = step 1).
"""

from referentiel.scoring import MULTIPLE, NUMERIC, AnswerSpec, QuestionSpec


def _points_ladder(question: QuestionSpec):
    values = question.bands if question.kind == NUMERIC else question.choices
    return sorted({item.points for item in values})


def top_step(question: QuestionSpec) -> int:
    """The highest step an answer to `question` can reach (1 for a question that scores nothing)."""
    if question.kind == MULTIPLE:
        return 1 + sum(1 for choice in question.choices if choice.points > 0)
    return max(1, len(_points_ladder(question)))


def recommends_up_to(step, top) -> bool:
    """Whether an action may be recommended for answers up to `step` on a ladder of `top` steps: from 1
    to the step below the top (an answer at the top of its ladder never calls for an action)."""
    return isinstance(step, int) and not isinstance(step, bool) and 1 <= step < top


def answer_step(question: QuestionSpec, answer: AnswerSpec | None) -> int | None:
    """The step of `answer`, or None when it says nothing about practice (no answer, « non concerné »,
    a numeric value outside every band)."""
    if answer is None or answer.not_applicable:
        return None
    if question.kind == MULTIPLE:
        scoring = {choice.id for choice in question.choices if choice.points > 0}
        return 1 + len(scoring & answer.choice_ids)
    ladder = _points_ladder(question)
    if question.kind == NUMERIC:
        if answer.value is None:
            return None
        band = next((band for band in question.bands if band.contains(answer.value)), None)
        return None if band is None else ladder.index(band.points) + 1
    chosen = [choice for choice in question.choices if choice.id in answer.choice_ids]
    if not chosen:
        return None
    return ladder.index(chosen[0].points) + 1
