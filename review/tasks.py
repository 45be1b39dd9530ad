import logging

from celery import shared_task
from django.db import connection

logger = logging.getLogger(__name__)


@shared_task(name="review.collect_territory_benchmark")
def collect_territory_benchmark():
    """In the territory's schema (its headers say which): compute its aggregates and store them for the
    national view. A part of benchmarks.collect_benchmarks' chord: it logs a failure instead of
    raising it, so that the merge still runs (with this territory's previous aggregates)."""
    from benchmarks.services import store_territory_benchmark

    from .national import territory_aggregates

    try:
        store_territory_benchmark(connection.tenant.pk, territory_aggregates())
    except Exception:
        logger.exception("Benchmark aggregates of %s not collected", connection.schema_name)
        return None
    return connection.schema_name
