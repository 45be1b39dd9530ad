"""Nobody but the organisation's members sees or changes its assessment: not another
organisation, not another territory, not an anonymous visitor (404 or login, nothing changed)."""

import pytest
from django.db import connection
from django.test import Client

from organisations.enums import OrganisationKind
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment
from referentiel.services import start_assessment

from ..conftest import TERRITORY_A
from .test_questionnaire import HTMX, answer, autosave_url, first_choice, organisation_for, participant, question


@pytest.fixture
def victim(in_a):
    """An assessment of territory A with one answer, and what it looked like."""
    owner = participant("proprietaire@example.org")
    organisation = organisation_for(owner, name="Fromagerie du Marais")
    assessment = start_assessment(organisation, owner)
    saved = answer(assessment, "DEC-01", owner, choice_ids=(first_choice("DEC-01").pk,))
    return {"assessment": assessment, "answer": saved, "owner": owner}


def attempts(assessment):
    """Every read and every write of the questionnaire, on `assessment`."""
    ladder = question("DEC-01")
    change = {f"q{ladder.pk}-choice": str(first_choice("DEC-01", 3).pk), "go": "next"}
    base = f"/auto-evaluations/{assessment.pk}"
    return [
        ("get", f"{base}/", {}, {}),
        ("get", f"{base}/themes/DEC/", {}, {}),
        ("get", f"{base}/relecture/", {}, {}),
        ("post", f"{base}/themes/DEC/", change, {}),
        ("post", autosave_url(assessment, ladder), change, {}),
        ("post", autosave_url(assessment, ladder), change, HTMX),
        ("post", f"{base}/valider/", {}, {}),
    ]


def assert_nothing_changed(victim):
    assessment = Assessment.objects.get(pk=victim["assessment"].pk)
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert assessment.submitted_at is None
    saved = Answer.objects.get(assessment=assessment)
    assert saved.choice_ids == victim["answer"].choice_ids
    assert saved.answered_at == victim["answer"].answered_at
    assert saved.answered_by == victim["owner"]


def test_a_member_of_another_organisation_gets_404_everywhere(client_a, victim):
    outsider = participant("voisin@example.org")
    organisation_for(outsider, name="Garage du Coin", kind=OrganisationKind.ENTREPRISE)
    client_a.force_login(outsider)

    for method, url, data, headers in attempts(victim["assessment"]):
        response = getattr(client_a, method)(url, data, **headers)
        assert response.status_code == 404, (method, url, headers)

    assert_nothing_changed(victim)


def test_a_member_of_another_organisation_cannot_start_its_assessment(client_a, victim):
    outsider = participant("voisin@example.org")
    client_a.force_login(outsider)
    organisation_pk = victim["assessment"].organisation_id

    assert client_a.post(f"/organisations/{organisation_pk}/auto-evaluation/commencer/").status_code == 404
    assert Assessment.objects.filter(organisation_id=organisation_pk).count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client_a, victim):
    for method, url, data, headers in attempts(victim["assessment"]):
        response = getattr(client_a, method)(url, data, **headers)
        if headers:
            assert response.status_code == 401 and "/comptes/login/" in response["HX-Redirect"]
        else:
            assert response.status_code == 302 and response["Location"].startswith("/comptes/login/"), url

    assert_nothing_changed(victim)


def test_a_participant_of_another_territory_gets_404_on_the_same_pk(client_b, victim, territory_a, territory_b):
    # B's participant has an organisation of their own (whose id may well equal the victim's).
    connection.set_tenant(territory_b)
    stranger = participant("etranger@example.org")
    organisation_for(stranger, name="Brasserie de B")
    client_b.force_login(stranger)  # the session is stored in B's schema and cache
    connection.set_tenant(territory_a)

    for method, url, data, headers in attempts(victim["assessment"]):
        response = getattr(client_b, method)(url, data, **headers)
        assert response.status_code == 404, (method, url, headers)

    connection.set_tenant(territory_a)
    assert_nothing_changed(victim)


def test_territory_a_session_is_worthless_on_territory_b(client_a, client_b, victim, territory_a):
    client_a.force_login(victim["owner"])
    client_b.cookies = client_a.cookies  # a replayed cookie: sessions live in each territory's schema

    for method, url, data, headers in attempts(victim["assessment"]):
        response = getattr(client_b, method)(url, data, **headers)
        assert response.status_code in (302, 401, 404), (method, url, response.status_code)

    connection.set_tenant(territory_a)
    assert_nothing_changed(victim)


def test_the_owner_can_reach_everything_the_others_cannot(victim):
    """The control case: the same attempts succeed for a member, so the 404s above mean something."""
    owner_client = Client(HTTP_HOST=TERRITORY_A.domain)
    owner_client.force_login(victim["owner"])
    statuses = [
        getattr(owner_client, method)(url, data, **headers).status_code
        for method, url, data, headers in attempts(victim["assessment"])[:3]
    ]
    assert statuses == [302, 200, 200]
