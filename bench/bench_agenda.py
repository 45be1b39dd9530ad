"""The territory's agenda with 200 events, an event's page and the calendar feed: server time and queries.

    python bench/bench_agenda.py      # with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-agenda` territory (once); later runs reuse it. Requests go through the
whole Django stack in process (middleware, sessions, templates, database), as a signed-in participant
whose organisation holds registrations, and as a visitor. Goal: agenda page <= 12 ms median. As in
bench_plan.py, the requests alternate with a fixed pure-Python loop in three blocks, and the verdict
reads the block whose loop was fastest (the quietest host).
"""

import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import analyze, count_queries, measure_block, postgres_round_trip  # noqa: E402
from events.enums import EventKind, EventMode, EventStatus, RegistrationStatus  # noqa: E402
from events.models import Event, Registration  # noqa: E402
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402

EVENTS = 200
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
BLOCKS = 3
DOMAIN = "bench-agenda.localhost"
EMAIL = "bench-agenda@example.org"
THEMES = ["GOV", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO"]


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(
            name="Bench agenda", slug="bench-agenda", domain=DOMAIN, admin_email="bench-agenda-admin@example.org"
        )
    ).territory
    with schema_context(territory.schema_name):
        if Event.objects.count() >= EVENTS:
            return territory
        rng = random.Random(42)
        people = [
            User.objects.create_user(f"bench-agenda-{n}@example.org" if n else EMAIL, "bench-password-42")
            for n in range(30)
        ]
        organisations = []
        for index in range(10):
            organisation = Organisation.objects.create(
                name=f"Organisation du banc {index}",
                kind=OrganisationKind.ENTREPRISE,
                headcount_band="11",
                commune="Benchville",
            )
            organisations.append(organisation)
        Membership.objects.bulk_create(
            Membership(user=user, organisation=organisations[n % 10], role=MembershipRole.OWNER)
            for n, user in enumerate(people)
        )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        events = []
        for index in range(EVENTS):
            # Two thirds to come, one third past; a few drafts and cancelled ones.
            start = now + timedelta(days=rng.randint(-120, -1) if index % 3 == 0 else rng.randint(1, 300), hours=9)
            events.append(
                Event(
                    title=f"Rencontre du programme numéro {index}",
                    kind=rng.choice(EventKind.values),
                    description="Une rencontre **pour avancer** ensemble.\n\n- échanges\n- ateliers",
                    themes=rng.sample(THEMES, 2),
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    mode=rng.choice(EventMode.values),
                    place="Maison de l'économie, 1 rue du Banc, Benchville",
                    capacity=rng.choice([None, 20, 40]),
                    seats_per_organisation=3,
                    status=EventStatus.DRAFT
                    if index % 25 == 0
                    else EventStatus.CANCELLED
                    if index % 17 == 0
                    else EventStatus.PUBLISHED,
                )
            )
        events = Event.objects.bulk_create(events)
        Registration.objects.bulk_create(
            Registration(
                event=event,
                user=person,
                organisation_id=organisations[n % 10].pk,
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=now,
            )
            for event in events
            for n, person in enumerate(rng.sample(people, rng.randint(0, 12)))
            if Membership.objects.filter(user=person, organisation_id=organisations[n % 10].pk).exists()
        )
    return territory


def main():
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        user = User.objects.get(email=EMAIL)
        event = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=timezone.now()).first()
        counts = (Event.objects.count(), Registration.objects.count())
    client, visitor = Client(HTTP_HOST=DOMAIN), Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(user)
    connection.set_schema_to_public()
    endpoints = {
        "agenda page": lambda: client.get("/evenements/"),
        "agenda, filtered": lambda: client.get("/evenements/", {"theme": "ENE", "kind": "workshop"}),
        "agenda, past": lambda: client.get("/evenements/", {"period": "passes"}),
        "agenda (visitor)": lambda: visitor.get("/evenements/"),
        "event page": lambda: client.get(f"/evenements/{event.pk}/"),
        "feed .ics": lambda: client.get("/evenements/agenda.ics"),
        # A small page of the same stack, for scale: on a loaded host every figure moves with it.
        "mon espace (reference)": lambda: client.get("/mon-espace/"),
    }
    for _ in range(20):  # warm-up: caches, connections, template loading
        for call in endpoints.values():
            call()
    queries = {name: len(count_queries(call)) for name, call in endpoints.items()}

    print(f"\n{counts[0]} events, {counts[1]} registrations; {BLOCKS} blocks of {ROUNDS} requests to each endpoint")
    print(f"PostgreSQL round trip: {postgres_round_trip():.3f} ms")
    blocks = []
    for number in range(1, BLOCKS + 1):
        block = measure_block(endpoints, ROUNDS)
        blocks.append(block)
        figures = "  ".join(f"{name} {block[name][0]:.2f}/{block[name][1]:.2f}" for name in endpoints)
        print(f"block {number}: host loop {block['loop'][0]:.2f} ms; median/p95 ms: {figures}")
    quiet = min(blocks, key=lambda block: block["loop"][0])
    print(f"\n{'endpoint':<24}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}   (quietest block)")
    for name in endpoints:
        median, p95, fastest = quiet[name]
        print(f"{name:<24}{median:>10.2f}{p95:>8.2f}{fastest:>8.2f}{queries[name]:>9}")
    verdict = "met" if quiet["agenda page"][0] <= 12 else "NOT met"
    print(f"goal: agenda page median <= 12 ms: {verdict}")


if __name__ == "__main__":
    main()
