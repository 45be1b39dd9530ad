"""Writes of an organisation's action plan: every change goes through these services.

Each function is one transaction and raises PlanError (a French message for the person) when it
refuses; a refused call changes nothing. Views fetch the objects through toolbox/access.py first,
so these functions trust that the user is a member of the organisation they act on.
"""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from organisations.models import Organisation

from .models import PlanItem, PlanStep


class PlanError(Exception):
    """A refused change of a plan, with the French message to show."""


class AlreadyInPlan(PlanError):
    def __init__(self):
        super().__init__(_("Cette action est déjà dans votre plan d'actions."))


@transaction.atomic
def add_action_to_plan(organisation, action, user):
    """A new plan item from a toolbox action: its title, main theme and steps copied.

    Only the unique constraint `action_once_per_plan` decides whether the action is already in the
    plan: two colleagues adding it at the same moment both reach the insert, the second waits for
    the first's commit and gets the IntegrityError, which becomes the « déjà dans votre plan » message.
    """
    if action.hidden:
        raise PlanError(_("Cette action n'est plus proposée par le territoire : elle ne peut pas être ajoutée."))
    try:
        with transaction.atomic():
            item = PlanItem.objects.create(
                organisation=organisation,
                action=action,
                title=action.title,
                description=action.promise,
                theme=action.main_theme,
                created_by=user,
            )
    except IntegrityError as error:
        raise AlreadyInPlan from error
    PlanStep.objects.bulk_create(
        PlanStep(item=item, order=step.order, text=step.text, url=step.url) for step in action.steps.all()
    )
    return item


def plan_organisations(user):
    """The user's organisations, each with `planned_action_ids`: what the add-to-plan buttons need.

    One query for a whole page of actions (templates/toolbox/includes/add_to_plan.html reads it).
    """
    if not user.is_authenticated:
        return []
    organisations = (
        Organisation.objects.filter(memberships__user=user)
        .annotate(planned=ArrayAgg("plan_items__action_id", filter=Q(plan_items__action__isnull=False), default=[]))
        .only("pk", "name")
        .order_by("name", "pk")
    )
    result = list(organisations)
    for organisation in result:
        organisation.planned_action_ids = set(organisation.planned)
    return result
