"""A territory's anonymised aggregates for the national view (benchmarks/), computed in its schema.

Counts and sums only, by organisation kind and theme: no name, no identifier, no row of one
organisation. benchmarks/merge.py adds the territories' up and applies the small-group rule; the
territory's own small groups are sent too (the merge needs them to add up), and are never shown.
"""

from django.db.models import Count

from benchmarks.constants import PAYLOAD_VERSION
from organisations.enums import OrganisationKind
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from toolbox.enums import PlanStatus
from toolbox.models import PlanItem

from .aggregate import OVERALL
from .data import Period, organisation_facts
from .sections import Review


def aggregates(facts, theme_codes):
    """Pure: [OrganisationFacts] → [[organisation kind or "", theme or "", organisations, score sum]].

    Each organisation counts with its latest validated assessment, on the themes it has a score on."""
    sums = {}
    for fact in facts:
        if fact.latest is None:
            continue
        for kind in ("", fact.kind):
            for code in (OVERALL, *theme_codes):
                score = fact.latest.score(code)
                if score is None:
                    continue
                cell = sums.setdefault((kind, code), [0, 0.0])
                cell[0] += 1
                cell[1] += score
    return [[kind, code, count, round(total, 3)] for (kind, code), (count, total) in sorted(sums.items())]


def territory_aggregates():
    """The payload of benchmarks.services.store_territory_benchmark, for the current schema (4 queries)."""
    review = Review(Period())
    facts = organisation_facts(Period())
    assessed = [fact.latest for fact in facts if fact.latest is not None]
    levels = [scores.level for scores in assessed if scores.level is not None]
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).aggregate(n=Count("pk"))["n"]
    completed = PlanItem.objects.filter(status=PlanStatus.DONE).aggregate(n=Count("pk"))["n"]
    return {
        "version": PAYLOAD_VERSION,
        "figures": {
            "organisations": len(facts),
            "organisations_assessed": len(assessed),
            "assessments_submitted": submitted,
            "actions_completed": completed,
            "level_sum": sum(levels),
            "level_count": len(levels),
        },
        "groups": aggregates(facts, review.theme_codes),
        "themes": [list(theme) for theme in review.themes],
        "kinds": {kind.value: str(kind.label) for kind in OrganisationKind},
    }
