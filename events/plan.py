"""« De l'atelier au plan »: after an event, a participant adds the toolbox actions it worked on (its
own, and its workshop format's) to their organisation's plan in one go, through the toolbox's service."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from toolbox.models import Action
from toolbox.plan import AlreadyInPlan, add_action_to_plan

from .enums import RegistrationStatus
from .feedback import attended
from .models import Registration


class EventPlanError(Exception):
    pass


@dataclass(frozen=True)
class Added:
    added: list
    already: list


def event_actions(event):
    """The visible actions the event works on, its format's included, in the toolbox's order."""
    worked_on = Action.objects.filter(events=event)
    if event.format_id:
        worked_on = worked_on | Action.objects.filter(workshop_formats=event.format_id)
    return list(
        Action.objects.filter(pk__in=worked_on.values("pk"), hidden=False)
        .only("pk", "code", "title", "promise", "main_theme", "hidden")
        .order_by("order", "code")
    )


def attended_registrations(event, user):
    """The user's registrations at the event that count as attended (one per organisation at most)."""
    registrations = Registration.objects.filter(
        event=event, user=user, status=RegistrationStatus.CONFIRMED
    ).select_related("event", "organisation")
    return [registration for registration in registrations if attended(registration)]


@transaction.atomic
def add_event_actions_to_plan(event, organisation, user):
    """Every action of the event not yet in the organisation's plan goes in; those already there stay."""
    if not any(r.organisation_id == organisation.pk for r in attended_registrations(event, user)):
        raise EventPlanError(_("Ces actions s'ajoutent au plan après avoir participé à l'événement."))
    actions = event_actions(event)
    if not actions:
        raise EventPlanError(_("Cet événement ne propose pas d'action de la boîte à outils."))
    added, already = [], []
    for action in actions:
        try:
            add_action_to_plan(organisation, action, user)
        except AlreadyInPlan:
            already.append(action)
        else:
            added.append(action)
    return Added(added, already)
