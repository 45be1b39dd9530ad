"""Registering for an event: capacity, per-organisation limit, waitlist and promotion, the window, emails."""

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from events.enums import RegistrationStatus
from events.models import Registration
from events.registration import (
    AlreadyRegistered,
    RegistrationError,
    cancel_registration,
    hand_over_seat,
    promote_from_waitlist,
    register_for_event,
)

from .factories import EventFactory, OrganisationFactory, UserFactory, member_of


@pytest.fixture
def organisation(in_a):
    return OrganisationFactory(name="Boulangerie du Clain")


@pytest.fixture
def people(organisation):
    return [member_of(organisation) for _ in range(4)]


def register(event, organisation, person, by=None):
    return register_for_event(event, organisation, person, by or person)


def test_a_participant_registers_and_gets_the_confirmation_with_the_ics(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=10)

    registration = register(event, organisation, people[0])

    assert registration.status == RegistrationStatus.CONFIRMED and registration.confirmed_at
    [email] = queued_emails(in_a)
    assert email.recipients == [people[0].email]
    assert email.subject == f"Inscription confirmée : {event.title}"
    assert "Votre inscription à" in email.body and "/evenements/" in email.body
    [ics_file] = email.attachments
    assert ics_file["filename"] == f"evenement-{event.pk}.ics" and ics_file["mimetype"].startswith("text/calendar")
    [vevent] = icalendar.Calendar.from_ical(ics_file["content"]).events
    assert str(vevent["SUMMARY"]) == event.title


def test_a_participant_registers_a_colleague_who_is_told_who_did(in_a, organisation, people, queued_emails):
    event = EventFactory()

    registration = register(event, organisation, people[1], by=people[0])

    assert registration.user == people[1] and registration.registered_by == people[0]
    [email] = queued_emails(in_a)
    assert email.recipients == [people[1].email]
    assert f"{people[0].get_full_name()} vous a inscrit·e" in email.body


def test_someone_outside_the_organisation_cannot_be_registered_for_it(in_a, organisation, people):
    stranger = UserFactory(first_name="Alex", last_name="Durand")

    with pytest.raises(RegistrationError, match="Alex Durand n'est pas membre de l'organisation"):
        register(EventFactory(), organisation, stranger, by=people[0])
    with pytest.raises(RegistrationError, match="Vous n'êtes pas membre"):
        register(EventFactory(), organisation, people[0], by=stranger)
    assert not Registration.objects.exists()


def test_one_person_registers_once(in_a, organisation, people):
    event = EventFactory()
    register(event, organisation, people[0])

    with pytest.raises(AlreadyRegistered, match="Vous êtes déjà inscrit·e"):
        register(event, organisation, people[0])
    assert Registration.objects.filter(event=event).count() == 1


def test_a_limit_of_one_seat_per_organisation_is_said_in_the_singular(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=10, seats_per_organisation=1)
    register(event, organisation, people[0])

    with pytest.raises(RegistrationError, match="« Boulangerie du Clain » a déjà 1 inscrit·e : .* céder cette place"):
        register(event, organisation, people[1])


def test_the_organisation_limit_counts_its_live_registrations(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=10, seats_per_organisation=2)
    register(event, organisation, people[0])
    register(event, organisation, people[1], by=people[0])

    with pytest.raises(RegistrationError, match="« Boulangerie du Clain » a déjà 2 inscrit·e·s"):
        register(event, organisation, people[2])
    other = OrganisationFactory()
    assert register(event, other, member_of(other)).status == RegistrationStatus.CONFIRMED

    cancel_registration(Registration.objects.get(user=people[1]), people[1])
    assert register(event, organisation, people[2]).status == RegistrationStatus.CONFIRMED


def test_a_full_event_puts_people_on_the_waitlist_in_order(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=2)
    first, second = register(event, organisation, people[0]), register(event, organisation, people[1])

    third, fourth = register(event, organisation, people[2]), register(event, organisation, people[3])

    assert [r.status for r in (first, second)] == [RegistrationStatus.CONFIRMED] * 2
    assert [r.status for r in (third, fourth)] == [RegistrationStatus.WAITLISTED] * 2
    waitlisted_email = queued_emails(in_a)[2]
    assert waitlisted_email.subject.startswith("Liste d'attente") and not waitlisted_email.attachments


def test_a_cancellation_promotes_the_first_waitlisted_and_emails_them(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=1)
    seat = register(event, organisation, people[0])
    first_waiting, second_waiting = register(event, organisation, people[1]), register(event, organisation, people[2])
    started = len(queued_emails(in_a))

    promoted = cancel_registration(seat, people[0])

    assert promoted.pk == first_waiting.pk
    first_waiting.refresh_from_db(), second_waiting.refresh_from_db(), seat.refresh_from_db()
    assert (seat.status, first_waiting.status, second_waiting.status) == ("cancelled", "confirmed", "waitlisted")
    cancelled, promotion = queued_emails(in_a)[started:]
    assert cancelled.recipients == [people[0].email] and cancelled.subject.startswith("Inscription annulée")
    assert promotion.recipients == [people[1].email]
    assert promotion.subject == f"Une place s'est libérée : {event.title}"
    assert promotion.attachments[0]["filename"].endswith(".ics")


def test_cancelling_from_the_waitlist_promotes_nobody(in_a, organisation, people):
    event = EventFactory(capacity=1)
    register(event, organisation, people[0])
    waiting = register(event, organisation, people[1])
    register(event, organisation, people[2])

    assert cancel_registration(waiting, people[1]) is None
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1


