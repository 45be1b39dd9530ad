"""One door per object of the action plans: members of the organisation only, a 404 for anyone else."""

from django.shortcuts import get_object_or_404

from organisations.access import get_organisation_for_user

from .models import PlanItem, PlanStep


def get_plan_item_for_user(request, org_pk, pk):
    """A plan item of organisation `org_pk`, which the user is a member of; 404 otherwise.

    The organisation comes from the URL too: an item id under another organisation's URL is a 404,
    even for someone who is a member of both.
    """
    organisation = get_organisation_for_user(request, org_pk)
    item = get_object_or_404(
        PlanItem.objects.select_related("action", "owner", "completed_by"), pk=pk, organisation=organisation
    )
    item.organisation = organisation
    return item


def get_plan_step_for_user(request, org_pk, item_pk, pk):
    item = get_plan_item_for_user(request, org_pk, item_pk)
    step = get_object_or_404(PlanStep, pk=pk, item=item)
    step.item = item
    return step
