"""Territory staff adapt their toolbox: actions (with steps, question links, prerequisites, partners,
schemes), partners and schemes.

Every write locks the action's row, checks everything first and raises ToolboxError (a French
message shown as is) before anything is written, so a refused change leaves the row as it was.
Changes to a national action's national fields are recorded in `adapted_fields` (toolbox/adaptation.py)
so that the next national import keeps them; hiding, ordering, partners and schemes are local and
never count as adaptations.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.naf import SECTIONS

from . import adaptation
from .constants import ACTION_ROW_FIELDS, NATIONAL_ACTION_FIELDS
from .enums import Origin
from .models import Action, ActionQuestion, ActionStep, Partner, Scheme
from .naf_targets import divisions
from .referential_links import published_referential, question_link_problem

UP, DOWN = "up", "down"

# What the main form of an action edits: the national fields kept on the row itself.
PARTNER_FIELDS = ("name", "role", "contact", "website")
SCHEME_FIELDS = ("name", "provider", "kind", "url", "conditions", "valid_until", "source_url", "checked_on")


class ToolboxError(Exception):
    """A refused change; its French message is shown to staff as is."""


# ---- helpers -------------------------------------------------------------------------------------


def _locked_action(action):
    try:
        return Action.objects.select_for_update().get(pk=action.pk)
    except Action.DoesNotExist:
        raise ToolboxError(_("Cette action n'existe plus.")) from None


def _assign(instance, fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _full_clean(instance, exclude=()):
    """Model checks (lengths, choices, URLs, bounds) as one French error naming each field."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        parts = []
        for name, messages in error.message_dict.items():
            if name == "__all__":
                parts += messages
                continue
            label = instance._meta.get_field(name).verbose_name
            parts += [f"« {label} » : {message}" for message in messages]
        raise ToolboxError(" ".join(parts)) from error


def _check_action(action):
    if action.co2_tonnes_per_year is not None and not action.co2_source:
        raise ToolboxError(_("Un gain estimé en CO2 s'accompagne de sa source."))
    unknown = [code for code in action.naf_codes if code not in SECTIONS and code not in divisions()]
    if unknown:
        raise ToolboxError(_("Code NAF inconnu : %(codes)s.") % {"codes": ", ".join(unknown)})
    if action.main_theme in action.themes:
        action.themes = [code for code in action.themes if code != action.main_theme]
    _full_clean(action, exclude=("code",))


def _save_adapted(action, changed, update_fields=()):
    action.adapted_fields = adaptation.adapted_after_change(action, changed)
    fields = [*update_fields, "adapted_fields", "updated_at"]
    action.save(update_fields=fields)
    return action


