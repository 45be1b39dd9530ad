"""factory_boy factories of the review's tests (run inside a territory's schema)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from organisations.enums import OrganisationKind
from organisations.models import Organisation
from referentiel.enums import AssessmentStatus, VersionStatus
from referentiel.models import Assessment, ReferentialVersion
from toolbox.plan import published_themes


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation du bilan {n}")
    kind = OrganisationKind.ENTREPRISE
    naf_code = "10.71C"
    headcount_band = "02"
    commune = "Poitiers"


def theme_codes():
    return [code for code, _title in published_themes()]


def submitted(organisation, score, *, days_ago=0, themes=None):
    """A validated assessment written straight to the database with its stored scores: `score` on
    every theme (or `themes`, {code: score}), overall `score`."""
    themes = themes if themes is not None else dict.fromkeys(theme_codes(), score)
    return Assessment.objects.create(
        organisation=organisation,
        version=ReferentialVersion.objects.get(status=VersionStatus.PUBLISHED),
        status=AssessmentStatus.SUBMITTED,
        overall_score=None if score is None else Decimal(str(score)),
        level_rank=1 + min(int((score or 0) // 25), 3),
        theme_scores={code: {"score": s, "level": 1, "answered": 3, "applicable": 3} for code, s in themes.items()},
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )
