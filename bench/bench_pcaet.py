"""The PCAET staff pages on a large plan: 200 PCAET actions, 150 toolbox actions, 1,000 organisations, 8,000 plan items.

    python -m assett.devstack bench     # all benchmarks, embedded or configured services
    python bench/bench_pcaet.py         # this one, with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-pcaet` territory (a minute, once); later runs reuse it. Requests go
through the whole Django stack in process, so the figures are server time without network noise.
The contribution is aggregated by PostgreSQL in one query whatever the size of the plan; the goal
is the contribution page <= 60 ms median and each export <= 150 ms median on this plan (a real
PCAET has 100 to 200 actions). Every endpoint is measured in interleaved rounds beside a fixed
pure-Python loop that says how loaded the shared host was.
"""

import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.measure import analyze  # noqa: E402
from organisations.demo import demo_siret  # noqa: E402
from organisations.enums import OrganisationKind  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import CostBand, Duration, ImpactTier, PlanStatus  # noqa: E402
from toolbox.models import Action, PcaetAction, PlanItem  # noqa: E402

PCAET_ACTIONS = 200
TOOLBOX_ACTIONS = 150
ORGANISATIONS = 1000
ITEMS_PER_ORGANISATION = 8
ROUNDS = 60
DOMAIN = "bench-pcaet.localhost"
THEMES = ("PIL", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO")
STATUSES = [PlanStatus.TODO, PlanStatus.IN_PROGRESS, PlanStatus.DONE, PlanStatus.DONE, PlanStatus.PAUSED]


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench PCAET", slug="bench-pcaet", domain=DOMAIN, admin_email="bench-pcaet@example.org")
    ).territory
    with schema_context(territory.schema_name):
        if PlanItem.objects.count() >= ORGANISATIONS * ITEMS_PER_ORGANISATION // 2:
            return territory
        rng = random.Random(42)
        Action.objects.filter(code__startswith="BENCH-").delete()
        actions = Action.objects.bulk_create(
            Action(
                code=f"BENCH-{index:03d}",
                title=f"Action de banc d'essai {index}",
                promise="Une action du banc d'essai.",
                main_theme=THEMES[index % len(THEMES)],
                cost=CostBand.LOW,
                duration=Duration.WEEKS,
                impact=ImpactTier.MEDIUM,
                co2_tonnes_per_year=Decimal(rng.randint(1, 400)) / 10 if index % 3 else None,
            )
            for index in range(TOOLBOX_ACTIONS)
        )
        pcaets = PcaetAction.objects.bulk_create(
            PcaetAction(
                code=f"{index // 20 + 1}.{index // 5 % 4 + 1}.{index % 5 + 1}",
                title=f"Action du plan climat {index}",
                axis=f"{index // 20 + 1}. Axe {index // 20 + 1}",
                order=index + 1,
            )
            for index in range(PCAET_ACTIONS)
        )
        through = PcaetAction.toolbox_actions.through
        through.objects.bulk_create(
            through(pcaetaction_id=pcaet.pk, action_id=action.pk)
            for pcaet in pcaets
            for action in rng.sample(actions, rng.randint(3, 6))
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Organisation {index:04d}",
                kind=OrganisationKind.ENTREPRISE,
                siret=demo_siret(rng),
                naf_code="62.01Z",
                naf_version="NAFRev2",
                headcount_band="11",
                commune="Benchville",
            )
            for index in range(ORGANISATIONS)
        )
        PlanItem.objects.bulk_create(
            PlanItem(organisation=organisation, action=action, title=action.title, status=rng.choice(STATUSES))
            for organisation in organisations
            for action in rng.sample(actions, ITEMS_PER_ORGANISATION)
        )
        if not User.objects.filter(email="bench-staff@example.org").exists():
            User.objects.create_user("bench-staff@example.org", "bench-password-42", role=Role.STAFF)
    return territory


def count_queries(call):
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return [sql for sql in statements if not sql.startswith("SET search_path")]


def reference_loop():
    start = time.perf_counter()
    sum(i * i for i in range(20000))
    return (time.perf_counter() - start) * 1000


def summary(durations):
    durations = sorted(durations)
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1], durations[0]


def main():
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        staff = User.objects.get(email="bench-staff@example.org")
        sizes = (PcaetAction.objects.count(), Organisation.objects.count(), PlanItem.objects.count())
    client = Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(staff)
    connection.set_schema_to_public()
    endpoints = {
        "contribution page": ("/gestion/pcaet/contribution/", 60),
        "contribution.csv": ("/gestion/pcaet/contribution.csv", 150),
        "contribution.xlsx": ("/gestion/pcaet/contribution.xlsx", 150),
        "PCAET list": ("/gestion/pcaet/", 60),
    }

    def call(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    for url, _goal in endpoints.values():  # warm-up
        for _ in range(5):
            call(url)
    queries = {name: len(count_queries(lambda url=url: call(url))) for name, (url, _goal) in endpoints.items()}
    timings = {name: [] for name in endpoints} | {"loop": []}
    for _ in range(ROUNDS):
        timings["loop"].append(reference_loop())
        for name, (url, _goal) in endpoints.items():
            start = time.perf_counter()
            call(url)
            timings[name].append((time.perf_counter() - start) * 1000)

    print(f"\nPCAET of {sizes[0]} actions, {sizes[1]} organisations, {sizes[2]} plan items, {ROUNDS} rounds")
    print(f"host loop median {summary(timings['loop'])[0]:.2f} ms")
    print(f"{'endpoint':<20}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}   goal")
    for name, (_url, goal) in endpoints.items():
        median, p95, fastest = summary(timings[name])
        verdict = "met" if median <= goal else "NOT met"
        print(f"{name:<20}{median:>10.2f}{p95:>8.2f}{fastest:>8.2f}{queries[name]:>9}   median <= {goal} ms: {verdict}")


if __name__ == "__main__":
    main()
