"""Writes on workshop formats by territory staff: copy a format into a local one, adapt it, hide it.

A national format is never edited in a territory: staff copy it and adapt their copy, so that a new
national edition (events/formats_loader.py) can update the national row without undoing their work.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toolbox.enums import Origin

from .format_rules import CODE_MAX_LENGTH, MIN_DURATION, duration_gap_message
from .models import FormatStep, WorkshopFormat

COPY_SUFFIX = "-local"


class WorkshopFormatError(Exception):
    """A write refused, with its reason in French for the page."""


@dataclass(frozen=True)
class StepInput:
    title: str
    minutes: int
    instructions: str = ""


def _copy_code(source_code):
    """A free code for a copy of `source_code`: « world-cafe-local », then « world-cafe-local-2 »…"""
    base = source_code[: CODE_MAX_LENGTH - len(COPY_SUFFIX) - 3] + COPY_SUFFIX
    taken = set(WorkshopFormat.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def copy_format(source):
    """A local format made from `source` (national or local): same fields, steps and actions, shown."""
    # Two copies of one format at once would pick the same free code: the second waits for the first.
    WorkshopFormat.objects.select_for_update().get(pk=source.pk)
    name = _("%(name)s (copie locale)") % {"name": source.name}
    name_field = WorkshopFormat._meta.get_field("name")
    if len(name) > name_field.max_length:
        name = source.name
    copy = WorkshopFormat.objects.create(
        code=_copy_code(source.code),
        origin=Origin.LOCAL,
        copied_from=source if source.origin == Origin.NATIONAL else source.copied_from,
        name=name,
        objective=source.objective,
        phase=source.phase,
        duration_minutes=source.duration_minutes,
        group_min=source.group_min,
        group_max=source.group_max,
        materials=source.materials,
        facilitator_roles=source.facilitator_roles,
    )
    FormatStep.objects.bulk_create(
        FormatStep(
            format=copy, order=step.order, title=step.title, minutes=step.minutes, instructions=step.instructions
        )
        for step in source.steps.all()
    )
    copy.actions.set(source.actions.all())
    return copy


def _local(workshop_format):
    if workshop_format.origin != Origin.LOCAL:
        raise WorkshopFormatError(_("Un déroulé national ne se modifie pas : copiez-le, puis adaptez la copie."))


@transaction.atomic
def update_format(workshop_format, values, actions=None):
    """Write the fields of a local format. The steps must still fill the duration (it is said how far off)."""
    _local(workshop_format)
    # Locked, so that the steps counted are those a colleague's save of the steps leaves.
    WorkshopFormat.objects.select_for_update().get(pk=workshop_format.pk)
    total = sum(workshop_format.steps.values_list("minutes", flat=True))
    duration = values.get("duration_minutes", workshop_format.duration_minutes)
    if total:
        gap = duration_gap_message(total, duration)
        if gap:
            raise WorkshopFormatError(
                _(
                    "La durée n'est pas enregistrée : %(gap)s Modifiez les étapes, ou cochez sur la page des étapes "
                    "« ajuster la durée du déroulé au total des étapes »."
                )
                % {"gap": gap}
            )
    for name, value in values.items():
        setattr(workshop_format, name, value)
    workshop_format.full_clean()
    workshop_format.save()
    if actions is not None:
        workshop_format.actions.set(actions)
    return workshop_format


@transaction.atomic
def replace_steps(workshop_format, steps, *, adjust_duration=False):
    """The local format's steps become `steps` (StepInput, in order). Their minutes must add up to the
    duration, unless `adjust_duration`: then the duration becomes their total."""
    _local(workshop_format)
    # Two staff saving the steps at once: the second waits, then replaces the first's steps whole.
    WorkshopFormat.objects.select_for_update().get(pk=workshop_format.pk)
    if not steps:
        raise WorkshopFormatError(_("Un déroulé a au moins une étape."))
    total = sum(step.minutes for step in steps)
    if adjust_duration:
        if total < MIN_DURATION:
            raise WorkshopFormatError(
                _("Les étapes durent %(total)s min : un déroulé dure au moins %(minimum)s min.")
                % {"total": total, "minimum": MIN_DURATION}
            )
        workshop_format.duration_minutes = total
        workshop_format.save(update_fields=["duration_minutes", "updated_at"])
    else:
        gap = duration_gap_message(total, workshop_format.duration_minutes)
        if gap:
            raise WorkshopFormatError(
                _(
                    "Les étapes ne sont pas enregistrées : %(gap)s Ajustez les minutes, ou cochez « ajuster la "
                    "durée du déroulé au total des étapes »."
                )
                % {"gap": gap}
            )
    workshop_format.steps.all().delete()
    FormatStep.objects.bulk_create(
        FormatStep(
            format=workshop_format,
            order=order,
            title=step.title.strip(),
            minutes=step.minutes,
            instructions=step.instructions.strip(),
        )
        for order, step in enumerate(steps, start=1)
    )
    return workshop_format


def set_format_hidden(workshop_format, hidden):
    """Hide a format from the choices of new events (events that use it keep it), or show it again."""
    WorkshopFormat.objects.filter(pk=workshop_format.pk).update(hidden=hidden, updated_at=timezone.now())
    workshop_format.hidden = hidden
    return workshop_format
