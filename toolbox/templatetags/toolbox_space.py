"""{% organisation_next_steps organisation %}: on the organisation's space, its open plan items
(overdue first) and the actions recommended by its latest submitted assessment."""

from django import template
from django.utils import timezone

from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment
from referentiel.results import stored_result, strength_and_priority_codes
from referentiel.structure import structure_of

from ..models import PlanItem
from ..recommendations import plan_choices, recommendations_for

register = template.Library()


def _next_steps(items, today):
    """Open items, overdue first, then by target date (none last)."""
    open_items = [item for item in items if item.is_open]
    for item in open_items:
        item.overdue = item.is_overdue(today)
    return sorted(
        open_items,
        key=lambda item: (not item.overdue, item.target_date is None, item.target_date or today, item.pk),
    )


@register.inclusion_tag("toolbox/includes/next_steps.html", takes_context=True)
def organisation_next_steps(context, organisation):
    """Five queries at most: the plan, the latest submitted assessment, its answers, the candidate actions
    (unless their ranking is cached), the recommended ones.

    The referential's structure comes from the in-process cache.
    """
    items = list(
        PlanItem.objects.filter(organisation=organisation).only(
            "pk", "title", "status", "target_date", "theme", "action_id"
        )
    )
    latest = (
        Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    recommendations = []
    if latest is not None:
        latest.organisation = organisation
        structure = structure_of(latest)
        _strengths, priorities = strength_and_priority_codes(structure, stored_result(latest))
        if priorities:
            answers = list(Answer.objects.filter(assessment_id=latest.pk))
            recommendations = recommendations_for(latest, structure, answers, priorities)
    return {
        "request": context["request"],
        "organisation": organisation,
        "plan_organisations": plan_choices(organisation),
        "next_steps": _next_steps(items, timezone.localdate()),
        "recommendations": recommendations,
        "latest": latest,
    }
