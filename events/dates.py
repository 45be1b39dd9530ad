"""An event's dates as people read them, in the zone that is active (the territory's, on its site):
« mercredi 10 mars 2027, de 18:00 à 20:00 ». One spelling for pages, lists and the organisation's page.

Built from Django's translated day and month names rather than `formats.date_format`, which looks the
format up and parses it on every call: the agenda prints twenty of these per page (bench/bench_agenda.py).
"""

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _

from assett.dates import day_number


def day(moment):
    """« mercredi 10 mars 2027 », « vendredi 1er janvier 2027 »."""
    return f"{WEEKDAYS[moment.weekday()]} {day_number(moment)} {MONTHS[moment.month]} {moment.year}"


def clock(moment):
    return f"{moment.hour:02d}:{moment.minute:02d}"


def when(starts_at, ends_at, zone=None):
    """In `zone` (a ZoneInfo), else the active one: emails, rendered outside a request, name theirs."""
    start, end = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    if start.date() == end.date():
        return _("%(day)s, de %(start)s à %(end)s") % {"day": day(start), "start": clock(start), "end": clock(end)}
    return _("du %(start)s au %(end)s") % {
        "start": f"{day(start)}, {clock(start)}",
        "end": f"{day(end)}, {clock(end)}",
    }
