"""Demo organisations and participants for one territory (used by `seed_demo`)."""

import random

from allauth.account.models import EmailAddress

from accounts.models import User
from assett import communes as commune_list

from .enums import MembershipRole, OrganisationKind
from .models import Membership, Organisation
from .validators import luhn_is_valid

DEMO_ORGANISATIONS = [
    ("Boulangerie du Marché", OrganisationKind.ENTREPRISE, "10.71C", "02"),
    ("Atelier Mécanique de Précision", OrganisationKind.ENTREPRISE, "25.62B", "12"),
    ("Imprimerie Coopérative", OrganisationKind.ENTREPRISE, "18.12Z", "11"),
    ("Transports Logistique Express", OrganisationKind.ENTREPRISE, "49.41A", "21"),
    ("Hôtel-Restaurant Le Relais", OrganisationKind.ENTREPRISE, "55.10Z", "03"),
    ("Cabinet d'Architectes Associés", OrganisationKind.ENTREPRISE, "71.11Z", "01"),
    ("Association Sportive Omnisports", OrganisationKind.ASSOCIATION, "93.12Z", "11"),
    ("Les Jardins Partagés", OrganisationKind.ASSOCIATION, "94.99Z", "NN"),
    ("Centre Hospitalier", OrganisationKind.ETABLISSEMENT_PUBLIC, "86.10Z", "42"),
    ("Lycée Polyvalent Jean Moulin", OrganisationKind.ETABLISSEMENT_PUBLIC, "85.31Z", "22"),
]


# The owners of DEMO_ORGANISATIONS, in the same order: participant@… (Camille Martin) owns the first.
OWNER_NAMES = [
    ("Camille", "Martin"),
    ("Julien", "Moreau"),
    ("Nathalie", "Girard"),
    ("Thomas", "Roux"),
    ("Isabelle", "Fournier"),
    ("Mehdi", "Haddad"),
    ("Élodie", "Chevalier"),
    ("Patrick", "Morel"),
    ("Aurélie", "Garnier"),
    ("Sylvain", "Lefèvre"),
]


def luhn_key(digits):
    """The digit that makes `digits + key` pass the Luhn check."""
    return next(str(key) for key in range(10) if luhn_is_valid(digits + str(key)))


def demo_siret(rng):
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn_key(siren)
    nic = f"{rng.randint(1, 9999):04d}"
    return siren + nic + luhn_key(siren + nic)


def demo_user(email, password, role="participant", first_name="", last_name=""):
    user, created = User.objects.get_or_create(email=email, defaults={"role": role})
    changed = created
    if created:
        user.set_password(password)
    if first_name and not user.get_full_name():  # also an account made without a name (a territory's invited admin)
        user.first_name, user.last_name = first_name, last_name
        changed = True
    if changed:
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


# Its head office in Paris: the demo's one organisation outside the territory, for staff to accept.
OUTSIDE = {"postal_code": "75011", "commune": "Paris", "commune_code": "75056", "outside_territory": True}


def demo_places(territory, count):
    """Communes of the territory (official list) for `count` organisations, the last one outside it."""
    rng = random.Random(f"{territory.slug}:communes")
    codes = sorted(commune_list.territory_communes(territory.siren) or [])
    places = []
    for _ in range(count - 1):
        if not codes:  # a territory the list does not know: a name only, as before the list
            places.append({"commune": territory.name})
            continue
        commune = commune_list.commune(rng.choice(codes))
        postal_code = commune.postal_codes[0] if commune.postal_codes else ""
        places.append({"postal_code": postal_code, "commune": commune.name, "commune_code": commune.insee})
    return [*places, OUTSIDE]


def in_programme(organisations):
    """The demo organisations the other apps' demo data may involve: not the one that awaits the
    staff's acceptance (OUTSIDE), whose members can do nothing until then."""
    return [organisation for organisation in organisations if not organisation.awaits_acceptance]


def seed_organisations(territory, password):
    """Ten organisations, each with an owner; participant@<slug>.localhost owns the first one."""
    rng = random.Random(territory.slug)  # same territory, same demo data
    places = demo_places(territory, len(DEMO_ORGANISATIONS))
    organisations = []
    for index, (name, kind, naf, band) in enumerate(DEMO_ORGANISATIONS):
        siret = demo_siret(rng)
        owner_email = (
            f"participant@{territory.slug}.localhost" if index == 0 else f"contact{index}@{territory.slug}.localhost"
        )
        first_name, last_name = OWNER_NAMES[index]
        owner = demo_user(owner_email, password, first_name=first_name, last_name=last_name)
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = Organisation(
                name=name,
                kind=kind,
                siret=siret,
                naf_code=naf,
                headcount_band=band,
                created_by=owner,
                **places[index],
            )
            organisation.full_clean()
            organisation.save()
        Membership.objects.get_or_create(user=owner, organisation=organisation, defaults={"role": MembershipRole.OWNER})
        organisations.append(organisation)
    colleague = demo_user(f"collegue@{territory.slug}.localhost", password, first_name="Dominique", last_name="Bernard")
    Membership.objects.get_or_create(
        user=colleague, organisation=organisations[0], defaults={"role": MembershipRole.MEMBER}
    )
    return organisations
