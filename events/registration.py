"""Seats at an event: register oneself or a colleague, cancel, hand a seat over, the waitlist.

Every write locks the event's row first (`FOR NO KEY UPDATE`), so that the registrations of one event
are decided one after the other: the confirmed seats are counted under the lock, and an event is never
overbooked, whatever the number of people registering at the same moment
(tests/events/test_registration_concurrency.py). The lock is the weakest that serialises these
services: it does not stop other tables' foreign keys from pointing at the event meanwhile.

The per-organisation limit counts live registrations (confirmed and waitlisted): an organisation cannot
hold more than its share of the waitlist either. The waitlist is served in registration order.
"""

import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assett.dates import french_date
from mailing.services import attachment, queue_email
from organisations.models import Membership
from tenants.links import current_territory, territory_url

from . import ics
from .enums import EventStatus, RegistrationStatus
from .models import Event, Registration


class RegistrationError(Exception):
    """A registration refused, with the French sentence that says why."""


class AlreadyRegistered(RegistrationError):
    pass


@dataclass(frozen=True)
class Seats:
    """What an event's page says about its seats; `left` is None without a capacity."""

    confirmed: int
    waitlisted: int
    capacity: int | None

    @property
    def left(self):
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def full(self):
        return self.capacity is not None and self.confirmed >= self.capacity


def _local(moment):
    """A moment as the territory's people read it (its zone, not the server's)."""
    zone = zoneinfo.ZoneInfo(current_territory().time_zone)
    return french_date(moment.astimezone(zone), "j F Y à H:i")


def window_problem(event, now=None):
    """Why registering (or cancelling) is not possible now, as a French sentence; None when it is."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return _("Cet événement est annulé.")
    if event.status != EventStatus.PUBLISHED:
        return _("Cet événement n'est pas ouvert aux inscriptions.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Les inscriptions ouvrent le %(date)s.") % {"date": _local(event.registration_opens_at)}
    if now >= event.registration_deadline:
        return _("Les inscriptions sont closes depuis le %(date)s.") % {"date": _local(event.registration_deadline)}
    return None


def _lock(event):
    return Event.objects.select_for_update(no_key=True).get(pk=event.pk)


def _is_member(organisation, user):
    return Membership.objects.filter(organisation=organisation, user=user).exists()


def seats_of(event):
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    return Seats(counts["confirmed"], counts["waitlisted"], event.capacity)


def _counts(event, organisation, person):
    """The event's live registrations, counted in one query: seats taken, waiting, the organisation's, the person's."""
    return (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .aggregate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            organisation=Count("pk", filter=Q(organisation=organisation)),
            person=Count("pk", filter=Q(user=person)),
        )
    )


@transaction.atomic
def register_for_event(event, organisation, person, by):
    """Register `person` (`by` themselves, or a colleague of `by`) for `organisation`.

    Confirmed while seats are left, else on the waitlist. Returns the registration; raises
    RegistrationError (nothing written) when the window is closed, someone is not a member of the
    organisation, the person is already registered or the organisation has used its seats.
    """
    # Who belongs where does not depend on the event: checked before its lock is taken.
    if not _is_member(organisation, by):
        raise RegistrationError(_("Vous n'êtes pas membre de cette organisation."))
    if person.pk != by.pk and not _is_member(organisation, person):
        raise RegistrationError(
            _("%(person)s n'est pas membre de l'organisation « %(organisation)s ».")
            % {"person": person.get_full_name() or person.email, "organisation": organisation.name}
        )
    event = _lock(event)
    problem = window_problem(event)
    if problem:
        raise RegistrationError(problem)
    counts = _counts(event, organisation, person)
    if counts["waiting"] and event.capacity is not None and counts["confirmed"] < event.capacity:
        # Seats freed while nobody was promoted (capacity raised by staff) go to the waitlist first.
        _promote(event)
        counts = _counts(event, organisation, person)
    if counts["person"]:
        if person.pk == by.pk:
            raise AlreadyRegistered(_("Vous êtes déjà inscrit·e à cet événement."))
        raise AlreadyRegistered(
            _("%(person)s est déjà inscrit·e à cet événement.") % {"person": person.get_full_name() or person.email}
        )
    limit = event.seats_per_organisation
    if limit is not None and counts["organisation"] >= limit:
        raise RegistrationError(
            ngettext(
                "« %(organisation)s » a déjà %(count)s inscrit·e : c'est le nombre de places ouvert à chaque "
                "organisation pour cet événement. Vous pouvez céder cette place à un·e collègue.",
                "« %(organisation)s » a déjà %(count)s inscrit·e·s : c'est le nombre de places ouvert à chaque "
                "organisation pour cet événement. Vous pouvez céder l'une de ces places à un·e collègue.",
                counts["organisation"],
            )
            % {"organisation": organisation.name, "count": counts["organisation"]}
        )
    has_seat = event.capacity is None or (counts["confirmed"] < event.capacity and not counts["waiting"])
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=person,
                organisation=organisation,
                registered_by=by,
                status=RegistrationStatus.CONFIRMED if has_seat else RegistrationStatus.WAITLISTED,
                confirmed_at=now if has_seat else None,
            )
    except IntegrityError as error:  # the person registered through another door in between
        raise AlreadyRegistered(_("Cette personne est déjà inscrite à cet événement.")) from error
    _email(registration, "confirmed" if has_seat else "waitlisted")
    return registration


