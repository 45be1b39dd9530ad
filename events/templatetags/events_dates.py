"""{% event_when event %}: events.dates.when, for the templates that show an event's dates."""

import zoneinfo

from django import template

from ..dates import when

register = template.Library()


@register.simple_tag
def event_when(event, zone_name=None):
    """The event's dates in the active zone, or in `zone_name` (the territory's, in emails)."""
    return when(event.starts_at, event.ends_at, zoneinfo.ZoneInfo(zone_name) if zone_name else None)
