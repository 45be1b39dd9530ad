"""One door per object for the participants' side of events: what one may not see is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .enums import EventStatus, RegistrationStatus
from .models import Event, Registration

# Drafts are staff's; a cancelled event stays visible, marked as such, so that its link still says so.
LISTED = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def listed_events():
    return Event.objects.filter(status__in=LISTED)


def get_listed_event(pk):
    return get_object_or_404(listed_events().select_related("format"), pk=pk)


def get_registration_for_user(request, event, pk):
    """A live registration at `event` that the user may act on: their own, or one of an organisation
    they belong to (a colleague registered by them, or who registered them)."""
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Registration.objects.select_related("user", "organisation", "event")
        .exclude(status=RegistrationStatus.CANCELLED)
        .filter(organisation__memberships__user=request.user),
        event=event,
        pk=pk,
    )
