"""{% organisation_events organisation %}: on the organisation's page, its members' upcoming
registrations and the next events of the territory it has nobody registered for (events/upcoming.py)."""

from django import template

from ..upcoming import upcoming_for

register = template.Library()


@register.inclusion_tag("events/includes/organisation_events.html")
def organisation_events(organisation):
    registrations, next_events = upcoming_for(organisation)
    return {"organisation": organisation, "registrations": registrations, "next_events": next_events}
