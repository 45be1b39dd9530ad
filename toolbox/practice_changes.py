"""Closing the loop between the action plan and the next assessment.

An organisation that completed toolbox actions (plan item « réalisée ») since its last submitted
assessment is asked, beside each question those actions answer, whether its practice changed; its
next results show how the answers to those questions moved. Questions are matched by code, which
stays the same from one referential version to the next.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Subquery

from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment
from referentiel.results import describe_answer
from referentiel.structure import structure_of

from .enums import PlanStatus
from .models import ActionQuestion


def _titles_by_question(links):
    titles = defaultdict(list)
    for code, title in links.order_by("question_code", "action__plan_items__completed_at", "action__code"):
        if title not in titles[code]:
            titles[code].append(title)
    return dict(titles)


def _completed_links(organisation):
    return ActionQuestion.objects.filter(
        action__plan_items__organisation=organisation,
        action__plan_items__status=PlanStatus.DONE,
    )


def completed_since_last_assessment(organisation):
    """Question code → titles of the plan's actions completed since the last submitted assessment.

    One query; empty before a first assessment is submitted.
    """
    last_submitted = (
        Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    links = _completed_links(organisation).filter(action__plan_items__completed_at__gt=Subquery(last_submitted))
    return _titles_by_question(links.values_list("question_code", "action__plan_items__title"))


@dataclass
class PracticeChange:
    question: object  # of the current assessment's version
    actions: list  # titles of the completed actions
    before: list  # the previous answer, as describe_answer words it
    after: list


def practice_changes(assessment, previous, structure, answers):
    """How the answers moved on the questions of the actions completed between two assessments.

    ``previous``: the organisation's assessment submitted before this one (or None); ``answers``:
    this assessment's Answer rows. Two queries when there is something to show, one otherwise.
    """
    if previous is None or assessment.submitted_at is None:
        return []
    links = _completed_links(assessment.organisation).filter(
        action__plan_items__completed_at__gt=previous.submitted_at,
        action__plan_items__completed_at__lte=assessment.submitted_at,
    )
    titles = _titles_by_question(links.values_list("question_code", "action__plan_items__title"))
    if not titles:
        return []
    before_structure = structure_of(previous)
    before_questions = {q.code: q for q in before_structure.questions.values() if q.code in titles}
    before_answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(
            assessment_id=previous.pk, question_id__in=[q.pk for q in before_questions.values()]
        )
    }
    answers_by_question = {answer.question_id: answer for answer in answers}
    changes = []
    for _theme, questions in structure.themes_for(assessment.organisation):
        for question in questions:
            if question.code not in titles:
                continue
            earlier = before_questions.get(question.code)
            changes.append(
                PracticeChange(
                    question=question,
                    actions=titles[question.code],
                    before=describe_answer(earlier, before_answers.get(earlier.pk)) if earlier else [],
                    after=describe_answer(question, answers_by_question.get(question.pk)),
                )
            )
    return changes
