"""{% assessment_panel organisation %}: the organisation's assessment in progress and latest result."""

from django import template
from django.db.models import OuterRef, Q, Subquery

from ..duration import duration_text, minutes_for
from ..enums import AssessmentStatus, VersionStatus
from ..models import ANSWERED, Answer, Assessment, ReferentialVersion
from ..structure import structure_for

register = template.Library()


@register.inclusion_tag("referentiel/includes/assessment_panel.html")
def assessment_panel(organisation):
    """Two queries at most: both assessments in one, then the answered questions of the one in progress,
    or the published version (for the estimated duration) when none is.

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
    if in_progress is None:
        # Before starting: how long it takes, for this organisation's questions (one query, the published version).
        published = ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
        if published is not None:
            questions = [q for _theme, qs in structure_for(published).themes_for(organisation) for q in qs]
            context["duration"] = duration_text(minutes_for(questions))
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
