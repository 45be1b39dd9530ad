"""Territory staff create, change, publish and cancel events, and mark who came.

A change of time or place, and a cancellation, bump the event's SEQUENCE and tell everyone registered
(confirmed and waitlisted) by email, with the updated .ics: their calendar replaces its copy. The event
row is locked first, so that two colleagues saving at once bump the sequence twice, not once.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.links import current_territory

from .enums import Attendance, EventStatus, RegistrationStatus
from .models import Event, Registration
from .staff_mail import Site, email_event

# What a calendar holds of the event: changing any of them makes the attendees' copy wrong.
TIME_AND_PLACE = ("starts_at", "ends_at", "mode", "place", "online_url")
LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class EventError(Exception):
    """A change staff may not make, with the French sentence that says why."""


def _locked(event):
    return Event.objects.select_for_update().get(pk=event.pk)


def _live_registrations(event):
    return Registration.objects.filter(event=event, status__in=LIVE).select_related("user").order_by("created_at")


def _tell_registrants(event, template, extra=None):
    """One email per person registered or waiting, each with the event's current .ics."""
    site = Site(current_territory())
    registrations = list(_live_registrations(event))
    for registration in registrations:
        email_event(
            site,
            registration.user,
            event,
            template,
            {"waitlisted": registration.status == RegistrationStatus.WAITLISTED, **(extra or {})},
        )
    return len(registrations)


@transaction.atomic
def create_event(*, created_by, actions=(), **fields):
    event = Event(created_by=created_by, status=EventStatus.DRAFT, **fields)
    event.full_clean()
    event.save()
    event.actions.set(actions)
    return event


@transaction.atomic
def update_event(event, *, actions=None, **fields):
    """Save staff's changes; returns the number of people told of a change of time or place."""
    locked = _locked(event)
    if locked.status == EventStatus.CANCELLED:
        raise EventError(_("Cet événement est annulé : il ne peut plus être modifié."))
    before = {name: getattr(locked, name) for name in TIME_AND_PLACE}
    for name, value in fields.items():
        old = getattr(locked, name)
        # The form shows minutes: a time left as it was keeps its seconds (seeded or imported events have some).
        if isinstance(value, datetime) and old is not None and old.replace(second=0, microsecond=0) == value:
            continue
        setattr(locked, name, value)
    changed = [name for name in TIME_AND_PLACE if getattr(locked, name) != before[name]]
    if changed:
        locked.sequence += 1
    locked.full_clean()
    locked.save()
    if actions is not None:
        locked.actions.set(actions)
    told = 0
    if changed:
        told = _tell_registrants(
            locked,
            "staff_change",
            {
                "time_changed": bool({"starts_at", "ends_at"} & set(changed)),
                "place_changed": bool({"mode", "place", "online_url"} & set(changed)),
            },
        )
    event.__dict__.update(locked.__dict__)
    return told


@transaction.atomic
def publish_event(event):
    locked = _locked(event)
    if locked.status == EventStatus.CANCELLED:
        raise EventError(_("Un événement annulé ne peut pas être publié."))
    if locked.status == EventStatus.PUBLISHED:
        return locked
    locked.status = EventStatus.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    event.__dict__.update(locked.__dict__)
    return locked


@transaction.atomic
def cancel_event(event, message=""):
    """Cancel the event and tell everyone registered (the .ics says METHOD:CANCEL). Returns how many."""
    locked = _locked(event)
    if locked.status == EventStatus.CANCELLED:
        raise EventError(_("Cet événement est déjà annulé."))
    locked.status = EventStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    event.__dict__.update(locked.__dict__)
    return _tell_registrants(locked, "staff_cancel", {"message": message.strip()})


@transaction.atomic
def mark_attendance(event, registration_id, attendance):
    """Present, absent, or "" to clear: only for a confirmed seat of this event."""
    if attendance not in ("", *Attendance.values):
        raise EventError(_("Choisissez « présent » ou « absent »."))
    updated = Registration.objects.filter(pk=registration_id, event=event, status=RegistrationStatus.CONFIRMED).update(
        attendance=attendance
    )
    if not updated:
        raise EventError(_("Cette personne n'est pas inscrite à cet événement."))