def test_a_cancelled_person_may_register_again(in_a, organisation, people):
    event = EventFactory()
    cancel_registration(register(event, organisation, people[0]), people[0])

    assert register(event, organisation, people[0]).status == RegistrationStatus.CONFIRMED


def test_registration_closes_at_the_deadline_and_so_does_cancelling(in_a, organisation, people):
    now = timezone.now()
    event = EventFactory(registration_closes_at=now + timedelta(days=1))
    registration = register(event, organisation, people[0])
    event.registration_closes_at = now - timedelta(minutes=1)
    event.save()

    with pytest.raises(RegistrationError, match="Les inscriptions sont closes depuis le"):
        register(event, organisation, people[1])
    with pytest.raises(RegistrationError, match="l'annulation n'est plus possible en ligne"):
        cancel_registration(registration, people[0])
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_without_a_closing_date_registration_closes_when_the_event_starts(in_a, organisation, people):
    start = timezone.now() - timedelta(minutes=5)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))

    with pytest.raises(RegistrationError, match="closes"):
        register(event, organisation, people[0])


def test_registration_opens_at_its_date_shown_in_the_territory_zone(in_a, organisation, people):
    opens = (timezone.now() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    event = EventFactory(registration_opens_at=opens)

    with pytest.raises(RegistrationError, match=r"Les inscriptions ouvrent le .* à 1[34]:00"):  # Paris: UTC+1 or +2
        register(event, organisation, people[0])


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_a_draft_or_cancelled_event_takes_no_registration(in_a, organisation, people, status):
    with pytest.raises(RegistrationError):
        register(EventFactory(status=status), organisation, people[0])
    assert not Registration.objects.exists()


def test_a_seat_is_handed_over_to_a_colleague_who_gets_the_confirmation(in_a, organisation, people, queued_emails):
    event = EventFactory(capacity=1)
    seat = register(event, organisation, people[0])
    started = len(queued_emails(in_a))

    handed = hand_over_seat(seat, people[1], people[0])

    assert (handed.pk, handed.user, handed.status) == (seat.pk, people[1], RegistrationStatus.CONFIRMED)
    email, notice = queued_emails(in_a)[started:]
    assert email.recipients == [people[1].email] and "vous a cédé sa place" in email.body
    assert email.attachments
    assert notice.recipients == [people[0].email] and notice.subject.startswith("Place cédée : ")
    assert "Vous avez cédé votre place à « " in notice.body and "Vous n'êtes plus inscrit·e" in notice.body
    assert not notice.attachments


def test_a_seat_handed_over_by_a_colleague_tells_its_holder_who_gave_it(in_a, organisation, people, queued_emails):
    seat = register(EventFactory(), organisation, people[0])
    started = len(queued_emails(in_a))

    hand_over_seat(seat, people[1], people[2])

    notice = queued_emails(in_a)[-1]
    assert queued_emails(in_a)[started].recipients == [people[1].email]
    assert notice.recipients == [people[0].email]
    name = people[2].get_full_name() or people[2].email
    assert f"{name} a cédé votre place à « " in notice.body


def test_a_seat_goes_only_to_a_colleague_not_yet_registered(in_a, organisation, people):
    event = EventFactory()
    seat = register(event, organisation, people[0])
    register(event, organisation, people[1])

    with pytest.raises(AlreadyRegistered):
        hand_over_seat(seat, people[1], people[0])
    with pytest.raises(RegistrationError, match="n'est pas membre"):
        hand_over_seat(seat, UserFactory(), people[0])
    seat.refresh_from_db()
    assert seat.user == people[0]


def test_raising_the_capacity_then_promoting_fills_the_new_seats_in_order(in_a, organisation, people):
    event = EventFactory(capacity=1)
    for person in people:
        register(event, organisation, person)
    event.capacity = 3
    event.save()

    promoted = promote_from_waitlist(event)

    assert [r.user for r in promoted] == people[1:3]


def test_a_newcomer_never_jumps_the_waitlist(in_a, organisation, people):
    event = EventFactory(capacity=1)
    register(event, organisation, people[0])
    waiting = register(event, organisation, people[1])
    event.capacity = 2  # raised without promoting (staff's save)
    event.save()

    newcomer = register(event, organisation, people[2])

    waiting.refresh_from_db()
    assert (waiting.status, newcomer.status) == ("confirmed", "waitlisted")


def test_a_confirmation_after_the_event_changed_carries_the_new_time(in_a, organisation, people, queued_emails):
    event = EventFactory()
    register(event, organisation, people[0])
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.sequence += 1
    event.save()

    register(event, organisation, people[1])

    first, second = (icalendar.Calendar.from_ical(e.attachments[0]["content"]).events[0] for e in queued_emails(in_a))
    assert timedelta(days=1) == second.DTSTART - first.DTSTART
    assert second["SEQUENCE"] == first["SEQUENCE"] + 1


def test_the_email_gives_the_time_in_the_territory_zone(in_a, organisation, people, queued_emails):
    from datetime import UTC, datetime

    start = datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    in_a.time_zone = "Indian/Mayotte"  # the connection's territory, as a Mayotte site's request holds it
    try:
        register(event, organisation, people[0])
    finally:
        in_a.time_zone = "Europe/Paris"

    [email] = queued_emails(in_a)
    assert "Quand : vendredi 1er mars 2030, de 18:00 à 20:00" in email.body
