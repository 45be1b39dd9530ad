"""{% assessment_panel organisation %}: the organisation's assessment in progress and latest result."""

from django import template
from django.db.models import OuterRef, Q, Subquery

from ..enums import AssessmentStatus
from ..models import ANSWERED, Answer, Assessment
from ..structure import structure_for

register = template.Library()


@register.inclusion_tag("referentiel/includes/assessment_panel.html")
def assessment_panel(organisation):
    """Two queries at most: both assessments in one, the answered questions of the one in progress.

    The referential's structure comes from the in-process cache (structure_for).
    """
    latest_submitted = (
        Assessment.objects.filter(organisation=OuterRef("organisation"), status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    assessments = (
        Assessment.objects.filter(organisation=organisation)
        .filter(Q(status=AssessmentStatus.IN_PROGRESS) | Q(pk=Subquery(latest_submitted)))
        .select_related("version")
    )
    in_progress = submitted = None
    for assessment in assessments:
        if assessment.status == AssessmentStatus.IN_PROGRESS:
            in_progress = assessment
        else:
            submitted = assessment

    context = {"organisation": organisation, "in_progress": in_progress, "submitted": submitted}
    if in_progress is not None:
        applicable = [
            question.pk
            for _theme, questions in structure_for(in_progress.version).themes_for(organisation)
            for question in questions
        ]
        answered = Answer.objects.filter(ANSWERED, assessment=in_progress, question_id__in=applicable).count()
        context.update(answered=answered, total=len(applicable))
    if submitted is not None:
        context["level_name"] = structure_for(submitted.version).level_name(submitted.level_rank)
    return context
