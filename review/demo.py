"""Demo data of the programme review (used by `seed_demo`, after the other apps' seeds).

The ten organisations every demo territory starts with are too few for a review: by kind, NAF
section or size band, every group would have fewer than five and nothing would show. So thirty
more are added, spread over a few kinds, sections, bands and communes, with assessments (some
re-assessed a year later) and plans, drawn from the territory's slug (same territory, same data).
Idempotent: a territory that has them already is left alone. Then the territory's aggregates are
stored for the national view (`collect_demo_benchmark`), as the beat job would do.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from referentiel.demo import registered_before_assessing, seed_assessment
from toolbox.demo import seed_demo_plans

from .national import territory_aggregates

EXTRA = 30
MARK = "programme"  # the owners' emails: contact-programme-<n>@<slug>.localhost

# (kind, NAF code, name patterns): a few sections with several organisations each.
PROFILES = [
    (OrganisationKind.ENTREPRISE, "10.71C", ["Boulangerie {}", "Pâtisserie {}", "Fournil {}"]),
    (OrganisationKind.ENTREPRISE, "43.22A", ["Plomberie {}", "Chauffage {}", "Énergies {}"]),
    (OrganisationKind.ENTREPRISE, "43.32A", ["Menuiserie {}", "Charpentes {}"]),
    (OrganisationKind.ENTREPRISE, "47.11B", ["Épicerie {}", "Supérette {}"]),
    (OrganisationKind.ENTREPRISE, "56.10A", ["Restaurant {}", "Brasserie {}"]),
    (OrganisationKind.ENTREPRISE, "62.01Z", ["Logiciels {}", "Studio numérique {}"]),
    (OrganisationKind.ASSOCIATION, "94.99Z", ["Association {}", "Collectif {}"]),
    (OrganisationKind.ASSOCIATION, "88.91A", ["Crèche associative {}"]),
    (OrganisationKind.ETABLISSEMENT_PUBLIC, "85.31Z", ["Collège {}", "Lycée {}"]),
    (OrganisationKind.ETABLISSEMENT_PUBLIC, "84.11Z", ["Syndicat des eaux {}"]),
]
NAMES = [
    "Martin",
    "Bernard",
    "Moreau",
    "Laurent",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gerard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
]
# The owners' first names (their last names from NAMES, shifted, so that « Boulangerie Martin » is not Mme Martin's).
FIRST_NAMES = ["Valérie", "Marc", "Sandrine", "Olivier", "Amina", "Lucas", "Chantal", "Yannick", "Inès", "Bruno"]
BANDS = ["01", "02", "02", "03", "11", "11", "12", "21"]
COMMUNES = {
    "grand-poitiers": ["Poitiers", "Buxerolles", "Chasseneuil-du-Poitou", "Saint-Benoît"],
    "toulouse-metropole": ["Toulouse", "Blagnac", "Colomiers", "Balma"],
    "haut-poitou": ["Neuville-de-Poitou", "Mirebeau", "Vouillé"],
    "rouen-normandie": ["Rouen", "Sotteville-lès-Rouen", "Le Petit-Quevilly", "Mont-Saint-Aignan"],
    "centre-ouest-mayotte": ["Tsingoni", "Mtsangamouji", "Chiconi"],
    "grand-orly-seine-bievre": ["Vitry-sur-Seine", "Ivry-sur-Seine", "Orly", "Villejuif"],
    "grand-besancon": ["Besançon", "École-Valentin", "Saint-Vit", "Pirey"],
}


def seed_demo_review(territory, organisations):
    if User.objects.filter(email__startswith=f"contact-{MARK}-").exists():
        return
    rng = random.Random(f"review-{territory.slug}")
    communes = COMMUNES.get(territory.slug, ["Commune"])
    now = timezone.now()
    password = make_password(None)  # unusable: these owners are figures, not demo logins
    extra = []
    for index in range(EXTRA):
        kind, naf, patterns = PROFILES[index % len(PROFILES)]
        owner = User.objects.create(
            email=f"contact-{MARK}-{index}@{territory.slug}.localhost",
            password=password,
            role="participant",
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            last_name=NAMES[(index + 7) % len(NAMES)],
        )
        organisation = Organisation(
            name=rng.choice(patterns).format(NAMES[index]),
            kind=kind,
            siret=demo_siret(rng),
            naf_code=naf,
            headcount_band=rng.choice(BANDS),
            commune=rng.choice(communes),
            created_by=owner,
        )
        organisation.full_clean()
        organisation.save()
        organisation.created_at = now - timedelta(days=rng.randint(40, 700))
        Organisation.objects.filter(pk=organisation.pk).update(created_at=organisation.created_at)
        Membership.objects.create(user=owner, organisation=organisation, role=MembershipRole.OWNER)
        maturity = rng.uniform(0.2, 0.8)
        if rng.random() < 0.45:
            seed_assessment(
                organisation, owner, rng, maturity - 0.15, submitted_at=now - timedelta(days=rng.randint(330, 600))
            )
        if rng.random() < 0.9:
            seed_assessment(organisation, owner, rng, maturity, submitted_at=now - timedelta(days=rng.randint(3, 300)))
        registered_before_assessing(organisation, rng)
        extra.append(organisation)
    seed_demo_plans(territory, [o for o in extra if o.assessments.exists()])


def collect_demo_benchmark(territory, organisations):
    """What the territory's beat task does, at once (the demo has no worker to wait for)."""
    from benchmarks.services import store_territory_benchmark

    store_territory_benchmark(territory.pk, territory_aggregates())
