"""The iCalendar files: parsed back by icalendar, in the territory's zone, stable UID, link for registrants only."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from events.enums import EventKind, EventMode, EventStatus
from events.ics import build_calendar, event_file
from events.models import Event

pytestmark = pytest.mark.django_db


class Mayotte:
    time_zone = "Indian/Mayotte"
    programme_name = "Mayotte en transition"


def make_event(**fields):
    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 18:00 in Mayotte
    values = {
        "title": "Atelier énergie",
        "kind": EventKind.WORKSHOP,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "mode": EventMode.HYBRID,
        "place": "Hôtel de ville, Mamoudzou",
        "online_url": "https://visio.example.org/atelier",
        "status": EventStatus.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)


def test_an_event_at_18_in_mayotte_is_18_there_and_15_utc(in_a):
    event = make_event()

    [parsed] = icalendar.Calendar.from_ical(event_file(event, Mayotte)).events

    assert (parsed.DTSTART.date().isoformat(), parsed.DTSTART.hour, parsed.DTSTART.minute) == ("2027-03-10", 18, 0)
    assert str(parsed["DTSTART"].params["TZID"]) == "Indian/Mayotte"
    assert parsed.DTSTART.astimezone(UTC) == datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def test_the_uid_stays_and_the_sequence_grows_when_the_event_changes(in_a):
    event = make_event()
    first = icalendar.Calendar.from_ical(event_file(event, Mayotte)).events[0]
    Event.objects.filter(pk=event.pk).update(
        sequence=event.sequence + 1,
        starts_at=event.starts_at + timedelta(days=1),
        ends_at=event.ends_at + timedelta(days=1),
    )
    event.refresh_from_db()

    second = icalendar.Calendar.from_ical(event_file(event, Mayotte)).events[0]

    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == first["SEQUENCE"] + 1


def test_the_public_feed_never_carries_the_connection_link(in_a):
    event = make_event()

    feed = build_calendar([event], Mayotte).decode()
    registrant = event_file(event, Mayotte).decode()

    assert "visio.example.org" not in feed
    assert "visio.example.org" in registrant


def test_a_cancelled_event_is_sent_as_a_cancellation(in_a):
    event = make_event(status=EventStatus.CANCELLED, cancelled_at=timezone.now())

    calendar = icalendar.Calendar.from_ical(event_file(event, Mayotte))

    assert calendar["METHOD"] == "CANCEL"
    assert calendar.events[0]["STATUS"] == "CANCELLED"
