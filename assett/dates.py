"""Dates the French way: « 1er décembre 2026 », never « 1 décembre 2026 ».

Django's `j` writes the first of the month « 1 »; French writes it as an ordinal, « 1er » (the
other days stay cardinal). `french_date` takes the format strings of Django's `date` filter and
writes that day so; templates use it as a filter: {% load dates %}{{ value|french_date:"j F Y" }}.
The events' own dates (events/dates.py) follow the same rule through `day_number`.
"""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

register = template.Library()


def day_number(value):
    """« 1er » for the first of the month, else the day's number."""
    return _("1er") if value.day == 1 else str(value.day)


def french_date(value, format="j F Y"):
    """`value` (a date, or a datetime already in the zone to show) in `format`, written with the
    letters of Django's `date` filter (not a setting's name such as DATE_FORMAT)."""
    if value.day == 1:
        # Escaped letter by letter, so that Django's format writes them as they are.
        format = format.replace("j", "".join(f"\\{character}" for character in day_number(value)))
    return date_format(value, format)


@register.filter(name="french_date", expects_localtime=True)
def french_date_filter(value, format="j F Y"):
    """Like Django's `date` filter: nothing for an empty value or one that is not a date."""
    if value in (None, ""):
        return ""
    try:
        return french_date(value, format)
    except AttributeError:
        return ""
