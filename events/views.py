"""The participants' side of events: the territory's agenda, an event's page, registering, cancelling,
handing a seat over, feedback after the event, its actions into the plan, and the calendars (.ics).

The agenda and the event pages are the territory's public offer, like the toolbox: anyone may read
them; registering needs an account and an organisation. Dates are shown in the territory's zone
(tenants.middleware.TerritoryTimeZoneMiddleware).
"""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from assett.pagination import paginate
from organisations.access import get_organisation_for_user
from organisations.models import Membership
from toolbox.labels import published_labels
from toolbox.plan import plan_organisations

from . import ics
from .access import get_listed_event, get_registration_for_user, listed_events
from .dates import when
from .enums import EventKind, EventMode, EventStatus, RegistrationStatus
from .feedback import FeedbackError, attended, feedback_registration, give_feedback
from .forms import PAST, AgendaFilterForm, FeedbackForm
from .models import Feedback, Registration
from .plan import EventPlanError, add_event_actions_to_plan, event_actions
from .registration import (
    RegistrationError,
    cancel_registration,
    hand_over_seat,
    register_for_event,
    seats_of,
    window_problem,
)

PAGE_SIZE = 20
# The feed: what is coming, and what happened in the last months (calendars keep older copies anyway).
FEED_PAST_DAYS = 90
FEED_CACHE_SECONDS = 300
# The list never shows these.
LIST_DEFERRED = ("description", "online_url", "contact", "organisation_kinds")


def _seats_and_mine(user, events):
    """For the page's events only, in one query: event pk → (confirmed seats, the user's live status)."""
    if not events:
        return {}
    me = user.pk if user.is_authenticated else None
    rows = (
        Registration.objects.filter(event__in=[event.pk for event in events])
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()  # Registration's default ordering would join the events to sort them
        .values("event")
        .annotate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            mine=Max("status", filter=Q(user_id=me)),
        )
        .values_list("event", "confirmed", "mine")
    )
    return {event_pk: (confirmed, mine) for event_pk, confirmed, mine in rows}


@require_safe
def agenda(request):
    labels = published_labels()
    form = AgendaFilterForm(request.GET, themes=labels.themes)
    period, theme, kind = form.filters()
    now = timezone.now()
    events = listed_events().defer(*LIST_DEFERRED)
    if period == PAST:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    if theme:
        events = events.filter(themes__contains=[theme])
    if kind:
        events = events.filter(kind=kind)
    page = paginate(events, request.GET.get("page"), PAGE_SIZE)
    seats = _seats_and_mine(request.user, page.object_list)
    # Each label translated once per page, not once per card (get_FOO_display is lazy gettext).
    kinds, modes = dict(EventKind.choices), dict(EventMode.choices)
    kinds, modes = {key: str(label) for key, label in kinds.items()}, {key: str(label) for key, label in modes.items()}
    for event in page:
        confirmed, event.my_status = seats.get(event.pk, (0, None))
        event.theme_names = [labels.theme_name(code) for code in event.themes]
        event.seats_left = None if event.capacity is None else max(event.capacity - confirmed, 0)
        event.when = when(event.starts_at, event.ends_at)
        event.kind_label, event.mode_label = kinds[event.kind], modes[event.mode]
        event.page_url = reverse("events:detail", args=[event.pk])
        event.iso_start = event.starts_at.isoformat()
    feed_path = reverse("events:feed")
    return render(
        request,
        "events/agenda.html",
        {
            "form": form,
            "page": page,
            "past": period == PAST,
            "filtered": bool(theme or kind),
            "feed_url": request.build_absolute_uri(feed_path),
            "webcal_url": f"webcal://{request.get_host()}{feed_path}",
            "page_title": _("Agenda des rencontres"),
        },
    )


