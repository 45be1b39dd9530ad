"""Registration under load: 20 participants from 20 connections register for the same event at once.

    python bench/bench_registration.py      # with DATABASE_URL / REDIS_URL set

Reuses the `bench-agenda` territory (bench/bench_agenda.py seeds it). Each round publishes an event of
10 seats, then 20 threads, each with its own database connection and session, post the registration
form at the same moment through the whole Django stack; half get a seat, half the waitlist. The
registrations of one event are decided one after the other (the event's row lock,
events/registration.py), so the p95 is the price of that queue. Every round checks the event is not
overbooked. Prints the median and p95 of a registration's server time, and the same registration
alone (no contention) for scale.
"""

import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import reference_loop, summary  # noqa: E402
from events.enums import EventStatus, RegistrationStatus  # noqa: E402
from events.models import Event, Registration  # noqa: E402
from mailing.models import OutgoingEmail  # noqa: E402
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from tenants.models import Territory  # noqa: E402

REGISTRANTS = 20
CAPACITY = 10
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
DOMAIN = "bench-agenda.localhost"
TITLE = "Banc des inscriptions"


def seed(territory):
    with schema_context(territory.schema_name):
        people = []
        for n in range(REGISTRANTS):
            email = f"bench-registration-{n}@example.org"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, "bench-password-42")
                organisation = Organisation.objects.create(
                    name=f"Inscrits du banc {n}", kind=OrganisationKind.ENTREPRISE, headcount_band="11", commune="Banc"
                )
                Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
            people.append((user, Membership.objects.get(user=user).organisation_id))
    return people


def new_event(territory):
    with schema_context(territory.schema_name):
        start = timezone.now() + timedelta(days=30)
        return Event.objects.create(
            title=TITLE,
            kind="workshop",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=CAPACITY,
            status=EventStatus.PUBLISHED,
        ).pk


def clean(territory):
    with schema_context(territory.schema_name):
        OutgoingEmail.objects.filter(subject__contains=TITLE).delete()
        Event.objects.filter(title=TITLE).delete()


def race(clients, event_pk):
    barrier = threading.Barrier(len(clients))
    durations, statuses = [None] * len(clients), [None] * len(clients)

    def run(index):
        client, organisation_pk = clients[index]
        try:
            barrier.wait(timeout=30)
            start = time.perf_counter()
            response = client.post(f"/evenements/{event_pk}/inscription/", {"organisation": organisation_pk})
            durations[index] = (time.perf_counter() - start) * 1000
            statuses[index] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * len(clients), statuses
    return durations


def main():
    territory = Territory.objects.get(schema_name="bench_agenda")
    clean(territory)
    people = seed(territory)
    clients = []
    connection.set_tenant(territory)
    for user, organisation_pk in people:
        client = Client(HTTP_HOST=DOMAIN)
        client.force_login(user)
        clients.append((client, organisation_pk))
    connection.set_schema_to_public()
    loops, contended, alone = [], [], []
    try:
        race(clients, new_event(territory))  # warm-up
        for _ in range(ROUNDS):
            loops.append(reference_loop())
            event_pk = new_event(territory)
            contended.extend(race(clients, event_pk))
            with schema_context(territory.schema_name):
                confirmed = Registration.objects.filter(event_id=event_pk, status=RegistrationStatus.CONFIRMED).count()
            assert confirmed == CAPACITY, f"overbooked: {confirmed} seats for {CAPACITY}"
            # The same registration with nobody else registering, for scale.
            event_pk = new_event(territory)
            client, organisation_pk = clients[0]
            start = time.perf_counter()
            assert (
                client.post(f"/evenements/{event_pk}/inscription/", {"organisation": organisation_pk}).status_code
                == 302
            )
            alone.append((time.perf_counter() - start) * 1000)
    finally:
        clean(territory)
    median, p95, fastest = summary(contended)
    print(
        f"\n{ROUNDS} rounds of {REGISTRANTS} simultaneous registrations for {CAPACITY} seats (host loop median "
        f"{summary(loops)[0]:.2f} ms); never overbooked"
    )
    print(f"registration under contention: median {median:.1f} ms, p95 {p95:.1f} ms, min {fastest:.1f} ms")
    median, p95, fastest = summary(alone)
    print(f"registration alone:            median {median:.1f} ms, p95 {p95:.1f} ms, min {fastest:.1f} ms")


if __name__ == "__main__":
    main()
