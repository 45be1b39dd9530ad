"""A territory's anonymised aggregates for the national view (benchmarks/), computed in its schema.

Counts and sums only, by organisation kind and theme: no name, no identifier, no row of one
organisation. benchmarks/merge.py adds the territories' up and applies the small-group rule; the
territory's own small groups are sent too (the merge needs them to add up), and are never shown.
"""

from django.db.models import Count

from benchmarks.constants import PAYLOAD_VERSION
from organisations.enums import OrganisationKind
from organisations.models import Organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from toolbox.enums import PlanStatus
from toolbox.models import PlanItem

from .aggregate import ORGANISATIONS, OVERALL
from .data import Period, maturity_sums
from .sections import Review


def aggregates(sums, theme_codes):
    """Pure: maturity sums ({breakdown: {group: {code: (count, sum)}}}, review/data.maturity_sums) →
    [[organisation kind or "", theme or "", organisations, score sum]], for the whole territory ("")
    and each kind of organisation, overall and per theme of its referential."""
    groups = []
    for kind, group in [("", sums[None].get(OVERALL, {})), *sorted(sums["kind"].items())]:
        for code in (OVERALL, *theme_codes):
            count, total = group.get(code, (0, 0.0))
            if count:
                groups.append([kind, code, count, round(total, 3)])
    return groups


def territory_aggregates():
    """The payload of benchmarks.services.store_territory_benchmark, for the current schema (6 queries)."""
    review = Review(Period())
    sums = maturity_sums(Period())
    # Each organisation's latest validated assessment's level.
    levels = [
        level
        for level in Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .order_by("organisation_id", "-submitted_at")
        .distinct("organisation_id")
        .values_list("level_rank", flat=True)
        if level is not None
    ]
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).aggregate(n=Count("pk"))["n"]
    completed = PlanItem.objects.filter(status=PlanStatus.DONE).aggregate(n=Count("pk"))["n"]
    return {
        "version": PAYLOAD_VERSION,
        "figures": {
            "organisations": Organisation.objects.count(),
            "organisations_assessed": sums[None].get(OVERALL, {}).get(ORGANISATIONS, 0),
            "assessments_submitted": submitted,
            "actions_completed": completed,
            "level_sum": sum(levels),
            "level_count": len(levels),
        },
        "groups": aggregates(sums, review.theme_codes),
        "themes": [list(theme) for theme in review.themes],
        "kinds": {kind.value: str(kind.label) for kind in OrganisationKind},
    }
