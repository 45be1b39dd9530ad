"""The national view's periodic collection: one task per territory, in its schema, then one merge.

The beat job `benchmarks.collect_benchmarks` sends, as a Celery chord, the territory task
(constants.TERRITORY_TASK, review/'s: it computes the territory's aggregates in its schema and stores
them through services.store_territory_benchmark) to every open territory, each with its schema in
its headers, and the merge once they are all done. A territory whose task fails keeps its last
aggregates (the territory task logs and returns instead of raising, so that the chord still ends).
"""

from celery import chord, shared_task
from django.conf import settings

from assett.celery import app
from tenants.enums import TerritoryStatus
from tenants.models import Territory

from . import services
from .constants import TERRITORY_TASK


@shared_task(name="benchmarks.collect_benchmarks", ignore_result=True)
def collect_benchmarks():
    schemas = list(
        Territory.objects.filter(status=TerritoryStatus.ACTIVE)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .values_list("schema_name", flat=True)
    )
    merge = merge_benchmarks.si().set(headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME})
    if not schemas:
        merge.apply_async()
        return
    header = [app.signature(TERRITORY_TASK, immutable=True, headers={"_schema_name": schema}) for schema in schemas]
    chord(header)(merge)


@shared_task(name="benchmarks.merge_benchmarks")
def merge_benchmarks():
    return services.merge_benchmarks()
