"""Writes of the national view: a territory's aggregates, then the merge of them all."""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tenants.enums import TerritoryStatus

from .constants import PAYLOAD_VERSION
from .merge import Contribution, merge
from .models import NationalBenchmark, TerritoryBenchmark

logger = logging.getLogger(__name__)


def store_territory_benchmark(territory_id, payload):
    """Keep a territory's aggregates (payload: review.national.territory_aggregates()), replacing the last ones.

    Called by the territory's task, in its schema: the table is the public schema's, reached through
    the search_path (« <territory>, public »)."""
    TerritoryBenchmark.objects.update_or_create(
        territory_id=territory_id,
        defaults={
            "collected_at": timezone.now(),
            "figures": payload["figures"],
            "groups": payload["groups"],
            "themes": payload["themes"],
            "kinds": payload.get("kinds", {}),
            "version": payload.get("version", PAYLOAD_VERSION),
        },
    )


def contributions():
    """The aggregates of the open territories, as merge() reads them (one query)."""
    rows = (
        TerritoryBenchmark.objects.filter(territory__status=TerritoryStatus.ACTIVE, version=PAYLOAD_VERSION)
        .values_list("territory__kind", "groups", "themes", "kinds")
        .iterator(chunk_size=500)
    )
    return [
        Contribution(epci_kind=epci or "", groups=groups, themes=themes, kinds=kinds)
        for epci, groups, themes, kinds in rows
    ]


@transaction.atomic
def merge_benchmarks():
    """Replace the national groups with the merge of every open territory's last aggregates.

    Idempotent: it reads only what is stored, so running it twice, or after a territory's task
    failed (its previous aggregates stay), does no harm. Returns the number of groups written."""
    now = timezone.now()
    merged = merge(contributions())
    NationalBenchmark.objects.all().delete()
    NationalBenchmark.objects.bulk_create(
        NationalBenchmark(
            epci_kind=group.epci_kind,
            organisation_kind=group.organisation_kind,
            organisation_kind_label=group.organisation_kind_label[:80],
            theme=group.theme,
            theme_title=group.theme_title[:200],
            position=group.position,
            organisations=group.organisations,
            territories=group.territories,
            average=Decimal(str(group.average)),
            merged_at=now,
        )
        for group in merged
    )
    logger.info("National benchmarks merged: %s groups", len(merged))
    return len(merged)
