"""One door per object of the toolbox: actions as visitors see them; plan items and steps for the
members of the organisation only; the PCAET for staff.

A 404 for anyone else, never a hint that the object exists.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.access import get_organisation_for_user

from .models import PcaetAction, PlanItem, PlanStep
from .search import visible_actions


def get_visible_action(request, code):
    """The action a visitor may read: any visible action of this territory, by code; 404 for a
    hidden one (staff took it out of the offer) or an unknown code. The schema is the territory's,
    so another territory's action of the same code is never reached."""
    return get_object_or_404(visible_actions(), code=code)


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


def get_pcaet_action_for_staff(request, pk):
    """A PCAET action of this territory (its schema) for its staff; 404 for anyone else."""
    if not request.user.is_authenticated or not request.user.is_territory_staff:
        raise Http404
    return get_object_or_404(PcaetAction, pk=pk)
