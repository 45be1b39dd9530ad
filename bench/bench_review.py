"""The programme review on a big territory, and the national view's collection over many territories.

    python bench/bench_review.py      # with DATABASE_URL / REDIS_URL set

1. The dashboard (`/gestion/bilan/`) and one export on a territory of 5,000 organisations and
   20,000 validated assessments (plus plans), server time through the whole Django stack in
   process. Goal (issue 10): <= 200 ms.
2. The territory's aggregates for the national view (`review.national.territory_aggregates`, what
   its beat task computes) on the same territory.
3. The merge (`benchmarks.services.merge_benchmarks`) over 10, 100 and 1,000 territories' stored
   aggregates, and the national admins' page with 1,000 territories: how they grow.

The first run seeds the `bench-review` territory (once: a minute or two); later runs reuse it. The
many territories of 3. are public rows only (no schema), created for the run and deleted after it.
As in the other benchmarks, a fixed pure-Python loop is timed beside the figures: on a shared host
every figure moves with the load, and the loop says how loaded it was.
"""

import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.measure import analyze, count_queries, reference_loop, summary  # noqa: E402
from benchmarks.models import NationalBenchmark, TerritoryBenchmark  # noqa: E402
from benchmarks.services import merge_benchmarks  # noqa: E402
from organisations.enums import HeadcountBand, OrganisationKind  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from organisations.naf import naf_section  # noqa: E402
from referentiel.enums import AssessmentStatus  # noqa: E402
from referentiel.models import Assessment  # noqa: E402
from referentiel.services import current_version  # noqa: E402
from review.national import territory_aggregates  # noqa: E402
from tenants.enums import EpciKind, TerritoryStatus  # noqa: E402
from tenants.models import Territory  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import PlanStatus  # noqa: E402
from toolbox.models import PlanItem  # noqa: E402
from toolbox.plan import published_themes  # noqa: E402

