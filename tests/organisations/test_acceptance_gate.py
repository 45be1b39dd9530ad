"""An organisation registered outside the territory's communes waits for its staff: until they accept
it, the programme's tools (assessment, results, plan, event registration, reports) stay closed to
its members, who are told why; its own management stays open. Accepting opens them at once.

The gate is in the doors (organisations/access.py, referentiel/access.py, reports/access.py) and in
the service that starts an assessment, not only in the page's buttons."""

import pytest
from django_tenants.utils import schema_context

from accounts.enums import Role
from organisations.models import Organisation
from organisations.services import accept_organisation, update_organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from referentiel.services import AssessmentError, start_assessment

from .test_communes import AYRON, BERUGES, outside_organisation, person

WAITING = "En attente de validation par l'équipe du programme"
WHY = "attend la validation de l&#x27;équipe du programme : sa commune (Ayron) n&#x27;est pas une commune du territoire"


@pytest.fixture
def outside(in_a):
    return outside_organisation()


@pytest.fixture
def member_client(client_a, outside):
    client_a.force_login(outside.memberships.get().user)
    return client_a


def start_url(organisation):
    return f"/organisations/{organisation.pk}/auto-evaluation/commencer/"


def test_before_acceptance_the_space_says_why_and_offers_no_programme_tool(member_client, outside):
    page = member_client.get(f"/organisations/{outside.pk}/").content.decode()

    assert WAITING in page and "Ayron n'est pas une commune de Territoire A" in page
    assert start_url(outside) not in page
    assert f"/organisations/{outside.pk}/plan/" not in page
    assert f"/organisations/{outside.pk}/modifier/" in page  # its management stays open
    assert "En attente de validation" in member_client.get("/mon-espace/").content.decode()


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/organisations/{pk}/auto-evaluation/commencer/"),
        ("post", "/organisations/{pk}/auto-evaluation/commencer/"),
        ("get", "/organisations/{pk}/auto-evaluations/"),
        ("get", "/organisations/{pk}/plan/"),
        ("post", "/organisations/{pk}/plan/nouvelle/"),
    ],
)
def test_before_acceptance_a_programme_url_leads_back_to_the_space_with_a_french_message(
    member_client, outside, method, url
):
    response = getattr(member_client, method)(url.format(pk=outside.pk), follow=True)

    assert response.redirect_chain[-1] == (f"/organisations/{outside.pk}/", 302)
    assert WHY in response.content.decode()
    assert not Assessment.objects.exists()


def test_before_acceptance_htmx_requests_are_redirected_rather_than_answered_with_an_error(member_client, outside):
    response = member_client.get(f"/organisations/{outside.pk}/plan/", headers={"HX-Request": "true"})

    assert response.status_code == 204 and response["HX-Redirect"] == f"/organisations/{outside.pk}/"


def test_the_service_refuses_to_start_an_assessment_before_acceptance(outside):
    with pytest.raises(AssessmentError, match="attend la validation"):
        start_assessment(outside, outside.memberships.get().user)
    assert not Assessment.objects.exists()


def test_an_assessment_started_inside_is_closed_after_a_move_outside_until_accepted(member_client, outside):
    update_organisation(outside, postal_code="86190", commune="Béruges", commune_code=BERUGES)
    assessment = start_assessment(outside, outside.memberships.get().user)
    update_organisation(outside, postal_code="86190", commune="Ayron", commune_code=AYRON)

    for url in (f"/auto-evaluations/{assessment.pk}/themes/PIL/", f"/auto-evaluations/{assessment.pk}/resultats/"):
        response = member_client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/organisations/{outside.pk}/")

    accept_organisation(outside, person("equipe@a.example", role=Role.STAFF))
    assert member_client.get(f"/auto-evaluations/{assessment.pk}/themes/PIL/").status_code == 200


def test_accepting_opens_the_programme_at_once(member_client, client_a, outside):
    staff = person("equipe@a.example", role=Role.STAFF)
    owner = outside.memberships.get().user
    client_a.force_login(staff)
    client_a.post(f"/gestion/organisations/{outside.pk}/accepter/")
    client_a.force_login(owner)

    page = client_a.get(f"/organisations/{outside.pk}/").content.decode()
    assert WAITING not in page and start_url(outside) in page
    response = client_a.post(start_url(outside), follow=True)
    assert Assessment.objects.get(organisation=outside).status == AssessmentStatus.IN_PROGRESS
    assert response.redirect_chain[-1][0].endswith("/themes/PIL/")
    assert client_a.get(f"/organisations/{outside.pk}/plan/").status_code == 200


def test_staff_of_another_territory_cannot_accept_it(outside, territory_a, territory_b, client_b):
    with schema_context(territory_b.schema_name):
        client_b.force_login(person("equipe@b.example", role=Role.STAFF))
    response = client_b.post(f"/gestion/organisations/{outside.pk}/accepter/")

    assert response.status_code in (302, 404)
    with schema_context(territory_a.schema_name):
        assert Organisation.objects.get(pk=outside.pk).awaits_acceptance


def test_staff_see_what_waiting_blocks_and_may_refuse_by_deleting(client_a, outside):
    client_a.force_login(person("equipe@a.example", role=Role.STAFF))

    page = client_a.get(f"/gestion/organisations/{outside.pk}/").content.decode()

    assert "ses membres ne peuvent ni commencer d&#x27;auto-évaluation" in page or (
        "ses membres ne peuvent ni commencer d'auto-évaluation" in page
    )
    assert f'href="/gestion/organisations/{outside.pk}/supprimer/"' in page and "Refuser et supprimer" in page
