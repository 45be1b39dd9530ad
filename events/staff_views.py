"""Territory staff run their events: list, create and edit, publish, cancel, attendance, exports,
feedback and invitations.

Staff only (tenants.permissions.staff_required: a 404 for anyone else); each territory's events live in
its own schema, so a pk of another territory is a 404 here. Every page runs in the territory's time zone
(`in_territory_zone`): dates are typed and read as the territory lives them, whatever the server's zone.
"""

import copy
from functools import wraps

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from assett.exports import download
from tenants.permissions import staff_required
from toolbox.referential_links import published_referential

from . import editing, exports, figures, invitations
from .editing import EventError
from .enums import Attendance, EventStatus, RegistrationStatus
from .forms_staff import CancelForm, EventForm
from .models import Event, Feedback, Registration


def in_territory_zone(view):
    """Run the view (its forms and its templates) in the territory's time zone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(request.tenant.time_zone):
            return view(request, *args, **kwargs)

    return wrapper


def staff_view(view):
    return staff_required(in_territory_zone(view))


# ---- one door ------------------------------------------------------------------------------------


def get_event_for_staff(pk, *, counts=False):
    events = Event.objects.select_related("format")
    if counts:
        events = events.annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
            waitlisted_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        )
    return get_object_or_404(events, pk=pk)


def _event_url(event, page="events_staff:detail"):
    return reverse(page, args=[event.pk])


# ---- the list ------------------------------------------------------------------------------------

VIEWS = {
    "a-venir": gettext_lazy("À venir"),
    "passes": gettext_lazy("Passés"),
    "brouillons": gettext_lazy("Brouillons"),
    "annules": gettext_lazy("Annulés"),
}


def _listed(view, now):
    events = Event.objects.only(
        "pk", "title", "kind", "starts_at", "ends_at", "status", "capacity", "mode", "cancelled_at"
    ).annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )
    if view == "passes":
        return events.filter(status=EventStatus.PUBLISHED, ends_at__lte=now).order_by("-starts_at", "-pk")
    if view == "brouillons":
        return events.filter(status=EventStatus.DRAFT).order_by("starts_at", "pk")
    if view == "annules":
        return events.filter(status=EventStatus.CANCELLED).order_by("-starts_at", "-pk")
    return events.filter(status=EventStatus.PUBLISHED, ends_at__gt=now).order_by("starts_at", "pk")


@staff_view
@require_safe
def event_list(request):
    view = request.GET.get("vue", "a-venir")
    if view not in VIEWS:
        view = "a-venir"
    events = list(_listed(view, timezone.now()))
    return render(
        request,
        "events/staff/list.html",
        {"page_title": _("Événements"), "events": events, "view": view, "views": VIEWS.items()},
    )


# ---- create, edit ----------------------------------------------------------------------------------


def _form_page(request, event, form):
    return render(
        request,
        "events/staff/form.html",
        {"page_title": event.title if event else _("Nouvel événement"), "event": event, "form": form},
    )


@staff_view
def event_create(request):
    form = EventForm(request.POST or None, themes=published_referential().themes)
    if request.method == "POST" and form.is_valid():
        fields, actions = form.service_fields()
        event = editing.create_event(created_by=request.user, actions=actions, **fields)
        messages.success(request, _("L'événement est créé en brouillon : publiez-le pour ouvrir les inscriptions."))
        return redirect(_event_url(event))
    return _form_page(request, None, form)


@staff_view
def event_edit(request, pk):
    event = get_event_for_staff(pk)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("Cet événement est annulé : il ne peut plus être modifié."))
        return redirect(_event_url(event))
    form = EventForm(request.POST or None, instance=copy.copy(event), themes=published_referential().themes)
    if request.method == "POST" and form.is_valid():
        fields, actions = form.service_fields()
        try:
            told = editing.update_event(event, actions=actions, **fields)
        except EventError as error:
            form.add_error(None, str(error))
        else:
            if told:
                messages.success(
                    request,
                    ngettext(
                        "L'événement est enregistré. La personne inscrite est prévenue du changement.",
                        "L'événement est enregistré. Les %(count)s personnes inscrites sont prévenues du changement.",
                        told,
                    )
                    % {"count": told},
                )
            else:
                messages.success(request, _("L'événement est enregistré."))
            return redirect(_event_url(event))
    return _form_page(request, event, form)


# ---- one event -------------------------------------------------------------------------------------


@staff_view
@require_safe
def event_detail(request, pk):
    event = get_event_for_staff(pk, counts=True)
    referential = published_referential()
    return render(
        request,
        "events/staff/detail.html",
        {
            "page_title": event.title,
            "event": event,
            "theme_titles": [referential.theme_title(code) or code for code in event.themes],
            "actions": list(event.actions.only("pk", "code", "title").order_by("code")),
            "figures": figures.figures_of_event(event),
            "invitation_count": event.invitations.count(),
        },
    )


@staff_view
@require_POST
def event_publish(request, pk):
    event = get_event_for_staff(pk)
    try:
        editing.publish_event(event)
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("L'événement est publié : il paraît dans l'agenda du territoire."))
    return redirect(_event_url(event))


@staff_view
def event_cancel(request, pk):
    event = get_event_for_staff(pk, counts=True)
    if event.status == EventStatus.CANCELLED:
        messages.info(request, _("Cet événement est déjà annulé."))
        return redirect(_event_url(event))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = editing.cancel_event(event, form.cleaned_data["message"])
        except EventError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "L'événement est annulé. La personne inscrite ou en attente est prévenue par courriel.",
                    "L'événement est annulé. Les %(count)s personnes inscrites ou en attente sont prévenues par "
                    "courriel.",
                    told,
                )
                % {"count": told}
                if told
                else _("L'événement est annulé. Personne n'était inscrit ni en attente : aucun courriel n'est parti."),
            )
        return redirect(_event_url(event))
    return render(request, "events/staff/cancel.html", {"page_title": event.title, "event": event, "form": form})


# ---- attendance ------------------------------------------------------------------------------------


def _registrants(event):
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .select_related("user", "organisation")
        .only(
            "pk",
            "attendance",
            "created_at",
            "status",
            "user__first_name",
            "user__last_name",
            "user__email",
            "organisation__name",
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


@staff_view
def event_attendance(request, pk):
    """A plain form per person (two big buttons): works on a phone without JavaScript."""
    event = get_event_for_staff(pk)
    if request.method == "POST":
        registration_id = request.POST.get("registration", "")
        try:
            editing.mark_attendance(
                event, int(registration_id) if registration_id.isdigit() else 0, request.POST.get("attendance", "")
            )
        except EventError as error:
            messages.error(request, str(error))
        return redirect(f"{_event_url(event, 'events_staff:attendance')}#inscription-{registration_id}")
    registrations = list(_registrants(event))
    present = sum(1 for registration in registrations if registration.attendance == Attendance.PRESENT)
    absent = sum(1 for registration in registrations if registration.attendance == Attendance.ABSENT)
    return render(
        request,
        "events/staff/attendance.html",
        {
            "page_title": _("Présences – %(title)s") % {"title": event.title},
            "event": event,
            "registrations": registrations,
            "present": present,
            "absent": absent,
            "unmarked": len(registrations) - present - absent,
        },
    )


# ---- exports -----------------------------------------------------------------------------------------


def _export(pk, extension):
    event = get_event_for_staff(pk)
    table = exports.registrants_table(event, timezone.get_current_timezone())
    return download(table, exports.filename(event), extension)


@staff_view
@require_safe
def export_csv(request, pk):
    return _export(pk, "csv")


@staff_view
@require_safe
def export_xlsx(request, pk):
    return _export(pk, "xlsx")


# ---- feedback ----------------------------------------------------------------------------------------


@staff_view
@require_safe
def event_feedback(request, pk):
    event = get_event_for_staff(pk)
    feedbacks = list(
        Feedback.objects.filter(registration__event=event)
        .only("satisfaction", "keep", "change", "created_at")
        .order_by("created_at", "pk")
    )
    summary = figures.feedback_summary([feedback.satisfaction for feedback in feedbacks])
    return render(
        request,
        "events/staff/feedback.html",
        {
            "page_title": _("Avis – %(title)s") % {"title": event.title},
            "event": event,
            "summary": summary,
            "keep": [feedback.keep for feedback in feedbacks if feedback.keep.strip()],
            "change": [feedback.change for feedback in feedbacks if feedback.change.strip()],
        },
    )


# ---- invitations -------------------------------------------------------------------------------------


@staff_view
def event_invitations(request, pk):
    """Who would be invited and why; sending invites those still ticked."""
    event = get_event_for_staff(pk)
    referential = published_referential()
    if request.method == "POST":
        chosen = {int(value) for value in request.POST.getlist("organisations") if value.isdigit()}
        try:
            sent = invitations.send_invitations(event, request.user, chosen, referential)
        except invitations.InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext("%(orgs)s organisation invitée", "%(orgs)s organisations invitées", sent.organisations)
                % {"orgs": sent.organisations}
                + " : "
                + ngettext("%(people)s courriel envoyé.", "%(people)s courriels envoyés.", sent.emails)
                % {"people": sent.emails},
            )
        return redirect(_event_url(event, "events_staff:invitations"))
    preview = invitations.preview_invitations(event, referential)
    return render(
        request,
        "events/staff/invitations.html",
        {
            "page_title": _("Inviter – %(title)s") % {"title": event.title},
            "event": event,
            "preview": preview,
            "theme_titles": [referential.theme_title(code) or code for code in event.themes],
            "can_send": event.status == EventStatus.PUBLISHED and event.starts_at > timezone.now(),
        },
    )