@transaction.atomic
def cancel_registration(registration, by):
    """Cancel a live registration until registration closes; the first on the waitlist takes the seat.

    Returns the promoted registration, if any.
    """
    event = _lock(registration.event)
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(_("Cette inscription est déjà annulée."))
    now = timezone.now()
    if now >= event.registration_deadline:
        raise RegistrationError(
            _("Les inscriptions sont closes depuis le %(date)s : l'annulation n'est plus possible en ligne.")
            % {"date": _local(event.registration_deadline)}
            + (" " + _("Prévenez l'équipe : %(contact)s.") % {"contact": event.contact} if event.contact else "")
        )
    registration.event = event
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    _email(registration, "cancelled", by=by)
    promoted = _promote(event) if had_seat else []
    return promoted[0] if promoted else None


@transaction.atomic
def hand_over_seat(registration, colleague, by):
    """Give a live registration (its place on the waitlist included) to a colleague of its organisation."""
    event = _lock(registration.event)
    registration = Registration.objects.select_for_update().select_related("organisation").get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(_("Cette inscription est annulée : elle ne peut pas être cédée."))
    problem = window_problem(event)
    if problem:
        raise RegistrationError(problem)
    if colleague.pk == registration.user_id:
        raise RegistrationError(_("Choisissez un·e autre collègue que la personne déjà inscrite."))
    if not _is_member(registration.organisation, colleague):
        raise RegistrationError(
            _("%(person)s n'est pas membre de l'organisation « %(organisation)s ».")
            % {"person": colleague.get_full_name() or colleague.email, "organisation": registration.organisation.name}
        )
    previous = registration.user
    registration.event = event
    registration.user = colleague
    registration.registered_by = by
    try:
        with transaction.atomic():
            registration.save(update_fields=["user", "registered_by"])
    except IntegrityError as error:
        raise AlreadyRegistered(
            _("%(person)s est déjà inscrit·e à cet événement.")
            % {"person": colleague.get_full_name() or colleague.email}
        ) from error
    status = "confirmed" if registration.status == RegistrationStatus.CONFIRMED else "waitlisted"
    _email(registration, status, previous=previous)
    # The person who held the seat hears of it too, above all when a colleague gave it away for them.
    _email(registration, "handed_over", by=by, to=previous)
    return registration


def promote_from_waitlist(event):
    """Fill the seats left from the waitlist, in order, and email each promoted person.

    For staff too (a raised capacity); call inside the transaction that changed the event."""
    with transaction.atomic():
        return _promote(_lock(event))


def _promote(event):
    """Under the event's lock: the first waitlisted take the free seats. Returns them."""
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    if event.capacity is None:
        free = None
    else:
        confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
        free = event.capacity - confirmed
        if free <= 0:
            return []
    promoted = list(waiting.select_related("user", "organisation").order_by("created_at", "pk")[:free])
    now = timezone.now()
    for registration in promoted:
        registration.event = event
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        _email(registration, "promoted")
    return promoted


# Which emails carry the event's .ics: those that give a seat.
_WITH_CALENDAR = {"confirmed", "promoted"}

# Every registrant of an event gets the same .ics; building it (icalendar, with the zone's VTIMEZONE)
# costs more than the rest of a registration, and happens under the event's lock, so that 20 people
# registering at once wait for 20 builds (bench/bench_registration.py). Keyed by what the file says:
# a changed event (updated_at, sequence) or another zone or address is another entry.
_FILES = {}
_FILES_MAX = 256


def _registrant_file(event, territory, url):
    key = (territory.schema_name, territory.time_zone, event.pk, event.sequence, event.updated_at, url)
    content = _FILES.get(key)
    if content is None:
        if len(_FILES) >= _FILES_MAX:
            _FILES.clear()
        content = _FILES[key] = ics.event_file(event, territory, url=url, for_registrant=True).decode()
    return content


def _email(registration, kind, by=None, previous=None, to=None):
    """The email of `kind` about `registration`, to its person (or to `to`: who held it before)."""
    event = registration.event
    recipient = to or registration.user
    territory = current_territory()
    url = territory_url(territory, "events:detail", pk=event.pk)
    context = {
        "event": event,
        "registration": registration,
        "person": registration.user,
        "organisation": registration.organisation,
        "registered_by": registration.registered_by
        if registration.registered_by_id not in (None, registration.user_id)
        else None,
        "done_by": by if by is not None and by.pk != recipient.pk else None,
        "previous": previous,
        "territory": territory,
        "url": url,
    }
    attachments = []
    if kind in _WITH_CALENDAR:
        attachments.append(attachment(ics.file_name(event), _registrant_file(event, territory, url), ics.CONTENT_TYPE))
    queue_email(
        recipient.email,
        f"events/email/registration_{kind}_subject.txt",
        f"events/email/registration_{kind}_message.txt",
        context,
        attachments=attachments,
    )
