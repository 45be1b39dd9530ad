"""Territory staff's own pages: their home (what is new since their last visit, who is stuck), the
organisations list (links, status, contact, sort) and an organisation's page as staff see it."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.enums import Role
from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.models import Organisation
from organisations.services import create_organisation
from referentiel.models import Assessment
from referentiel.services import start_assessment
from toolbox.enums import PlanStatus
from toolbox.models import PlanItem

from ..same_ids import align_next_ids

RNG = random.Random(2026)


def person(email, role=Role.PARTICIPANT, **names):
    return User.objects.create_user(email, "Mot-de-passe-42", role=role, **names)


def organisation(owner, name, **fields):
    data = {
        "name": name,
        "kind": OrganisationKind.ENTREPRISE,
        "siret": demo_siret(RNG),
        "headcount_band": "11",
        "commune": "Poitiers",
        **fields,
    }
    return create_organisation(owner, **data)


@pytest.fixture
def staff_client(in_a, client_a):
    staff = person("equipe@a.example", role=Role.STAFF)
    client_a.force_login(staff)
    return client_a


def test_staff_land_on_their_own_home_with_what_is_new_and_who_is_stuck(staff_client):
    owner = person("lea@example.org", first_name="Léa", last_name="Martin")
    fresh = organisation(owner, "Conserverie Nouvelle")
    stuck_org = organisation(person("paul@example.org"), "Garage Immobile")
    stuck = start_assessment(stuck_org, stuck_org.memberships.get().user)
    Assessment.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(days=45))

    page = staff_client.get("/mon-espace/").content.decode()

    assert "Espace de l'équipe" in page
    assert "Inscrire une organisation" not in page  # not the participants' space
    assert "30 derniers jours" in page
    assert f'href="/gestion/organisations/{fresh.pk}/">Conserverie Nouvelle</a>' in page
    assert "Garage Immobile" in page[page.index("Qui est bloqué") :]

    # The next visit counts from this one: nothing new since.
    again = staff_client.get("/mon-espace/").content.decode()
    assert "Depuis votre dernière visite" in again
    assert "0 organisation" in again
    assert "Conserverie Nouvelle" not in again
    assert "Garage Immobile" in again  # still stuck


def test_participants_keep_their_space(in_a, client_a):
    client_a.force_login(person("camille@example.org"))
    page = client_a.get("/mon-espace/").content.decode()
    assert "Inscrire une organisation" in page and "Espace de l'équipe" not in page


def test_the_list_links_each_organisation_with_its_status_and_contact(staff_client, django_assert_num_queries):
    owner = person("lea@example.org", first_name="Léa", last_name="Martin")
    started = organisation(owner, "Brasserie Commencée")
    start_assessment(started, owner)
    organisation(person("nadia@example.org"), "Atelier Sans Évaluation")

    page = staff_client.get("/gestion/organisations/").content.decode()

    assert f'<a href="/gestion/organisations/{started.pk}/">Brasserie Commencée</a>' in page
    row = page[page.index("Brasserie Commencée") :].split("</tr>")[0]
    assert "En cours" in row and "Léa Martin" in row and "mailto:lea@example.org" in row
    assert "Pas commencée" in page[page.index("Atelier Sans Évaluation") :].split("</tr>")[0]

    by_status = staff_client.get("/gestion/organisations/?tri=statut").content.decode()
    assert by_status.index("Atelier Sans Évaluation") < by_status.index("Brasserie Commencée")

    # Status and contact come with the list's own query, whatever the number of rows.
    for index in range(8):
        organisation(person(f"autre{index}@example.org"), f"Organisation {index}")
    with django_assert_num_queries(_queries(staff_client, "/gestion/organisations/")):
        staff_client.get("/gestion/organisations/")


def _queries(client, url):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries.captured_queries)


def test_staff_see_an_organisation_with_its_members_and_assessments(staff_client):
    owner = person("lea@example.org", first_name="Léa", last_name="Martin")
    org = organisation(owner, "Brasserie du Clain")
    assessment = start_assessment(org, owner)

    page = staff_client.get(f"/gestion/organisations/{org.pk}/").content.decode()

    assert "<h1>Brasserie du Clain</h1>" in page
    assert "Léa Martin" in page and "lea@example.org" in page
    assert f"/gestion/auto-evaluations/{assessment.pk}/" in page


def test_a_member_without_a_name_is_listed_by_the_address_once(staff_client):
    owner = person("contact@brasserie.example")
    org = organisation(owner, "Brasserie du Clain")

    page = staff_client.get(f"/gestion/organisations/{org.pk}/").content.decode()

    assert page.count("contact@brasserie.example") == 2  # the link's href and its text, no name before it
    assert '<li><a href="mailto:contact@brasserie.example">' in page


@pytest.mark.parametrize(
    ("statuses", "summary"),
    [
        ([], "Pas encore d'action au plan."),
        (
            [PlanStatus.DONE, PlanStatus.IN_PROGRESS, PlanStatus.IN_PROGRESS],
            "3 actions au plan : 2 en cours, 1 réalisée.",
        ),
        ([PlanStatus.DONE, PlanStatus.DONE, PlanStatus.TODO], "3 actions au plan : 0 en cours, 2 réalisées."),
    ],
)
def test_staff_see_the_plan_summary_with_each_number_agreeing_with_its_word(staff_client, statuses, summary):
    owner = person("lea@example.org")
    org = organisation(owner, "Brasserie du Clain")
    for index, status in enumerate(statuses):
        PlanItem.objects.create(organisation=org, title=f"Action {index}", theme="ENE", status=status, created_by=owner)

    page = staff_client.get(f"/gestion/organisations/{org.pk}/").content.decode()

    assert summary in page


def test_participants_and_other_territories_never_see_it(in_a, client_a, client_b, territory_a, territory_b):
    align_next_ids([Organisation], territory_a, territory_b)
    owner = person("lea@example.org")
    org = organisation(owner, "Brasserie Secrète")
    client_a.force_login(owner)
    assert client_a.get(f"/gestion/organisations/{org.pk}/").status_code == 404

    with schema_context(territory_b.schema_name):
        twin = organisation(person("b@example.org"), "Brasserie de B")
        assert twin.pk == org.pk
        client_b.force_login(person("equipe@b.example", role=Role.STAFF))
    page = client_b.get(f"/gestion/organisations/{org.pk}/").content.decode()
    connection.set_tenant(territory_a)
    assert "Brasserie de B" in page and "Brasserie Secrète" not in page
