"""Never overbooked: 24 people from 24 connections register at the same moment for the last 5 seats.

Each thread has its own database connection and the data is committed, as in production, so the
only thing between them is the event's row lock in events/registration.py.
"""

import threading

import pytest
from django.db import connection, connections

from accounts.models import User
from events.enums import RegistrationStatus
from events.models import Event, Registration
from events.registration import RegistrationError, cancel_registration, register_for_event
from mailing.models import OutgoingEmail
from organisations.models import Organisation
from tests.threads import in_own_connection

from .factories import EventFactory, OrganisationFactory, member_of

RACERS = 24
CAPACITY = 12
ALREADY_IN = CAPACITY - 5  # five seats left when the race starts
TITLE = "Atelier de la course aux places"


def _seed():
    event = EventFactory(title=TITLE, capacity=CAPACITY, seats_per_organisation=3)
    # Organisations of three people each: the per-organisation limit takes part in the race too.
    organisations = [OrganisationFactory(name=f"Course {index}") for index in range((ALREADY_IN + RACERS) // 3 + 1)]
    people = [(organisation, member_of(organisation)) for organisation in organisations for _ in range(3)]
    for organisation, person in people[:ALREADY_IN]:
        register_for_event(event, organisation, person, person)
    return event.pk, [(organisation.pk, person.pk) for organisation, person in people[ALREADY_IN : ALREADY_IN + RACERS]]


def _cleanup():
    events = Event.objects.filter(title=TITLE)
    emails = User.objects.filter(registrations__event__in=events).values_list("email", flat=True)
    OutgoingEmail.objects.filter(subject__contains=TITLE).delete()
    User.objects.filter(email__in=list(emails)).delete()
    events.delete()
    Organisation.objects.filter(name__startswith="Course ").delete()


@pytest.fixture
def committed(db, territory_a):
    in_own_connection(territory=territory_a, func=_cleanup)
    yield in_own_connection(territory=territory_a, func=_seed)
    in_own_connection(territory=territory_a, func=_cleanup)


def _race(territory, work, count):
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        try:
            connection.set_tenant(territory)
            prepared = work(index, prepare=True)
            barrier.wait(timeout=30)
            outcomes[index] = work(index, prepared=prepared)
        except Exception as error:  # noqa: BLE001 - the test inspects what each call raised
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _counts(event_pk):
    registrations = Registration.objects.filter(event_id=event_pk)
    return {
        status: registrations.filter(status=status).count()
        for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)
    }


def test_simultaneous_registrations_never_overbook_the_event(committed, territory_a):
    event_pk, racers = committed

    def register(index, prepare=False, prepared=None):
        if prepare:
            organisation_pk, person_pk = racers[index]
            return (
                Event.objects.get(pk=event_pk),
                Organisation.objects.get(pk=organisation_pk),
                User.objects.get(pk=person_pk),
            )
        event, organisation, person = prepared
        return register_for_event(event, organisation, person, person)

    outcomes = _race(territory_a, register, RACERS)

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert all(isinstance(error, RegistrationError) for error in errors), errors
    counts = in_own_connection(territory=territory_a, func=lambda: _counts(event_pk))
    assert counts[RegistrationStatus.CONFIRMED] == CAPACITY  # the 5 last seats, not one more
    confirmed_in_race = [
        o for o in outcomes if not isinstance(o, Exception) and o.status == RegistrationStatus.CONFIRMED
    ]
    assert len(confirmed_in_race) == 5
    # Everyone else is on the waitlist, or refused by their organisation's limit of 3: nobody is lost.
    assert counts[RegistrationStatus.WAITLISTED] + len(errors) == RACERS - 5
    per_organisation = in_own_connection(
        territory=territory_a,
        func=lambda: list(
            Registration.objects.filter(event_id=event_pk)
            .exclude(status=RegistrationStatus.CANCELLED)
            .values_list("organisation_id", flat=True)
        ),
    )
    assert max(per_organisation.count(org) for org in set(per_organisation)) <= 3


def test_simultaneous_cancellations_promote_each_waitlisted_person_once(committed, territory_a):
    event_pk, racers = committed

    def fill():
        event = Event.objects.get(pk=event_pk)
        for organisation_pk, person_pk in racers[:14]:  # 5 seats, then 9 waiting
            person = User.objects.get(pk=person_pk)
            register_for_event(event, Organisation.objects.get(pk=organisation_pk), person, person)
        return list(
            Registration.objects.filter(event_id=event_pk, status=RegistrationStatus.CONFIRMED).values_list(
                "pk", flat=True
            )
        )

    confirmed = in_own_connection(territory=territory_a, func=fill)
    waiting_before = in_own_connection(
        territory=territory_a, func=lambda: _counts(event_pk)[RegistrationStatus.WAITLISTED]
    )

    def cancel(index, prepare=False, prepared=None):
        if prepare:
            return Registration.objects.select_related("event", "user").get(pk=confirmed[index])
        return cancel_registration(prepared, prepared.user)

    outcomes = _race(territory_a, cancel, 6)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    promoted = [o.pk for o in outcomes if o is not None]
    assert waiting_before == 9
    assert len(promoted) == len(set(promoted)) == 6
    counts = in_own_connection(territory=territory_a, func=lambda: _counts(event_pk))
    assert counts[RegistrationStatus.CONFIRMED] == CAPACITY
