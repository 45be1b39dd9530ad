"""{% event_when event %}: events.dates.when, for the templates that show an event's dates."""

from django import template

from ..dates import when

register = template.Library()


@register.simple_tag
def event_when(event):
    return when(event.starts_at, event.ends_at)
