"""Re-assessing starts from the previous answers: which ones can be copied to the new version.

A year later the referential may have changed. An answer is copied only to the question of the new
version with the same code, the same kind, the same unit and the same choices (their labels, in
order: the choices are new rows, matched by position); otherwise the question is flagged as changed
and left for the participant to answer afresh. Copies are marked « à confirmer » (Answer.to_confirm)
until someone confirms or changes them; submission waits for that (services.submit_assessment).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuestionShape:
    """What an answer depends on: two questions with the same shape take the same answers."""

    kind: str
    unit: str
    allow_not_applicable: bool
    choice_labels: tuple


def shape(question):
    return QuestionShape(
        kind=question.kind,
        unit=question.unit,
        allow_not_applicable=question.allow_not_applicable,
        choice_labels=tuple(choice.label.strip() for choice in question.choice_list),
    )


@dataclass
class CarryOver:
    copies: list = field(default_factory=list)  # (new question, previous answer, new choice ids)
    changed: list = field(default_factory=list)  # codes of answered questions whose shape changed
    dropped: list = field(default_factory=list)  # codes no longer asked (removed, or not for this organisation)


def plan_carry_over(previous_questions, previous_answers, new_questions):
    """Pure: which previous answers go where.

    previous_questions: question id → question of the previous version (with .choice_list);
    previous_answers: the previous assessment's answered answers;
    new_questions: code → question of the new version that applies to the organisation.
    """
    plan = CarryOver()
    for answer in sorted(previous_answers, key=lambda a: previous_questions[a.question_id].code):
        old = previous_questions[answer.question_id]
        new = new_questions.get(old.code)
        if new is None:
            plan.dropped.append(old.code)
            continue
        old_shape, new_shape = shape(old), shape(new)
        if old_shape.kind != new_shape.kind or old_shape.unit != new_shape.unit:
            plan.changed.append(old.code)
            continue
        if answer.choice_ids and old_shape.choice_labels != new_shape.choice_labels:
            plan.changed.append(old.code)
            continue
        if answer.not_applicable and not new_shape.allow_not_applicable:
            plan.changed.append(old.code)
            continue
        position = {choice.pk: index for index, choice in enumerate(old.choice_list)}
        new_ids = [new.choice_list[position[pk]].pk for pk in answer.choice_ids if pk in position]
        plan.copies.append((new, answer, sorted(new_ids)))
    return plan
