"""The review's SQL adds up what the pure reference functions of review/aggregate.py add up."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from organisations.enums import OrganisationKind
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from referentiel.services import current_version
from review import aggregate
from review.data import DIMENSIONS, Period, maturity_sums, organisation_facts, participation

from .factories import OrganisationFactory, submitted, theme_codes


def _close(a, b):
    """Sums of floats, added in another order by PostgreSQL."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b if isinstance(a, int) else abs(a - b) < 1e-6


def _same(sql, reference):
    assert sql.keys() == reference.keys()
    for key in reference:
        assert _close(sql[key], reference[key]), (key, sql[key], reference[key])


@pytest.fixture
def varied(in_a):
    rng = random.Random(3)
    codes = theme_codes()
    for index in range(40):
        organisation = OrganisationFactory(
            kind=rng.choice(OrganisationKind.values),
            naf_code=rng.choice(["10.71C", "43.22A", "94.99Z", ""]),
            headcount_band=rng.choice(["00", "11", "21"]),
            commune=rng.choice(["Poitiers", " Poitiers ", "Lusignan", "Chauvigny"]),
        )
        for days_ago in sorted(rng.sample([10, 100, 400, 800], rng.randint(0, 3)), reverse=True):
            themes = {code: (None if rng.random() < 0.2 else round(rng.uniform(0, 100), 1)) for code in codes}
            submitted(organisation, rng.choice([None, round(rng.uniform(0, 100), 1)]), days_ago=days_ago, themes=themes)
        if index % 7 == 0:
            Assessment.objects.create(organisation=organisation, version=current_version())
    Assessment.objects.filter(status=AssessmentStatus.IN_PROGRESS).update(
        started_at=timezone.now() - timedelta(days=50)
    )


@pytest.mark.parametrize("days", [None, 30, 200, 500])
def test_sql_sums_are_the_reference_sums(varied, days):
    period = Period(start=timezone.localdate() - timedelta(days=days)) if days else Period()
    facts = organisation_facts(period)

    sums = maturity_sums(period)
    counts, progress = participation(period)

    for dimension in DIMENSIONS:
        reference = aggregate.group_sums(facts, dimension)
        assert sums[dimension].keys() == reference.keys(), dimension
        for key in reference:
            _same(sums[dimension][key], reference[key])
    assert counts == aggregate.participation(facts)
    _same(progress, aggregate.progress_sums(facts))