def _unique_code(model, base, max_length):
    """`base`, or `base-2`, `base-3`... the first that no row of `model` uses."""
    base = base[:max_length].rstrip("-") or "x"
    taken = set(model.objects.filter(code__startswith=base[: max_length - 4]).values_list("code", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate


def code_from_name(model, name):
    """A local partner's or scheme's code: the name in lower-case letters, digits and dashes, unique."""
    max_length = model._meta.get_field("code").max_length
    return _unique_code(model, re.sub(r"[^a-z0-9]+", "-", slugify(name)).strip("-"), max_length)


def _local_action_code(main_theme):
    """<THEME>-L<nn>: beside the national <THEME>-A<nn>, a local action says so in its code."""
    prefix = f"{re.sub(r'[^A-Z0-9]', '', main_theme.upper()) or 'LOC'}-L"
    numbers = [
        int(code[len(prefix) :])
        for code in Action.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


# ---- actions -------------------------------------------------------------------------------------


def _check_links(links, referential):
    if not links:
        raise ToolboxError(_("Une action répond à au moins une question du référentiel."))
    codes = [code for code, _step in links]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ToolboxError(_("La question %(code)s est liée deux fois.") % {"code": duplicates[0]})
    for code, step in links:
        problem = question_link_problem(referential, code, step)
        if problem:
            raise ToolboxError(problem)


@transaction.atomic
def create_action(*, question_links, referential=None, **fields):
    """A local action, last of the list, with a code of its own and its question links (one at least)."""
    action = Action(origin=Origin.LOCAL)
    _assign(action, fields, ACTION_ROW_FIELDS)
    _check_action(action)
    _check_links(question_links, referential or published_referential())
    action.code = _local_action_code(action.main_theme)
    action.order = (Action.objects.aggregate(last=Max("order"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError as error:
        raise ToolboxError(_("Une autre action vient d'être créée en même temps : enregistrez à nouveau.")) from error
    ActionQuestion.objects.bulk_create(
        ActionQuestion(action=action, question_code=code, up_to_step=step) for code, step in question_links
    )
    return action


@transaction.atomic
def update_action(action, **fields):
    """The main fields; on a national action, each changed one is recorded as adapted."""
    action = _locked_action(action)
    before = {name: adaptation.current_value(action, name) for name in fields}
    _assign(action, fields, ACTION_ROW_FIELDS)
    _check_action(action)
    changed = [name for name in fields if adaptation.current_value(action, name) != before[name]]
    return _save_adapted(action, changed, update_fields=ACTION_ROW_FIELDS)


@transaction.atomic
def update_steps(action, steps):
    """Replace the steps by `steps`, a list of (text, url) in order."""
    action = _locked_action(action)
    before = adaptation.current_value(action, "steps")
    rows = [
        ActionStep(action=action, order=order, text=text.strip(), url=url.strip())
        for order, (text, url) in enumerate(steps)
    ]
    for row in rows:
        if not row.text:
            raise ToolboxError(_("Chaque étape a un texte."))
        _full_clean(row, exclude=("action",))
    action.steps.all().delete()
    ActionStep.objects.bulk_create(rows)
    changed = ["steps"] if adaptation.current_value(action, "steps") != before else []
    return _save_adapted(action, changed)


@transaction.atomic
def update_questions(action, links, referential=None):
    """Replace the question links by `links`, a list of (question code, up_to_step)."""
    action = _locked_action(action)
    _check_links(links, referential or published_referential())
    before = adaptation.current_value(action, "questions")
    action.question_links.all().delete()
    ActionQuestion.objects.bulk_create(ActionQuestion(action=action, question_code=c, up_to_step=s) for c, s in links)
    changed = ["questions"] if adaptation.current_value(action, "questions") != before else []
    return _save_adapted(action, changed)


def _requires(start, target_pk):
    """True when `start` needs (directly or through its own prerequisites) the action `target_pk`."""
    seen, frontier = set(), {start.pk}
    while frontier:
        if target_pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Action.prerequisites.through.objects.filter(from_action_id__in=frontier).values_list(
                    "to_action_id", flat=True
                )
            )
            - seen
        )
    return False


@transaction.atomic
def update_links(action, *, prerequisites, partners, schemes):
    """Prerequisites (a national field), partners and schemes (local)."""
    action = _locked_action(action)
    prerequisites = list(prerequisites)
    for other in prerequisites:
        if other.pk == action.pk:
            raise ToolboxError(_("Une action ne peut pas être son propre prérequis."))
        if _requires(other, action.pk):
            raise ToolboxError(
                _("%(code)s a déjà cette action pour prérequis (directement ou non) : ce serait un cercle.")
                % {"code": other.code}
            )
    before = adaptation.current_value(action, "prerequisites")
    action.prerequisites.set(prerequisites)
    action.partners.set(partners)
    action.schemes.set(schemes)
    changed = ["prerequisites"] if adaptation.current_value(action, "prerequisites") != before else []
    return _save_adapted(action, changed)


@transaction.atomic
def revert_field(action, name):
    """Back to the national version of one field: its value from national_data, no longer adapted."""
    action = _locked_action(action)
    if action.origin != Origin.NATIONAL or name not in NATIONAL_ACTION_FIELDS:
        raise ToolboxError(_("Seul un champ national d'une action nationale peut revenir à la version nationale."))
    if not adaptation.has_national_value(action, name):
        raise ToolboxError(
            _("La version nationale de ce champ n'est pas connue : importez la boîte à outils nationale.")
        )
    value = adaptation.national_value(action, name)
    if name == "steps":
        action.steps.all().delete()
        ActionStep.objects.bulk_create(
            ActionStep(action=action, order=order, text=step["text"], url=step["url"])
            for order, step in enumerate(value)
        )
    elif name == "questions":
        action.question_links.all().delete()
        ActionQuestion.objects.bulk_create(
            ActionQuestion(action=action, question_code=link["code"], up_to_step=link["up_to_step"]) for link in value
        )
    elif name == "prerequisites":
        action.prerequisites.set(Action.objects.filter(code__in=value).exclude(pk=action.pk))
    else:
        setattr(action, name, value)
        _full_clean(action, exclude=("code",))
    action.adapted_fields = [field for field in action.adapted_fields if field != name]
    action.save()
    return action


@transaction.atomic
def set_hidden(action, hidden):
    """A hidden action leaves the participants' toolbox; the plans that hold it keep it."""
    action = _locked_action(action)
    action.hidden = bool(hidden)
    action.save(update_fields=["hidden", "updated_at"])
    return action


@transaction.atomic
def move_action(action, direction):
    """Swap the action with its neighbour among the actions of its main theme; orders renumbered."""
    if direction not in (UP, DOWN):
        raise ToolboxError(_("Sens de déplacement inconnu."))
    action = _locked_action(action)
    siblings = list(Action.objects.select_for_update().filter(main_theme=action.main_theme).order_by("order", "code"))
    index = next(i for i, item in enumerate(siblings) if item.pk == action.pk)
    target = index - 1 if direction == UP else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    changed = []
    for order, item in enumerate(siblings):
        if item.order != order:
            item.order = order
            changed.append(item)
    Action.objects.bulk_update(changed, ["order"])
    return action


# ---- partners and schemes ------------------------------------------------------------------------


def _save_with_code(instance):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ToolboxError(_("Ce code vient d'être pris par ailleurs : enregistrez à nouveau.")) from error
    return instance


@transaction.atomic
def create_partner(**fields):
    partner = Partner(origin=Origin.LOCAL)
    _assign(partner, fields, PARTNER_FIELDS)
    partner.code = code_from_name(Partner, partner.name)
    _full_clean(partner)
    return _save_with_code(partner)


@transaction.atomic
def update_partner(partner, **fields):
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _assign(partner, fields, PARTNER_FIELDS)
    _full_clean(partner)
    partner.save()
    return partner


@transaction.atomic
def delete_partner(partner):
    """Refused while actions name the partner: staff detach it first, knowingly."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    count = partner.actions.count()
    if count:
        raise ToolboxError(
            ngettext(
                "Ce partenaire est rattaché à %(count)s action : retirez-le d'abord de cette action.",
                "Ce partenaire est rattaché à %(count)s actions : retirez-le d'abord de ces actions.",
                count,
            )
            % {"count": count}
        )
    partner.delete()


@transaction.atomic
def create_scheme(**fields):
    scheme = Scheme(origin=Origin.LOCAL)
    _assign(scheme, fields, SCHEME_FIELDS)
    scheme.code = code_from_name(Scheme, scheme.name)
    _full_clean(scheme)
    return _save_with_code(scheme)


@transaction.atomic
def update_scheme(scheme, **fields):
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _assign(scheme, fields, SCHEME_FIELDS)
    _full_clean(scheme)
    scheme.save()
    return scheme


@transaction.atomic
def delete_scheme(scheme):
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    count = scheme.actions.count()
    if count:
        raise ToolboxError(
            ngettext(
                "Ce dispositif est rattaché à %(count)s action : retirez-le d'abord de cette action.",
                "Ce dispositif est rattaché à %(count)s actions : retirez-le d'abord de ces actions.",
                count,
            )
            % {"count": count}
        )
    scheme.delete()
