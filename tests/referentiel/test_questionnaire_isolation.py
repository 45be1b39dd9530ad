"""Nobody but the organisation's members sees or changes its assessment: not another
organisation, not another territory, not an anonymous visitor (404 or login, nothing changed)."""

import pytest
from django.db import connection
from django.test import Client

from organisations.enums import OrganisationKind
from organisations.models import Organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment
from referentiel.services import start_assessment

from ..conftest import TERRITORY_A
from ..same_ids import align_next_ids
from .test_questionnaire import HTMX, answer, autosave_url, first_choice, organisation_for, participant, question


@pytest.fixture
def victim(in_a, territory_a, territory_b):
    """An assessment of territory A with one answer, and what it looked like.

    Territory B's next organisation and assessment get the same ids as the victim's: a page of B that shows B's
    own row proves that B's schema served it."""
    align_next_ids([Organisation, Assessment], territory_a, territory_b)
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


def twin_in_b(territory_b, victim):
    """B's participant and their own assessment, with the victim's id; the connection is left on B."""
    connection.set_tenant(territory_b)
    stranger = participant("etranger@example.org")
    twin = start_assessment(organisation_for(stranger, name="Brasserie de B"), stranger)
    assert twin.pk == victim["assessment"].pk
    return stranger, twin


def test_a_participant_of_another_territory_reaches_only_their_own_assessment_of_the_same_id(
    client_b, victim, territory_a, territory_b
):
    stranger, twin = twin_in_b(territory_b, victim)
    client_b.force_login(stranger)  # the session is stored in B's schema and cache
    b_attempts = attempts(twin)  # B's own question ids, on the same URLs as the victim's

    for url in (f"/auto-evaluations/{twin.pk}/themes/DEC/", f"/auto-evaluations/{twin.pk}/relecture/"):
        content = client_b.get(url).content.decode()
        assert "Brasserie de B" in content, url
        assert "Fromagerie du Marais" not in content, url
    for method, url, data, headers in b_attempts:
        assert getattr(client_b, method)(url, data, **headers).status_code in (200, 302), (method, url, headers)

    connection.set_tenant(territory_b)
    twin.refresh_from_db()
    assert twin.status == AssessmentStatus.SUBMITTED  # B's writes went to B's assessment...
    assert Answer.objects.get(assessment=twin).choice_ids == [first_choice("DEC-01", 3).pk]
    connection.set_tenant(territory_a)
    assert_nothing_changed(victim)  # ...and none to A's


def test_territory_a_session_is_worthless_on_territory_b(client_a, client_b, victim, territory_a, territory_b):
    _stranger, twin = twin_in_b(territory_b, victim)
    connection.set_tenant(territory_a)
    client_a.force_login(victim["owner"])
    client_b.cookies = client_a.cookies  # a replayed cookie: sessions live in each territory's schema

    for method, url, data, headers in attempts(victim["assessment"]):
        response = getattr(client_b, method)(url, data, **headers)
        # Anonymous on B, although B has an assessment at that URL: sent to B's login page.
        if headers:
            assert response.status_code == 401 and "/comptes/login/" in response["HX-Redirect"]
        else:
            assert response.status_code == 302 and response["Location"].startswith("/comptes/login/"), url

    connection.set_tenant(territory_a)
    assert_nothing_changed(victim)
    connection.set_tenant(territory_b)
    assert not Answer.objects.filter(assessment=twin).exists()


def test_the_owner_can_reach_everything_the_others_cannot(victim):
    """The control case: the same attempts succeed for a member, so the 404s above mean something."""
    owner_client = Client(HTTP_HOST=TERRITORY_A.domain)
    owner_client.force_login(victim["owner"])
    statuses = [
        getattr(owner_client, method)(url, data, **headers).status_code
        for method, url, data, headers in attempts(victim["assessment"])[:3]
    ]
    assert statuses == [302, 200, 200]
