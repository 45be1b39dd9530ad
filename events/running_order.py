"""An event's running order: each step of its workshop format with the clock times it starts and ends,
from the event's start, in the territory's time zone.

Pure: plain values in (the start as an aware datetime, the steps as anything with `title`, `minutes`
and `instructions`, the zone's name), plain values out; no database. Times are added as elapsed
minutes in UTC and only then shown in the zone, so a step that runs across a change of summer time
still lasts its minutes (a clock may then read the same hour twice).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Slot:
    number: int
    title: str
    minutes: int
    instructions: str
    starts_at: datetime  # in the territory's zone
    ends_at: datetime
    elapsed: int  # minutes since the start of the workshop when this step starts

    @property
    def clock(self):
        return clock(self.starts_at)

    @property
    def end_clock(self):
        return clock(self.ends_at)


@dataclass(frozen=True)
class RunningOrder:
    slots: tuple
    starts_at: datetime
    ends_at: datetime
    total_minutes: int
    # Minutes the format runs past the event's planned end (negative: minutes to spare); None without an end.
    overrun_minutes: int | None

    @property
    def clock(self):
        return clock(self.starts_at)

    @property
    def end_clock(self):
        return clock(self.ends_at)


def clock(moment):
    return moment.strftime("%H:%M")


def running_order(starts_at, steps, time_zone, *, planned_end=None):
    """The clock times of `steps` run one after the other from `starts_at` (aware), shown in `time_zone`."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    zone = zoneinfo.ZoneInfo(time_zone)
    start = starts_at.astimezone(zoneinfo.ZoneInfo("UTC"))
    slots, elapsed = [], 0
    for number, step in enumerate(steps, start=1):
        slot_start = start + timedelta(minutes=elapsed)
        slot_end = slot_start + timedelta(minutes=step.minutes)
        slots.append(
            Slot(
                number=number,
                title=step.title,
                minutes=step.minutes,
                instructions=step.instructions,
                starts_at=slot_start.astimezone(zone),
                ends_at=slot_end.astimezone(zone),
                elapsed=elapsed,
            )
        )
        elapsed += step.minutes
    end = start + timedelta(minutes=elapsed)
    overrun = None
    if planned_end is not None:
        overrun = round((end - planned_end).total_seconds() / 60)
    return RunningOrder(
        slots=tuple(slots),
        starts_at=start.astimezone(zone),
        ends_at=end.astimezone(zone),
        total_minutes=elapsed,
        overrun_minutes=overrun,
    )
