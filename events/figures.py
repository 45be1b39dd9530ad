"""An event's figures: registered, present, satisfaction. Pure functions over plain data (what the
programme review and the staff pages both read), and two small readers that feed them from the database.

`event_figures` takes (status, attendance) pairs and satisfaction marks; it touches no database, so the
programme review can compute a season's figures from rows it read in one query.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from .enums import Attendance, RegistrationStatus

SATISFACTION_MARKS = (1, 2, 3, 4, 5)


def average_satisfaction(marks):
    """The mean mark to one decimal (half up: 4.25 → 4.3), or None when nobody answered."""
    marks = list(marks)
    if not marks:
        return None
    mean = Decimal(sum(marks)) / Decimal(len(marks))
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: Decimal | None
    distribution: tuple  # (mark, how many), 1 to 5

    @property
    def bars(self):
        """(mark, count, percent of the answers) for the page's bar chart."""
        return [
            (mark, count, round(100 * count / self.count) if self.count else 0) for mark, count in self.distribution
        ]


def feedback_summary(marks):
    marks = list(marks)
    counted = Counter(marks)
    return FeedbackSummary(
        count=len(marks),
        average=average_satisfaction(marks),
        distribution=tuple((mark, counted.get(mark, 0)) for mark in SATISFACTION_MARKS),
    )


@dataclass(frozen=True)
class EventFigures:
    registered: int  # confirmed seats
    waitlisted: int
    present: int
    absent: int
    feedback_count: int
    satisfaction: Decimal | None  # mean of the marks, one decimal

    @property
    def unmarked(self):
        return self.registered - self.present - self.absent

    @property
    def attendance_rate(self):
        """Present out of those whose attendance was taken (percent), None before any is."""
        taken = self.present + self.absent
        return None if not taken else round(100 * self.present / taken)


def event_figures(registrations, marks):
    """`registrations`: (status, attendance) pairs of one event; `marks`: its satisfaction marks (1 to 5)."""
    registered = waitlisted = present = absent = 0
    for status, attendance in registrations:
        if status == RegistrationStatus.CONFIRMED:
            registered += 1
            present += attendance == Attendance.PRESENT
            absent += attendance == Attendance.ABSENT
        elif status == RegistrationStatus.WAITLISTED:
            waitlisted += 1
    marks = list(marks)
    return EventFigures(
        registered=registered,
        waitlisted=waitlisted,
        present=present,
        absent=absent,
        feedback_count=len(marks),
        satisfaction=average_satisfaction(marks),
    )


# ---- the database side -------------------------------------------------------------------------------


def figures_by_event(events):
    """{event pk: EventFigures} for `events` (a queryset or ids), in two queries whatever their number."""
    from .models import Feedback, Registration

    rows = {}
    for event_id, status, attendance, count in (
        Registration.objects.filter(event__in=events)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("event_id", "status", "attendance")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        rows.setdefault(event_id, []).extend([(status, attendance)] * count)
    marks = {}
    for event_id, satisfaction, count in (
        Feedback.objects.filter(registration__event__in=events)
        .values_list("registration__event_id", "satisfaction")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        marks.setdefault(event_id, []).extend([satisfaction] * count)
    ids = set(rows) | set(marks)
    return {event_id: event_figures(rows.get(event_id, ()), marks.get(event_id, ())) for event_id in ids}


def figures_of_event(event):
    """One event's figures (an event nobody registered to has zeros)."""
    return figures_by_event([event.pk]).get(event.pk) or event_figures((), ())


def present_filter():
    """Registrations that count as attended: the reviews and the feedback request share it."""
    return Q(status=RegistrationStatus.CONFIRMED) & ~Q(attendance=Attendance.ABSENT)