ORGANISATIONS = 5_000
ASSESSMENTS = 20_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
DOMAIN = "bench-review.localhost"
EMAIL = "bench-review@example.org"
SIZES = (10, 100, 1_000)
NAF = ["10.71C", "25.62B", "43.22A", "47.11B", "49.41A", "56.10A", "62.01Z", "71.11Z", "85.31Z", "86.10Z", "94.99Z"]


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench bilan", slug="bench-review", domain=DOMAIN, admin_email="bench-review-a@example.org")
    ).territory
    with schema_context(territory.schema_name):
        if not User.objects.filter(email=EMAIL).exists():
            User.objects.create_user(EMAIL, "bench-password-42", role=Role.STAFF)
        if Organisation.objects.count() >= ORGANISATIONS:
            return territory
        rng = random.Random(42)
        now = timezone.now()
        codes = [code for code, _title in published_themes()]
        version = current_version()
        with transaction.atomic():
            organisations = Organisation.objects.bulk_create(
                Organisation(
                    name=f"Organisation {index:05d}",
                    search_name=f"organisation {index:05d}",
                    kind=rng.choice(OrganisationKind.values),
                    naf_code=(naf := rng.choice(NAF)),
                    naf_section=naf_section(naf),  # bulk_create skips save(), which sets it
                    headcount_band=rng.choice(HeadcountBand.values),
                    commune=f"Commune {rng.randint(1, 40):02d}",
                )
                for index in range(ORGANISATIONS)
            )
            assessments = []
            for index in range(ASSESSMENTS):
                organisation = organisations[index % ORGANISATIONS]
                score = rng.uniform(10, 90)
                assessments.append(
                    Assessment(
                        organisation=organisation,
                        version=version,
                        status=AssessmentStatus.SUBMITTED,
                        overall_score=Decimal(f"{score:.1f}"),
                        level_rank=1 + int(score // 25),
                        theme_scores={
                            code: {"score": round(min(100, max(0, rng.gauss(score, 10))), 1), "level": 2}
                            for code in codes
                        },
                        submitted_at=now - timedelta(days=index // ORGANISATIONS * 365 + rng.randint(0, 300)),
                    )
                )
            Assessment.objects.bulk_create(assessments, batch_size=2_000)
            PlanItem.objects.bulk_create(
                (
                    PlanItem(
                        organisation=organisations[rng.randrange(ORGANISATIONS)],
                        title=f"Action {index}",
                        theme=rng.choice(codes),
                        status=(status := rng.choice(PlanStatus.values)),
                        completed_at=now - timedelta(days=rng.randint(0, 500)) if status == PlanStatus.DONE else None,
                    )
                    for index in range(10_000)
                ),
                batch_size=2_000,
            )
    return territory


def timed(call, rounds=ROUNDS):
    durations, loops = [], []
    for _ in range(rounds):
        loops.append(reference_loop())
        start = time.perf_counter()
        call()
        durations.append((time.perf_counter() - start) * 1000)
    return summary(durations), summary(loops)[0]


def bench_dashboard(territory):
    with schema_context(territory.schema_name):
        user = User.objects.get(email=EMAIL)
    client = Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(user)
    connection.set_schema_to_public()

    def page():
        assert client.get("/gestion/bilan/").status_code == 200

    def period():
        assert (
            client.get("/gestion/bilan/", {"du": (timezone.localdate() - timedelta(days=365)).isoformat()}).status_code
            == 200
        )

    def export():
        assert client.get("/gestion/bilan/maturite-commune.xlsx").status_code == 200

    for call in (page, period, export):
        call()  # warm-up
    print(f"\nReview of a territory of {ORGANISATIONS} organisations and {ASSESSMENTS} assessments, {ROUNDS} requests")
    print(f"{'':<34}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}{'host loop ms':>14}")
    results = {}
    for name, call in (("dashboard", page), ("dashboard, last 12 months", period), ("export XLSX (communes)", export)):
        queries = len(count_queries(call))
        (median, p95, fastest), loop = timed(call)
        results[name] = median
        print(f"{name:<34}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{queries:>9}{loop:>14.2f}")
    with schema_context(territory.schema_name):
        (median, p95, fastest), loop = timed(territory_aggregates)
        queries = len(count_queries(territory_aggregates))
        payload = territory_aggregates()
    print(f"{'territory aggregates (beat task)':<34}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{queries:>9}{loop:>14.2f}")
    verdict = "met" if results["dashboard"] <= 200 else "NOT met"
    print(f"goal: dashboard median <= 200 ms: {verdict}")
    return payload


def bench_national(payload):
    """Many territories' aggregates (the bench territory's, jittered), merged; then the national page."""
    rng = random.Random(7)
    kinds = EpciKind.values
    created = []
    national = User.objects.filter(email="bench-national@example.org").first() or User.objects.create_user(
        "bench-national@example.org", "bench-password-42", is_staff=True
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(national)
    print(f"\n{'national view':<34}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}{'host loop ms':>14}")
    try:
        for size in SIZES:
            while len(created) < size:
                index = len(created)
                territory = Territory(
                    name=f"Territoire de banc {index:04d}",
                    slug=f"banc-national-{index:04d}",
                    schema_name=f"banc_national_{index:04d}",  # never created: public rows only
                    kind=rng.choice(kinds),
                    status=TerritoryStatus.ACTIVE,
                )
                territory.save()
                groups = [
                    [kind, theme, max(1, int(count * rng.uniform(0.02, 0.2))), total * rng.uniform(0.01, 0.2)]
                    for kind, theme, count, total in payload["groups"]
                ]
                TerritoryBenchmark.objects.create(
                    territory=territory,
                    collected_at=timezone.now(),
                    figures=payload["figures"],
                    groups=groups,
                    themes=payload["themes"],
                    kinds=payload["kinds"],
                )
                created.append(territory)
            (median, p95, fastest), loop = timed(merge_benchmarks, rounds=5)
            queries = len(count_queries(merge_benchmarks))
            print(
                f"{f'merge, {size} territories':<34}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{queries:>9}{loop:>14.2f}"
            )

        def page():
            assert client.get("/plateforme/bilan/").status_code == 200

        page()
        queries = len(count_queries(page))
        (median, p95, fastest), loop = timed(page, rounds=10)
        name = f"national page, {len(created)} territories"
        print(f"{name:<34}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{queries:>9}{loop:>14.2f}")
        print(f"national groups stored: {NationalBenchmark.objects.count()}")
    finally:
        Territory.objects.filter(pk__in=[t.pk for t in created]).delete()
        merge_benchmarks()


def main():
    print(f"host load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    territory = seed()
    analyze()
    payload = bench_dashboard(territory)
    connection.set_schema_to_public()
    bench_national(payload)


if __name__ == "__main__":
    main()
