"""{% organisation_events organisation %}: on the organisation's page, its members' upcoming
registrations and the next events of the territory it has nobody registered for. Two queries."""

from django import template
from django.utils import timezone

from ..enums import EventStatus, RegistrationStatus
from ..models import Event, Registration

register = template.Library()

NEXT_EVENTS = 3


@register.inclusion_tag("events/includes/organisation_events.html")
def organisation_events(organisation):
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(
            organisation=organisation,
            event__status=EventStatus.PUBLISHED,
            event__ends_at__gte=now,
        )
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event", "user")
        .order_by("event__starts_at", "event_id", "created_at")
    )
    registered_events = {registration.event_id for registration in registrations}
    next_events = list(
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=now)
        .exclude(pk__in=registered_events)
        .only("pk", "title", "kind", "starts_at", "ends_at", "place")
        .order_by("starts_at", "pk")[:NEXT_EVENTS]
    )
    return {"organisation": organisation, "registrations": registrations, "next_events": next_events}
