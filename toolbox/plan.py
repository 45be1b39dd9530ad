"""Writes of an organisation's action plan: every change goes through these services.

Each function is one transaction and raises PlanError (French messages for the person, by field)
when it refuses; a refused call changes nothing. Views fetch the objects through toolbox/access.py
first, so these functions trust that the user is a member of the organisation they act on; they
still check what the person typed (an owner who is a member, dates in order, a known theme).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation
from referentiel.enums import VersionStatus
from referentiel.models import Theme

from .enums import PlanStatus, Priority
from .models import PlanItem, PlanNote, PlanStep

TITLE_MAX = PlanItem._meta.get_field("title").max_length
DESCRIPTION_MAX = PlanItem._meta.get_field("description").max_length
STEP_MAX = PlanStep._meta.get_field("text").max_length
NOTE_MAX = PlanNote._meta.get_field("text").max_length


class PlanError(Exception):
    """A refused change of a plan: `errors` maps a field name (or None, the whole form) to its message."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {None: message}


class AlreadyInPlan(PlanError):
    def __init__(self):
        super().__init__(_("Cette action est déjà dans votre plan d'actions."))


@dataclass(frozen=True)
class ItemFields:
    """What a person sets on a plan item (the page's form, cleaned)."""

    title: str
    description: str = ""
    theme: str = ""
    status: str = PlanStatus.TODO
    priority: str = Priority.NORMAL
    owner: object = None  # a User, member of the organisation, or None
    start_date: date | None = None
    target_date: date | None = None


def published_themes():
    """(code, title) of the published referential's themes, in its order: the themes a plan item may take."""
    return list(
        Theme.objects.filter(version__status=VersionStatus.PUBLISHED)
        .order_by("order", "pk")
        .values_list("code", "title")
    )


def member_ids(organisation):
    return set(Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True))


def _problems(organisation, fields, themes):
    """Every problem of `fields` at once, by field: the form shows them all."""
    problems = {}
    title = fields.title.strip()
    if not title:
        problems["title"] = _("Donnez un intitulé à l'action.")
    elif len(title) > TITLE_MAX or "".join(title.splitlines()) != title:
        problems["title"] = _("L'intitulé tient sur une ligne de %(max)d caractères au plus.") % {"max": TITLE_MAX}
    if len(fields.description) > DESCRIPTION_MAX:
        problems["description"] = _("La description compte %(max)d caractères au plus.") % {"max": DESCRIPTION_MAX}
    if fields.theme not in themes:
        problems["theme"] = _("Choisissez un des thèmes du référentiel.")
    if fields.status not in PlanStatus.values:
        problems["status"] = _("Choisissez un statut de la liste.")
    if fields.priority not in Priority.values:
        problems["priority"] = _("Choisissez une priorité de la liste.")
    if fields.owner is not None and fields.owner.pk not in member_ids(organisation):
        problems["owner"] = _("Le ou la responsable doit être membre de l'organisation.")
    if fields.start_date and fields.target_date and fields.target_date < fields.start_date:
        problems["target_date"] = _("L'échéance ne peut pas précéder la date de début (%(start)s).") % {
            "start": fields.start_date.strftime("%d/%m/%Y")
        }
    return problems


def _refuse_if(problems):
    if problems:
        raise PlanError(" ".join(problems.values()), problems)


def _apply(item, fields, user, now):
    """Set the fields; completing records when and who, re-opening clears them."""
    if fields.status == PlanStatus.DONE and item.status != PlanStatus.DONE:
        item.completed_at, item.completed_by = now, user
    elif fields.status != PlanStatus.DONE:
        item.completed_at, item.completed_by = None, None
    item.title = fields.title.strip()
    item.description = fields.description
    item.theme = fields.theme
    item.status = fields.status
    item.priority = fields.priority
    item.owner = fields.owner
    item.start_date = fields.start_date
    item.target_date = fields.target_date


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


@transaction.atomic
def create_plan_item(organisation, user, fields):
    """An action the organisation writes itself (no toolbox action), on a theme of the referential."""
    _refuse_if(_problems(organisation, fields, {code for code, _title in published_themes()}))
    item = PlanItem(organisation=organisation, created_by=user)
    _apply(item, fields, user, timezone.now())
    item.save()
    return item


@transaction.atomic
def update_plan_item(item, user, fields):
    """Change an item. The row is locked first, so that two colleagues completing it at once record
    one completion (the first), and a re-opening is never undone by a late write of the old state."""
    locked = PlanItem.objects.select_for_update().get(pk=item.pk)
    # The item keeps its theme even when the published referential no longer has it.
    themes = {code for code, _title in published_themes()} | {locked.theme}
    _refuse_if(_problems(item.organisation, fields, themes))
    _apply(locked, fields, user, timezone.now())
    locked.save()
    return locked


@transaction.atomic
def set_step_done(step, user, done):
    """Tick or untick a step. Ticking a step already ticked keeps its first date and author."""
    steps = PlanStep.objects.filter(pk=step.pk)
    if done:
        steps.filter(done_at__isnull=True).update(done_at=timezone.now(), done_by=user)
    else:
        steps.update(done_at=None, done_by=None)
    PlanItem.objects.filter(pk=step.item_id).update(updated_at=timezone.now())
    step.refresh_from_db(fields=["done_at", "done_by"])
    return step


@transaction.atomic
def add_plan_step(item, text, url=""):
    text = text.strip()
    if not text:
        raise PlanError(_("Décrivez l'étape."), {"text": _("Décrivez l'étape.")})
    if len(text) > STEP_MAX:
        message = _("Une étape compte %(max)d caractères au plus.") % {"max": STEP_MAX}
        raise PlanError(message, {"text": message})
    last = item.steps.order_by("-order").values_list("order", flat=True).first()
    return PlanStep.objects.create(item=item, text=text, url=url, order=(last or 0) + 1)


@transaction.atomic
def add_plan_note(item, user, text):
    """A dated note by its author (the date is the server's, never typed)."""
    text = text.strip()
    if not text:
        raise PlanError(_("La note est vide."), {"text": _("La note est vide.")})
    if len(text) > NOTE_MAX:
        message = _("Une note compte %(max)d caractères au plus.") % {"max": NOTE_MAX}
        raise PlanError(message, {"text": message})
    return PlanNote.objects.create(item=item, author=user, text=text)


@transaction.atomic
def delete_plan_item(item):
    """The item, its steps and notes. A toolbox action removed from the plan may be added again."""
    PlanItem.objects.filter(pk=item.pk).delete()


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
