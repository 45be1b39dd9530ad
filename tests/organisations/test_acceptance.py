"""An organisation registered outside the territory waits for the staff's acceptance before it uses the
programme: no assessment started, nobody registered for an event (organisations/acceptance.py). The
services refuse; the pages say why; staff's acceptance opens both at once."""

import pytest
from django_tenants.utils import schema_context

from accounts.enums import Role
from events.models import Registration
from events.registration import RegistrationError, register_for_event
from organisations.services import accept_organisation, update_organisation
from referentiel.models import Assessment
from referentiel.services import AssessmentError, start_assessment

from ..events.factories import EventFactory
from .test_communes import BERUGES, outside_organisation, person

WAITING = "attend la validation de l&#x27;équipe du territoire"


@pytest.fixture
def outside(in_a):
    return outside_organisation()


@pytest.fixture
def owner(outside):
    return outside.memberships.get().user


@pytest.fixture
def owner_client(client_a, owner):
    client_a.force_login(owner)
    return client_a


def test_before_acceptance_the_services_refuse_to_start_an_assessment_or_register(outside, owner):
    event = EventFactory(capacity=10)

    with pytest.raises(AssessmentError, match="attend la validation de l'équipe du territoire : sa commune, Ayron"):
        start_assessment(outside, owner)
    with pytest.raises(RegistrationError, match="attend la validation"):
        register_for_event(event, outside, owner, owner)

    assert not Assessment.objects.exists() and not Registration.objects.exists()


def test_the_pages_say_why_and_a_direct_url_gets_a_french_message(owner_client, outside):
    space = owner_client.get(f"/organisations/{outside.pk}/").content.decode()
    assert "En attente de validation par l'équipe du territoire" in space
    assert "Ayron n'est pas une commune de Territoire A" in space
    assert f'action="/organisations/{outside.pk}/auto-evaluation/commencer/"' not in space  # no start button

    start_url = f"/organisations/{outside.pk}/auto-evaluation/commencer/"
    start_page = owner_client.get(start_url)
    assert start_page.status_code == 403 and WAITING in start_page.content.decode()
    assert "Commencer l'auto-évaluation</button>" not in start_page.content.decode()

    posted = owner_client.post(start_url, {"depart": "vierge"}, follow=True)
    assert posted.status_code == 200 and WAITING in posted.content.decode()
    assert not Assessment.objects.exists()


def test_staff_acceptance_opens_the_assessment_and_registrations_at_once(outside, owner, owner_client):
    event = EventFactory(capacity=10)
    event_page = owner_client.get(f"/evenements/{event.pk}/").content.decode()
    assert "attend la validation de l'équipe du territoire" in event_page and "S'inscrire</button>" not in event_page

    outside = accept_organisation(outside, person("equipe@a.example", role=Role.STAFF))  # as a new request reads it

    assert "En attente de validation" not in owner_client.get(f"/organisations/{outside.pk}/").content.decode()
    response = owner_client.post(f"/organisations/{outside.pk}/auto-evaluation/commencer/", {"depart": "vierge"})
    assert response.status_code == 302 and Assessment.objects.filter(organisation=outside).exists()
    assert register_for_event(event, outside, owner, owner).pk


def test_an_organisation_inside_the_territory_never_waits(in_a):
    inside = outside_organisation("Boulangerie de Béruges")
    update_organisation(inside, commune="Béruges", commune_code=BERUGES)
    owner = inside.memberships.get().user
    assert not inside.awaits_acceptance

    assert start_assessment(inside, owner).pk
    assert register_for_event(EventFactory(capacity=10), inside, owner, owner).pk


def test_staff_of_another_territory_cannot_accept(outside, client_b, territory_a, territory_b):
    with schema_context(territory_b.schema_name):
        client_b.force_login(person("equipe@b.example", role=Role.STAFF))

    response = client_b.post(f"/gestion/organisations/{outside.pk}/accepter/")

    assert response.status_code == 404  # territory B has no such organisation: A's stays waiting
    with schema_context(territory_a.schema_name):
        outside.refresh_from_db()
    assert outside.awaits_acceptance
