"""What is coming for an organisation: its members' live registrations to events not over yet, and
the territory's next published events it has nobody registered for. Two queries. Read by the
organisation's page (templatetags/events_space.py) and the PDF report (reports/content.py)."""

from django.utils import timezone

from .enums import EventStatus, RegistrationStatus
from .models import Event, Registration

NEXT_EVENTS = 3


def upcoming_for(organisation, next_events=NEXT_EVENTS):
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
    others = list(
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=now)
        .exclude(pk__in=registered_events)
        .only("pk", "title", "kind", "starts_at", "ends_at", "place")
        .order_by("starts_at", "pk")[:next_events]
    )
    return registrations, others
