"""The background emails of an event: the reminder some days before, the feedback request after.

Each goes **exactly once** per attendee. The registrations of one event are claimed with
SELECT … FOR UPDATE SKIP LOCKED, marked (`reminder_sent_at`, `feedback_requested_at`) and their emails
queued in one transaction:
- a second run at the same moment skips the rows the first holds, and once the first commits, finds
  them marked (PostgreSQL re-reads a row updated meanwhile before locking it);
- a worker that dies mid-run leaves its transaction uncommitted: neither the marks nor the emails
  exist, and the next run sends them.
A job runs in one territory's schema (the beat job fans out to every territory) and reads the
territory's own time zone: a reminder « 2 days before » is due at 08:00, local time, two days before
the event's local date.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tenants.links import current_territory

from .enums import Attendance, EventStatus, RegistrationStatus
from .models import Event, Registration
from .staff_mail import Site, email_event

REMINDER_HOUR = 8  # local time: a reminder is read with the morning's mail, not at midnight
MAX_REMINDER_DAYS = 30  # Event.reminder_days_before's validator
# Only recent events ask for feedback: a job deployed today must not write about last year's workshops.
FEEDBACK_WINDOW = dt.timedelta(days=14)


def reminder_due_at(starts_at, days_before, zone):
    """When the reminder of an event becomes due (aware), or None when it has none. Pure."""
    if not days_before:
        return None
    local_day = starts_at.astimezone(zone).date() - dt.timedelta(days=days_before)
    return dt.datetime.combine(local_day, dt.time(REMINDER_HOUR), tzinfo=zone)


def _pending(mark, **conditions):
    return Exists(
        Registration.objects.filter(
            event=OuterRef("pk"), status=RegistrationStatus.CONFIRMED, **{f"{mark}__isnull": True}, **conditions
        )
    )


def _claim(event, mark, now, **conditions):
    """Lock the event's unmarked confirmed registrations (skipping those another run holds) and mark them."""
    registrations = list(
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            event=event,
            event__status=EventStatus.PUBLISHED,
            status=RegistrationStatus.CONFIRMED,
            **{f"{mark}__isnull": True},
            **conditions,
        )
        .select_related("user")
        .order_by("pk")
    )
    if registrations:
        Registration.objects.filter(pk__in=[registration.pk for registration in registrations]).update(**{mark: now})
    return registrations


def send_due_reminders(now=None, site=None):
    """Queue the reminders due now in the current territory. Returns how many were queued."""
    now = now or timezone.now()
    site = site or Site(current_territory())
    events = Event.objects.filter(
        _pending("reminder_sent_at"),
        status=EventStatus.PUBLISHED,
        reminder_days_before__gt=0,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=MAX_REMINDER_DAYS + 1),
    ).order_by("starts_at", "pk")
    sent = 0
    for event in events:
        due = reminder_due_at(event.starts_at, event.reminder_days_before, site.zone)
        if due > now:
            continue
        # One transaction per event: a worker dying mid-run loses (and retries) one event's batch only.
        # Whoever registered after the reminder was due has just had the confirmation: no reminder on top.
        with transaction.atomic():
            for registration in _claim(event, "reminder_sent_at", now, created_at__lt=due):
                email_event(site, registration.user, event, "staff_reminder")
                sent += 1
    return sent


def send_due_feedback_requests(now=None, site=None):
    """Ask the attendees of events that ended lately for their opinion (not those marked absent)."""
    now = now or timezone.now()
    site = site or Site(current_territory())
    not_absent = {"attendance__in": ["", Attendance.PRESENT]}
    events = Event.objects.filter(
        _pending("feedback_requested_at", **not_absent),
        status=EventStatus.PUBLISHED,
        ends_at__lte=now,
        ends_at__gt=now - FEEDBACK_WINDOW,
    ).order_by("ends_at", "pk")
    sent = 0
    for event in events:
        with transaction.atomic():
            for registration in _claim(event, "feedback_requested_at", now, **not_absent):
                email_event(site, registration.user, event, "staff_feedback_request", with_ics=False)
                sent += 1
    return sent


def run_background_emails(now=None):
    """The job of one territory: reminders, then feedback requests. Returns (reminders, requests)."""
    now = now or timezone.now()
    site = Site(current_territory())
    return send_due_reminders(now, site), send_due_feedback_requests(now, site)
