"""Territory staff's library of workshop formats: the list, a format's page, copy a format into a local
one and adapt it (fields, steps), hide; and an event's printable running order with clock times.

Staff only (tenants.permissions.staff_required: a 404 for anyone else); each territory's formats live
in its own schema. Views stay thin: they fetch, validate forms and call events/format_services.py.
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tenants.permissions import staff_required
from toolbox.enums import Origin
from toolbox.models import Action

from . import format_services
from .enums import WorkshopPhase
from .format_forms import AdjustDurationForm, FormatForm, StepFormSet
from .format_services import WorkshopFormatError
from .models import Event, FormatStep, WorkshopFormat
from .running_order import running_order

# ---- doors: staff only (the decorator), one per object --------------------------------------------


def get_format_for_staff(pk):
    return get_object_or_404(WorkshopFormat.objects.select_related("copied_from"), pk=pk)


def get_local_format_for_staff(pk):
    """A format staff may edit: their own. A national one is copied first, never edited (404)."""
    return get_object_or_404(WorkshopFormat.objects.select_related("copied_from"), pk=pk, origin=Origin.LOCAL)


def get_event_for_staff(pk):
    return get_object_or_404(Event.objects.select_related("format"), pk=pk)


def _format_url(workshop_format, page="formats:detail"):
    return reverse(page, args=[workshop_format.pk])


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---- the library ---------------------------------------------------------------------------------


@staff_required
@require_safe
def format_list(request):
    formats = (
        WorkshopFormat.objects.select_related("copied_from")
        .annotate(event_count=Count("events"))
        .order_by("hidden", "name")
    )
    groups = {phase: [] for phase in WorkshopPhase.values}
    for workshop_format in formats:
        groups[workshop_format.phase].append(workshop_format)
    return render(
        request,
        "events/formats/list.html",
        {
            "page_title": _("Déroulés d'ateliers"),
            "groups": [(label, groups[value]) for value, label in WorkshopPhase.choices],
            "count": sum(len(group) for group in groups.values()),
        },
    )


@staff_required
@require_safe
def format_detail(request, pk):
    workshop_format = get_format_for_staff(pk)
    steps = list(workshop_format.steps.all())
    order = [(step, elapsed) for step, elapsed in zip(steps, _elapsed(steps), strict=True)]
    return render(
        request,
        "events/formats/detail.html",
        {
            "page_title": workshop_format.name,
            "format": workshop_format,
            "steps": order,
            "steps_total": sum(step.minutes for step in steps),
            "materials": _lines(workshop_format.materials),
            "roles": _lines(workshop_format.facilitator_roles),
            "actions": workshop_format.actions.order_by("code").only("code", "title", "hidden"),
            "copies": workshop_format.copies.order_by("name").only("pk", "name", "copied_from_id"),
            "events": workshop_format.events.order_by("-starts_at").only("pk", "title", "starts_at", "status")[:10],
        },
    )


def _elapsed(steps):
    elapsed = 0
    for step in steps:
        yield elapsed
        elapsed += step.minutes


@staff_required
@require_POST
def format_copy(request, pk):
    source = get_format_for_staff(pk)
    copy = format_services.copy_format(source)
    messages.success(
        request,
        _("« %(name)s » est copié : adaptez votre copie, le déroulé d'origine reste tel quel.") % {"name": source.name},
    )
    return redirect(_format_url(copy, "formats:edit"))


@staff_required
@require_POST
def format_visibility(request, pk):
    workshop_format = get_format_for_staff(pk)
    hidden = request.POST.get("hidden") == "1"
    format_services.set_format_hidden(workshop_format, hidden)
    if hidden:
        message = _("« %(name)s » est masqué : il n'est plus proposé pour les nouveaux événements.")
    else:
        message = _("« %(name)s » est de nouveau proposé.")
    messages.success(request, message % {"name": workshop_format.name})
    if request.POST.get("next") == "detail":
        return redirect(_format_url(workshop_format))
    return redirect(reverse("formats:list") + f"#deroule-{workshop_format.pk}")


# ---- adapting a local format ---------------------------------------------------------------------


@staff_required
def format_edit(request, pk):
    workshop_format = get_local_format_for_staff(pk)
    total = sum(workshop_format.steps.values_list("minutes", flat=True))
    form = FormatForm(request.POST or None, instance=workshop_format, steps_total=total)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in FormatForm.Meta.fields}
        try:
            format_services.update_format(workshop_format, values, actions=form.cleaned_data["actions"])
        except WorkshopFormatError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Le déroulé est enregistré."))
            return redirect(_format_url(workshop_format))
    return render(
        request,
        "events/formats/edit.html",
        {"page_title": workshop_format.name, "format": workshop_format, "form": form, "steps_total": total},
    )


@staff_required
def format_steps(request, pk):
    workshop_format = get_local_format_for_staff(pk)
    steps = list(workshop_format.steps.all())
    initial = [
        {"title": step.title, "minutes": step.minutes, "instructions": step.instructions, "ORDER": index}
        for index, step in enumerate(steps, start=1)
    ]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="etapes")
    adjust = AdjustDurationForm(request.POST or None, prefix="duree")
    problem = None
    if request.method == "POST" and formset.is_valid() and adjust.is_valid():
        try:
            format_services.replace_steps(
                workshop_format, formset.ordered_steps(), adjust_duration=adjust.cleaned_data["adjust_duration"]
            )
        except WorkshopFormatError as error:
            problem = str(error)
        else:
            messages.success(request, _("Les étapes sont enregistrées."))
            return redirect(_format_url(workshop_format))
    return render(
        request,
        "events/formats/steps.html",
        {
            "page_title": workshop_format.name,
            "format": workshop_format,
            "formset": formset,
            "adjust": adjust,
            "problem": problem,
            "steps_total": sum(step.minutes for step in steps),
        },
    )


# ---- an event's running order --------------------------------------------------------------------


@staff_required
@require_safe
def event_running_order(request, pk):
    event = get_event_for_staff(pk)
    territory = request.tenant
    context = {"page_title": _("Déroulé : %(title)s") % {"title": event.title}, "event": event, "order": None}
    if event.format_id:
        steps = FormatStep.objects.filter(format_id=event.format_id).order_by("order")
        context.update(
            format=event.format,
            order=running_order(event.starts_at, steps, territory.time_zone, planned_end=event.ends_at),
            materials=_lines(event.format.materials),
            roles=_lines(event.format.facilitator_roles),
            actions=_event_actions(event),
        )
    context["time_zone"] = territory.time_zone
    return render(request, "events/formats/running_order.html", context)


def _event_actions(event):
    """The actions worked on: the event's own, else its format's."""
    actions = list(event.actions.order_by("code").only("code", "title"))
    if actions:
        return actions
    return list(Action.objects.filter(workshop_formats=event.format_id).order_by("code").only("code", "title"))
