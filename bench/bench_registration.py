"""Registration under load: 20 participants from 20 connections register for the same event at once.

    python bench/bench_registration.py      # with DATABASE_URL / REDIS_URL set

Reuses the `bench-agenda` territory (bench/bench_agenda.py seeds it). Each round publishes an event of
10 seats, then 20 processes, each with its own database connection and session (as gunicorn's workers:
threads would share one interpreter lock and measure that instead), post the registration form at the
same moment through the whole Django stack; half get a seat, half the waitlist. The
registrations of one event are decided one after the other (the event's row lock,
events/registration.py), so the p95 is the price of that queue. Every round checks the event is not
overbooked. Prints the median and p95 of a registration's server time, and the same registration
alone (no contention) for scale.
"""

import multiprocessing
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
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


def registrant(index, cookie, organisation_pk, event_pks, barrier, results):
    """One participant in a process of its own (its own connection, its own interpreter: no GIL shared
    with the others, as gunicorn's worker processes), posting the form once per round."""
    connections.close_all()  # the parent's connection must not be shared across the fork
    client = Client(HTTP_HOST=DOMAIN)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    durations = []
    for event_pk in event_pks:
        barrier.wait(timeout=120)
        start = time.perf_counter()
        response = client.post(f"/evenements/{event_pk}/inscription/", {"organisation": organisation_pk})
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
        barrier.wait(timeout=120)
    results.put(durations)


def main():
    territory = Territory.objects.get(schema_name="bench_agenda")
    clean(territory)
    people = seed(territory)
    connection.set_tenant(territory)
    sessions = []
    for user, organisation_pk in people:
        client = Client(HTTP_HOST=DOMAIN)
        client.force_login(user)
        sessions.append((client.cookies[settings.SESSION_COOKIE_NAME].value, organisation_pk))
    connection.set_schema_to_public()
    event_pks = [new_event(territory) for _ in range(ROUNDS + 1)]  # the first round warms up
    loops, alone = [], []
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(REGISTRANTS + 1), context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=registrant, args=(index, cookie, organisation_pk, event_pks, barrier, results))
        for index, (cookie, organisation_pk) in enumerate(sessions)
    ]
    try:
        for process in processes:
            process.start()
        for event_pk in event_pks:
            loops.append(reference_loop())
            barrier.wait(timeout=120)  # they all post now
            barrier.wait(timeout=120)  # they all got their answer
            with schema_context(territory.schema_name):
                confirmed = Registration.objects.filter(event_id=event_pk, status=RegistrationStatus.CONFIRMED).count()
            assert confirmed == CAPACITY, f"overbooked: {confirmed} seats for {CAPACITY}"
        contended = [duration for _ in processes for duration in results.get(timeout=120)[1:]]
        for process in processes:
            process.join(timeout=60)
        # The same registration with nobody else registering, for scale.
        client = Client(HTTP_HOST=DOMAIN)
        cookie, organisation_pk = sessions[0]
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        for _ in range(ROUNDS):
            event_pk = new_event(territory)
            start = time.perf_counter()
            response = client.post(f"/evenements/{event_pk}/inscription/", {"organisation": organisation_pk})
            alone.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        clean(territory)
    median, p95, fastest = summary(contended)
    print(
        f"\n{ROUNDS} rounds of {REGISTRANTS} simultaneous registrations (one process each) for {CAPACITY} seats "
        f"(host loop median {summary(loops)[0]:.2f} ms, {os.cpu_count()} CPUs); never overbooked"
    )
    print(f"registration under contention: median {median:.1f} ms, p95 {p95:.1f} ms, min {fastest:.1f} ms")
    median, p95, fastest = summary(alone)
    print(f"registration alone:            median {median:.1f} ms, p95 {p95:.1f} ms, min {fastest:.1f} ms")


if __name__ == "__main__":
    main()
