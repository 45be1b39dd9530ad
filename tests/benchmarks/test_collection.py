"""The periodic collection with a real Celery worker on Redis, across two territories.

The worker reads what the test commits: objects are written on a thread's connection, in
autocommit (`committed`), and removed at the end.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from benchmarks.models import NationalBenchmark, TerritoryBenchmark
from benchmarks.tasks import collect_benchmarks
from organisations.enums import OrganisationKind
from organisations.models import Organisation

from ..review.factories import OrganisationFactory, submitted

pytestmark = [pytest.mark.worker, pytest.mark.django_db]


def committed(query, schema_name=None):
    def in_thread():
        try:
            if schema_name is None:
                return query()
            with schema_context(schema_name):
                return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail("The collection did not end in time.")


@pytest.fixture
def organisations_in_both(territories):
    a, b = territories

    def create(count, score, prefix):
        def run():
            for index in range(count):
                submitted(OrganisationFactory(name=f"{prefix} {index}", kind=OrganisationKind.ENTREPRISE), score)

        return run

    committed(create(6, 40, "Collecte A"), a.schema_name)
    committed(create(4, 90, "Collecte B"), b.schema_name)
    yield a, b

    def delete():
        Organisation.objects.filter(name__startswith="Collecte ").delete()

    committed(delete, a.schema_name)
    committed(delete, b.schema_name)
    committed(lambda: (TerritoryBenchmark.objects.all().delete(), NationalBenchmark.objects.all().delete()))


def test_the_beat_job_collects_every_territory_in_its_schema_then_merges(organisations_in_both, celery_worker):
    a, b = organisations_in_both
    started = committed(lambda: time.time())

    collect_benchmarks.apply_async(queue=celery_worker)

    def merged():
        rows = committed(lambda: list(NationalBenchmark.objects.filter(epci_kind="", theme="")))
        return [row for row in rows if row.merged_at.timestamp() >= started - 1] or None

    rows = {row.organisation_kind: row for row in wait_for(merged)}
    stored = committed(lambda: {t.territory_id: t.figures for t in TerritoryBenchmark.objects.all()})
    # Each territory's task ran in its own schema: A's six businesses, B's four.
    assert stored[a.pk]["organisations"] == 6
    assert stored[b.pk]["organisations"] == 4
    # Ten businesses nationally: (6 × 40 + 4 × 90) / 10 = 60.
    assert rows["entreprise"].organisations == 10
    assert float(rows["entreprise"].average) == 60
    # B's four alone are never a group: not as B's kind of EPCI (a métropole, B only).
    assert not committed(lambda: NationalBenchmark.objects.filter(epci_kind="metropole").exists())
