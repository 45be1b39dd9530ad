"""The demo season: past events with attendance and feedback, upcoming ones with formats and actions,
one full with its waitlist, in the territory's own working hours (Mayotte included), within the rules
of registration, idempotent."""

import copy
import zoneinfo
from collections import Counter
from datetime import UTC, time

from django.db.models import Count, Q
from django.utils import timezone

from events.demo import seed_demo_events
from events.enums import Attendance, EventStatus, RegistrationStatus
from events.models import Event, Feedback, Registration
from organisations.demo import seed_organisations

PASSWORD = "Mot-de-passe-42"


def test_the_demo_season_is_plausible_and_keeps_the_registration_rules(in_a):
    organisations = seed_organisations(in_a, PASSWORD)

    seed_demo_events(in_a, organisations)

    now = timezone.now()
    events = list(Event.objects.annotate(confirmed=Count("registrations", filter=Q(registrations__status="confirmed"))))
    past = [event for event in events if event.ends_at < now and event.status == EventStatus.PUBLISHED]
    upcoming = [event for event in events if event.starts_at > now and event.status == EventStatus.PUBLISHED]
    assert len(past) >= 3 and len(upcoming) >= 3
    assert {EventStatus.DRAFT, EventStatus.CANCELLED} <= {event.status for event in events}

    # Past: who came, who did not, and what they thought (only those present give feedback).
    past_registrations = Registration.objects.filter(event__in=past, status=RegistrationStatus.CONFIRMED)
    assert not past_registrations.filter(attendance="").exists()
    assert {Attendance.PRESENT, Attendance.ABSENT} <= set(past_registrations.values_list("attendance", flat=True))
    assert Feedback.objects.count() >= 10
    assert not Feedback.objects.exclude(registration__attendance=Attendance.PRESENT).exists()
    assert all(
        event.feedback_count
        for event in Event.objects.filter(pk__in=[e.pk for e in past]).annotate(
            feedback_count=Count("registrations__feedback")
        )
    )
    # Upcoming: nobody marked present yet; some run with a format and the toolbox actions they work on.
    assert not Registration.objects.filter(event__in=upcoming).exclude(attendance="").exists()
    with_format = [event for event in upcoming if event.format_id]
    assert len(with_format) >= 2 and all(event.actions.exists() for event in with_format)

    # The rules: never more confirmed than the capacity, never more seats than an organisation's limit.
    for event in events:
        if event.capacity is not None:
            assert event.confirmed <= event.capacity, event.title
        live = Registration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)
        if event.seats_per_organisation is not None:
            seats = Counter(live.values_list("organisation_id", flat=True))
            assert max(seats.values(), default=0) <= event.seats_per_organisation, event.title
        for registration in live.select_related("organisation"):
            assert registration.organisation.memberships.filter(user_id=registration.user_id).exists()
            assert registration.created_at < now and registration.created_at < event.starts_at
    # One full event with its waitlist, served in the order people asked.
    full = [event for event in upcoming if event.capacity and event.confirmed == event.capacity]
    assert len(full) == 1
    waitlist = Registration.objects.filter(event=full[0], status=RegistrationStatus.WAITLISTED)
    confirmed = Registration.objects.filter(event=full[0], status=RegistrationStatus.CONFIRMED)
    assert waitlist.count() >= 2
    assert max(confirmed.values_list("created_at", flat=True)) < min(waitlist.values_list("created_at", flat=True))
    # A cancelled event: its registrations are cancelled and its calendar copies know (SEQUENCE grew).
    cancelled = Event.objects.get(status=EventStatus.CANCELLED)
    assert cancelled.sequence == 1 and cancelled.cancelled_at
    assert not cancelled.registrations.exclude(status=RegistrationStatus.CANCELLED).exists()

    # Working hours in the territory's zone, on working days.
    zone = zoneinfo.ZoneInfo(in_a.time_zone)
    for event in events:
        local = event.starts_at.astimezone(zone)
        assert time(8, 0) <= local.time() <= time(18, 0) and local.weekday() < 5, event.title
        assert not ((local.month, local.day) >= (12, 22) or (local.month, local.day) <= (1, 3)), event.title

    count = (Event.objects.count(), Registration.objects.count(), Feedback.objects.count())
    seed_demo_events(in_a, organisations)
    assert (Event.objects.count(), Registration.objects.count(), Feedback.objects.count()) == count


def test_in_mayotte_events_are_at_mayotte_hours(in_a):
    mayotte = copy.copy(in_a)
    mayotte.time_zone, mayotte.slug = "Indian/Mayotte", "centre-ouest-mayotte"

    seed_demo_events(mayotte, seed_organisations(in_a, PASSWORD))

    zone = zoneinfo.ZoneInfo("Indian/Mayotte")
    events = list(Event.objects.all())
    assert any("Tsingoni" in event.place for event in events)
    for event in events:
        local_start, local_end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        # Mornings from 8:00, late afternoons over before nightfall (about 18:00), never on a Friday.
        assert local_start.time() in (time(8, 0), time(14, 0), time(16, 0)), event.title
        assert local_end.time() <= time(18, 0), event.title
        assert local_start.weekday() < 4, event.title
        assert event.starts_at.astimezone(UTC).hour == local_start.hour - 3
