"""The reminder job across 50 territories with 20 events each: its time, server side.

    python bench/bench_reminders.py      # with DATABASE_URL / REDIS_URL set

The first run seeds 50 `bench-rappels-NN` territories (half in Mayotte's zone, half in Paris'), each
with 20 published events whose reminder is due and 10 confirmed attendees per event: 10,000
reminders per run. Later runs reuse them. Each round clears the marks and the queued reminders, then
runs the job of every territory in turn, in process (what the beat job's fan-out asks of the workers,
added up): each reminder is rendered, its .ics built, its email row written and its send task
published to Redis, as in production. The « nothing due » run is the same job right after, when every
reminder is already marked: the cost of the job every 15 minutes on a quiet day.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")
# The send tasks go to a queue of their own, emptied at the end: no worker is meant to send them.
os.environ.setdefault("CELERY_QUEUE", "bench-reminders")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import analyze, count_queries, reference_loop, summary  # noqa: E402
from events.enums import EventKind, EventStatus, RegistrationStatus  # noqa: E402
from events.models import Event, Registration  # noqa: E402
from events.reminders import run_background_emails  # noqa: E402
from mailing.models import OutgoingEmail  # noqa: E402
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from tenants.models import Territory  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402

TERRITORIES = int(os.environ.get("BENCH_TERRITORIES", "50"))
EVENTS = 20
ATTENDEES = 10
PEOPLE = 40
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _seed_territory(index):
    slug = f"bench-rappels-{index:02d}"
    zone = "Indian/Mayotte" if index % 2 else "Europe/Paris"
    territory = provision_territory(
        TerritorySpec(
            name=f"Bench rappels {index:02d}",
            slug=slug,
            domain=f"{slug}.localhost",
            admin_email=f"admin@{slug}.example.org",
            time_zone=zone,
        )
    ).territory
    with schema_context(territory.schema_name):
        if Event.objects.count() >= EVENTS:
            return territory
        people = []
        for number in range(PEOPLE):
            user = User.objects.create_user(f"personne-{number}@{slug}.example.org", None, first_name="Camille")
            organisation = Organisation.objects.create(
                name=f"Organisation {number}", kind=OrganisationKind.ENTREPRISE, headcount_band="02", commune="Ici"
            )
            Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
            people.append((user, organisation))
        start = (timezone.now() + timedelta(days=300)).replace(second=0, microsecond=0)
        for number in range(EVENTS):
            event = Event.objects.create(
                title=f"Atelier {number} du territoire",
                kind=EventKind.WORKSHOP,
                starts_at=start + timedelta(hours=number),
                ends_at=start + timedelta(hours=number + 2),
                place="Salle du conseil",
                status=EventStatus.PUBLISHED,
                reminder_days_before=2,
            )
            Registration.objects.bulk_create(
                Registration(
                    event=event,
                    user=user,
                    organisation=organisation,
                    status=RegistrationStatus.CONFIRMED,
                    confirmed_at=timezone.now(),
                )
                for user, organisation in people[number % 4 * ATTENDEES :][:ATTENDEES]
            )
    return territory


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    started = time.perf_counter()
    territories = [_seed_territory(index) for index in range(TERRITORIES)]
    print(f"{len(territories)} territories ready in {time.perf_counter() - started:.0f} s")
    return territories


def reset(territories):
    """Events move with the clock: each round, they start 30 h from now (their reminder is due)."""
    start = (timezone.now() + timedelta(hours=30)).replace(second=0, microsecond=0)
    for territory in territories:
        with schema_context(territory.schema_name):
            for number, event in enumerate(Event.objects.order_by("pk")):
                Event.objects.filter(pk=event.pk).update(
                    starts_at=start + timedelta(minutes=number), ends_at=start + timedelta(minutes=number, hours=2)
                )
            Registration.objects.update(
                reminder_sent_at=None, feedback_requested_at=None, created_at=timezone.now() - timedelta(days=10)
            )
            OutgoingEmail.objects.filter(subject__startswith="Rappel : ").delete()


def run_everywhere(territories):
    """Each territory's job in its own schema and zone; returns (seconds, reminders, per-territory ms)."""
    sent, per_territory = 0, []
    started = time.perf_counter()
    for territory in Territory.objects.filter(pk__in=[t.pk for t in territories]).order_by("pk"):
        connection.set_tenant(territory)
        one = time.perf_counter()
        reminders, _requests = run_background_emails()
        per_territory.append((time.perf_counter() - one) * 1000)
        sent += reminders
    connection.set_schema_to_public()
    return time.perf_counter() - started, sent, per_territory


def main():
    territories = seed()
    analyze()
    expected = TERRITORIES * EVENTS * ATTENDEES
    print(f"{TERRITORIES} territories × {EVENTS} events × {ATTENDEES} attendees = {expected} reminders per run")
    for round_number in range(1, ROUNDS + 1):
        reset(territories)
        loop = reference_loop()
        seconds, sent, per_territory = run_everywhere(territories)
        median, p95, fastest = summary(per_territory)
        assert sent == expected, f"{sent} reminders sent, {expected} expected"
        print(
            f"round {round_number}: {seconds:.1f} s for {sent} reminders ({seconds / sent * 1000:.2f} ms each); "
            f"per territory median {median:.0f} ms, p95 {p95:.0f} ms, min {fastest:.0f} ms "
            f"(reference loop {loop:.2f} ms)"
        )
        idle, nothing, per_territory = run_everywhere(territories)
        assert nothing == 0
        print(f"         then nothing due: {idle * 1000:.0f} ms for the {TERRITORIES} territories")
    connection.set_tenant(territories[0])
    queries = count_queries(run_background_emails)
    connection.set_schema_to_public()
    print(f"queries of one territory's job with nothing due: {len(queries)}")
    from assett.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


if __name__ == "__main__":
    main()
