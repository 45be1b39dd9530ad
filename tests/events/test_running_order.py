"""The running order's clock times: from the event's start, in the territory's zone, step after step."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.running_order import running_order


@dataclass(frozen=True)
class Step:
    title: str
    minutes: int
    instructions: str = ""


WORLD_CAFE = [Step("Accueil", 10), Step("Premier tour", 20), Step("Deuxième tour", 20), Step("Restitution", 40)]


def test_an_event_at_18_00_in_mayotte_runs_from_18_00_there():
    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 18:00 in Mayotte (UTC+3)

    order = running_order(start, WORLD_CAFE, "Indian/Mayotte", planned_end=start + timedelta(minutes=90))

    assert [(slot.clock, slot.end_clock, slot.title) for slot in order.slots] == [
        ("18:00", "18:10", "Accueil"),
        ("18:10", "18:30", "Premier tour"),
        ("18:30", "18:50", "Deuxième tour"),
        ("18:50", "19:30", "Restitution"),
    ]
    assert [slot.elapsed for slot in order.slots] == [0, 10, 30, 50]
    assert (order.clock, order.end_clock, order.total_minutes, order.overrun_minutes) == ("18:00", "19:30", 90, 0)
    assert order.slots[0].starts_at.utcoffset() == timedelta(hours=3)


def test_the_same_instant_reads_in_each_territory_s_own_zone():
    start = datetime(2027, 6, 15, 7, 30, tzinfo=UTC)
    assert running_order(start, WORLD_CAFE, "Europe/Paris").clock == "09:30"  # summer time, UTC+2
    assert running_order(start, WORLD_CAFE, "Indian/Mayotte").clock == "10:30"
    assert running_order(start.replace(month=1), WORLD_CAFE, "Europe/Paris").clock == "08:30"  # winter, UTC+1


def test_overrun_and_spare_minutes_against_the_event_s_end():
    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    assert running_order(start, WORLD_CAFE, "UTC", planned_end=start + timedelta(minutes=75)).overrun_minutes == 15
    assert running_order(start, WORLD_CAFE, "UTC", planned_end=start + timedelta(hours=2)).overrun_minutes == -30
    assert running_order(start, WORLD_CAFE, "UTC").overrun_minutes is None


def test_a_step_across_the_change_to_winter_time_still_lasts_its_minutes():
    # 31 October 2027, Paris: at 03:00 summer time the clocks go back to 02:00.
    start = datetime(2027, 10, 31, 1, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))

    order = running_order(start, [Step("Veillée", 60), Step("Suite", 60)], "Europe/Paris")

    assert [(slot.clock, slot.end_clock) for slot in order.slots] == [("01:30", "02:30"), ("02:30", "02:30")]
    # Elapsed time (Python subtracts datetimes of one zone by their wall clocks: compare in UTC).
    assert order.ends_at.astimezone(UTC) - order.starts_at.astimezone(UTC) == timedelta(hours=2)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        running_order(datetime(2027, 3, 10, 18, 0), WORLD_CAFE, "Indian/Mayotte")  # noqa: DTZ001


def test_no_step_gives_an_empty_running_order_that_ends_when_it_starts():
    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    order = running_order(start, [], "Indian/Mayotte")
    assert order.slots == () and order.starts_at == order.ends_at and order.total_minutes == 0


def utc(moment):
    return moment.astimezone(UTC)


ZONES = ["Europe/Paris", "Indian/Mayotte", "America/Cayenne", "Indian/Reunion", "Pacific/Noumea", "UTC"]


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    minutes=st.lists(st.integers(min_value=1, max_value=240), max_size=12),
    zone=st.sampled_from(ZONES),
)
def test_steps_follow_each_other_without_gap_and_add_up(start, minutes, zone):
    order = running_order(start, [Step(f"Étape {n}", length) for n, length in enumerate(minutes)], zone)

    assert order.total_minutes == sum(minutes)
    assert utc(order.ends_at) - utc(order.starts_at) == timedelta(minutes=sum(minutes))
    assert order.starts_at == start
    for slot, following in zip(order.slots, order.slots[1:], strict=False):
        assert slot.ends_at == following.starts_at
    for slot, length in zip(order.slots, minutes, strict=True):
        assert utc(slot.ends_at) - utc(slot.starts_at) == timedelta(minutes=length)
        assert str(slot.starts_at.tzinfo) == zone
