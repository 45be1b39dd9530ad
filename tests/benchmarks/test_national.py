"""The national view: each territory's aggregates, the merge, the national admins' page and the
participants' comparison; nothing of one organisation ever leaves its territory."""

import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from benchmarks.models import NationalBenchmark, TerritoryBenchmark
from benchmarks.services import merge_benchmarks, store_territory_benchmark
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership
from review.national import territory_aggregates
from toolbox.enums import PlanStatus

from ..review.factories import OrganisationFactory, submitted
from ..toolbox.factories import PlanItemFactory

URL = "/plateforme/bilan/"


@pytest.fixture
def national_admin(db, territories):
    connection.set_schema_to_public()
    return User.objects.create_user("national@cerema.example", "pass-national-1", is_staff=True)


def collect(territory):
    """What the territory's task does, here in the test's transaction."""
    connection.set_tenant(territory)
    store_territory_benchmark(territory.pk, territory_aggregates())
    connection.set_schema_to_public()


def businesses(count, score, kind=OrganisationKind.ENTREPRISE):
    organisations = [OrganisationFactory(kind=kind, name=f"Confidentielle {kind} {n}") for n in range(count)]
    for organisation in organisations:
        submitted(organisation, score)
    return organisations


def test_a_territory_sends_counts_and_sums_only(in_a):
    organisations = businesses(3, 40) + businesses(2, 70, OrganisationKind.ASSOCIATION)
    PlanItemFactory(organisation=organisations[0], status=PlanStatus.DONE)

    payload = territory_aggregates()

    assert payload["figures"] == {
        "organisations": 5,
        "organisations_assessed": 5,
        "assessments_submitted": 5,
        "actions_completed": 1,
        "level_sum": 3 * 2 + 2 * 3,  # levels 2 (score 40) and 3 (score 70)
        "level_count": 5,
    }
    groups = {(kind, theme): (count, total) for kind, theme, count, total in payload["groups"]}
    assert groups["", ""] == (5, 260.0)
    assert groups["entreprise", ""] == (3, 120.0)
    assert "Confidentielle" not in str(payload)


def test_each_territory_sends_its_own_organisations_only(db, territory_a, territory_b):
    connection.set_tenant(territory_a)
    businesses(6, 40)
    connection.set_tenant(territory_b)
    businesses(2, 80)

    b_payload = territory_aggregates()

    assert b_payload["figures"]["organisations"] == 2
    assert {tuple(g[:2]): g[2] for g in b_payload["groups"]}["", ""] == 2


def test_national_admins_see_each_territory_and_the_benchmark(
    db, territory_a, territory_b, national_admin, public_client
):
    connection.set_tenant(territory_a)
    businesses(6, 40)
    businesses(2, 90, OrganisationKind.ASSOCIATION)
    connection.set_tenant(territory_b)
    businesses(6, 60)
    businesses(3, 10, OrganisationKind.ASSOCIATION)
    collect(territory_a)
    collect(territory_b)
    merge_benchmarks()
    public_client.force_login(national_admin)

    html = public_client.get(URL).content.decode()

    assert "Territoire A" in html and "Territoire B" in html
    assert "Niveau moyen" in html
    # Businesses: 12 nationally, at 50 on average; associations: 5, at (180 + 30) / 5 = 42.
    rows = {m.organisation_kind: m for m in NationalBenchmark.objects.filter(epci_kind="", theme="")}
    assert rows["entreprise"].average == 50 and rows["entreprise"].organisations == 12
    assert rows["association"].average == 42
    assert "50/100" in html and "42/100" in html
    # Per kind of EPCI (A is a communauté urbaine, B a métropole), the associations are 2 and 3.
    assert not NationalBenchmark.objects.filter(epci_kind="cu", organisation_kind="association").exists()
    assert "Confidentielle" not in html


def test_the_national_page_costs_three_queries(
    db, territory_a, territory_b, national_admin, public_client, django_assert_num_queries
):
    connection.set_tenant(territory_a)
    businesses(6, 40)
    collect(territory_a)
    collect(territory_b)
    merge_benchmarks()
    public_client.force_login(national_admin)
    public_client.get(URL)

    # The session's user, the territories with their aggregates, the national groups.
    with django_assert_num_queries(3):
        assert public_client.get(URL).status_code == 200


def _results_of(client, territory, organisation):
    connection.set_tenant(territory)
    user = User.objects.create_user(f"p{organisation.pk}@x.example", "Mot-de-passe-42", role=Role.PARTICIPANT)
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    assessment = organisation.assessments.get()
    client.force_login(user)
    return client.get(f"/auto-evaluations/{assessment.pk}/resultats/").content.decode()


def test_participants_compare_with_their_kind_nationally_and_in_territories_like_theirs(
    db, territory_a, territory_b, client_a
):
    connection.set_tenant(territory_a)
    mine = businesses(5, 30)[0]
    connection.set_tenant(territory_b)
    businesses(5, 70)
    collect(territory_a)
    collect(territory_b)
    merge_benchmarks()

    html = _results_of(client_a, territory_a, mine)

    section = html.split('id="comparaison-nationale"')[1]
    assert "Les entreprises, au niveau national" in section
    assert "50/100" in section  # the ten businesses of both territories
    assert "(10 organisations)" in section
    assert "territoires de type Communauté urbaine" in section
    assert "30/100" in section  # the five of A's kind of EPCI (only A is a communauté urbaine)


def test_participants_never_see_a_group_of_fewer_than_five(db, territory_a, territory_b, client_a):
    connection.set_tenant(territory_a)
    mine = businesses(1, 30)[0]
    businesses(5, 50, OrganisationKind.ASSOCIATION)
    connection.set_tenant(territory_b)
    businesses(3, 95)  # three businesses elsewhere: with mine, four
    businesses(5, 50, OrganisationKind.ASSOCIATION)
    collect(territory_a)
    collect(territory_b)
    merge_benchmarks()

    html = _results_of(client_a, territory_a, mine)

    assert not NationalBenchmark.objects.filter(organisation_kind="entreprise").exists()
    assert "Vous et les organisations comparables" not in html  # nothing to compare with


def test_the_merge_replaces_the_last_one_and_leaves_out_territories_not_open(db, territory_a, territory_b):
    connection.set_tenant(territory_a)
    businesses(6, 40)
    collect(territory_a)
    merge_benchmarks()
    national = NationalBenchmark.objects.get(epci_kind="", organisation_kind="entreprise", theme="")
    assert national.organisations == 6

    territory_a.status = "suspended"
    territory_a.save()
    merge_benchmarks()

    assert TerritoryBenchmark.objects.filter(territory=territory_a).exists()  # kept for when it reopens
    assert not NationalBenchmark.objects.exists()