def _organisations_panel(user, event):
    """For each of the user's organisations: its live registrations at the event and the colleagues
    who could still be registered. Three queries whatever the number of organisations."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    )
    if not memberships:
        return []
    org_ids = [m.organisation_id for m in memberships]
    registrations = list(
        Registration.objects.filter(event=event, organisation_id__in=org_ids)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user")
        .annotate(has_feedback=Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
        .order_by("created_at", "pk")
    )
    for registration in registrations:
        registration.event = event
    members = list(
        Membership.objects.filter(organisation_id__in=org_ids)
        .select_related("user")
        .order_by("user__last_name", "user__email")
    )
    # A person registered for one of the organisations is never offered again for another.
    taken = {r.user_id for r in registrations}
    panel = []
    for membership in memberships:
        org = membership.organisation
        own = [r for r in registrations if r.organisation_id == org.pk]
        # The reader's own seat first: it is the one they come to see; colleagues follow in registration order.
        own.sort(key=lambda r: r.user_id != user.pk)
        panel.append(
            {
                "organisation": org,
                "registrations": own,
                "candidates": [m.user for m in members if m.organisation_id == org.pk and m.user_id not in taken],
                "seats_used": len(own),
            }
        )
    return panel


def _detail(request, event, feedback_form=None, status=200):
    user = request.user
    labels = published_labels()
    seats = seats_of(event)
    panel = _organisations_panel(user, event) if user.is_authenticated else []
    # The user's own registrations, read with the panel: what they may do after the event follows.
    own = [(entry["organisation"], r) for entry in panel for r in entry["registrations"] if r.user_id == user.pk]
    mine = own[0][1] if own else None
    actions = event_actions(event)
    attended_orgs = [organisation for organisation, r in own if attended(r)]
    can_give_feedback = feedback_form is not None or any(attended(r) and not r.has_feedback for _org, r in own)
    limit = event.seats_per_organisation
    for entry in panel:
        entry["full"] = limit is not None and entry["seats_used"] >= limit
    context = {
        "event": event,
        "themes": [labels.theme_name(code) for code in event.themes],
        "seats": seats,
        "window_problem": window_problem(event),
        "panel": panel,
        "mine": mine,
        "show_online_link": bool(
            event.online_url
            and event.mode != EventMode.ON_SITE
            and mine is not None
            and mine.status == RegistrationStatus.CONFIRMED
        ),
        "cancelled": event.status == EventStatus.CANCELLED,
        "over": event.ends_at <= timezone.now(),
        "actions": actions,
        "organisations": plan_organisations(user) if actions else [],
        "attended_organisations": attended_orgs if actions else [],
        "feedback_form": (feedback_form or FeedbackForm(None)) if can_give_feedback else None,
        "page_title": event.title,
        "page_description": f"{event.get_kind_display()} : {event.title}, {when(event.starts_at, event.ends_at)}",
    }
    return render(request, "events/detail.html", context, status=status)


@require_safe
def event_detail(request, pk):
    return _detail(request, get_listed_event(pk))


def _back(event):
    return redirect("events:detail", pk=event.pk)


def _posted_id(request, name, default=0):
    """A posted id as an int; anything else is 0, which matches nothing (a 404 or a French message)."""
    value = request.POST.get(name) or default
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _person(organisation, user_pk):
    membership = Membership.objects.select_related("user").filter(organisation=organisation, user_id=user_pk).first()
    return membership.user if membership else None


@login_required
@require_POST
def register(request, pk):
    event = get_listed_event(pk)
    organisation = get_organisation_for_user(request, _posted_id(request, "organisation"))
    person = _person(organisation, _posted_id(request, "person", request.user.pk))
    if person is None:
        messages.error(request, _("Choisissez une personne de votre organisation."))
        return _back(event)
    try:
        registration = register_for_event(event, organisation, person, request.user)
    except RegistrationError as error:
        messages.error(request, str(error))
        return _back(event)
    who = _("Vous êtes") if person.pk == request.user.pk else _("%(person)s est") % {"person": person.display_name}
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(
            request, _("%(who)s inscrit·e. Un courriel de confirmation part avec le fichier d'agenda.") % {"who": who}
        )
    else:
        messages.info(
            request,
            _("L'événement est complet : %(who)s sur la liste d'attente. Un courriel suivra si une place se libère.")
            % {"who": who.lower() if person.pk == request.user.pk else who},
        )
    return _back(event)


@login_required
@require_POST
def cancel(request, pk, registration_pk):
    event = get_listed_event(pk)
    registration = get_registration_for_user(request, event, registration_pk)
    try:
        cancel_registration(registration, request.user)
    except RegistrationError as error:
        messages.error(request, str(error))
    else:
        if registration.user_id == request.user.pk:
            messages.success(request, _("Votre inscription est annulée."))
        else:
            messages.success(
                request,
                _("L'inscription %(of_person)s est annulée.") % {"of_person": registration.user.of_name},
            )
    return _back(event)


@login_required
@require_POST
def hand_over(request, pk, registration_pk):
    event = get_listed_event(pk)
    registration = get_registration_for_user(request, event, registration_pk)
    colleague = _person(registration.organisation, _posted_id(request, "colleague"))
    if colleague is None:
        messages.error(request, _("Choisissez la ou le collègue à qui céder la place."))
        return _back(event)
    try:
        hand_over_seat(registration, colleague, request.user)
    except RegistrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("La place est cédée à %(person)s, qui reçoit la confirmation par courriel.")
            % {"person": colleague.display_name},
        )
    return _back(event)


@login_required
@require_POST
def feedback(request, pk):
    event = get_listed_event(pk)
    registration = feedback_registration(event, request.user)
    if registration is None:
        messages.error(
            request,
            _(
                "Seules les personnes venues à l'événement peuvent donner leur avis, "
                "une fois l'événement terminé, et une seule fois."
            ),
        )
        return _back(event)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _detail(request, event, feedback_form=form, status=400)
    try:
        give_feedback(registration, request.user, form.to_input())
    except FeedbackError as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, event, feedback_form=form, status=400)
    messages.success(request, _("Merci pour votre avis : il aide l'équipe à préparer les prochaines rencontres."))
    return _back(event)


@login_required
@require_POST
def add_to_plan(request, pk):
    event = get_listed_event(pk)
    organisation = get_organisation_for_user(request, _posted_id(request, "organisation"))
    try:
        outcome = add_event_actions_to_plan(event, organisation, request.user)
    except EventPlanError as error:
        messages.error(request, str(error))
        return _back(event)
    if outcome.added:
        count = len(outcome.added)
        messages.success(
            request,
            ngettext(
                "%(count)s action ajoutée au plan d'actions %(of_organisation)s : %(titles)s.",
                "%(count)s actions ajoutées au plan d'actions %(of_organisation)s : %(titles)s.",
                count,
            )
            % {
                "count": count,
                "of_organisation": organisation.of_name,
                "titles": ", ".join(f"« {action.title} »" for action in outcome.added),
            },
        )
    else:
        messages.info(request, _("Les actions de cet événement sont déjà dans votre plan d'actions."))
    return _back(event)


def _calendar_response(content, filename, inline):
    response = HttpResponse(content, content_type=ics.CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
def feed(request):
    """The territory's published events (cancelled ones marked so) for calendar applications to subscribe to.

    Calendar applications poll it, each subscriber every few hours, and building 200 events takes tens
    of milliseconds (bench/bench_agenda.py): the file is cached, keyed by what would change it (the
    events' number and latest change, the day the window starts), for FEED_CACHE_SECONDS at most in
    case an event is changed without its updated_at. The cache is per territory (schema-prefixed keys).
    """
    today = timezone.localdate()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=FEED_PAST_DAYS), time.min))
    events = listed_events().filter(ends_at__gte=since)
    state = events.aggregate(count=Count("pk"), changed=Max("updated_at"))
    changed = state["changed"].timestamp() if state["changed"] else 0
    key = f"events:feed:{today.isoformat()}:{state['count']}:{changed}:{request.get_host()}"
    content = cache.get(key)
    if content is None:
        events = list(events.order_by("starts_at", "pk"))
        urls = {event.pk: request.build_absolute_uri(reverse("events:detail", args=[event.pk])) for event in events}
        content = ics.build_calendar(events, request.tenant, urls=urls)
        cache.set(key, content, FEED_CACHE_SECONDS)
    # Inline: a calendar application subscribing (webcal://) reads it; a browser shows or saves it.
    return _calendar_response(content, "agenda.ics", inline=True)


@require_safe
def event_calendar(request, pk):
    """« Ajouter à mon agenda »: the event's .ics, with the connection link for its confirmed registrants."""
    event = get_listed_event(pk)
    registrant = (
        request.user.is_authenticated
        and Registration.objects.filter(event=event, user=request.user, status=RegistrationStatus.CONFIRMED).exists()
    )
    url = request.build_absolute_uri(reverse("events:detail", args=[event.pk]))
    content = ics.event_file(event, request.tenant, url=url, for_registrant=registrant)
    return _calendar_response(content, ics.file_name(event), inline=False)
