"""Deleting an organisation: by territory staff or by its owner, after a confirmation that says what goes."""

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from organisations.models import Invitation, JoinRequest, Membership, Organisation
from organisations.services import delete_organisation, invite_member, request_to_join
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment
from referentiel.results import AVERAGE_GENERATION_KEY
from referentiel.services import current_version, start_assessment

from ..referentiel.test_questionnaire import PASSWORD, answer, first_choice, member_of, organisation_for, participant


def staff_member(email="equipe@a.example"):
    return User.objects.create_user(email, PASSWORD, role=Role.STAFF)


@pytest.fixture
def owner(in_a):
    return participant("camille@example.org")


@pytest.fixture
def organisation(owner):
    """Two members, an assessment with two answers, a pending invitation and a pending join request."""
    organisation = organisation_for(owner, name="Menuiserie du Clain")
    colleague = member_of(organisation, "sacha@example.org")
    assessment = start_assessment(organisation, owner)
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    answer(assessment, "PIL-02", colleague, choice_ids=(first_choice("PIL-02").pk,))
    invite_member(organisation, owner, "claude@example.org")
    request_to_join(organisation, participant("eden@example.org"))
    return organisation


def assert_gone_with_everything(organisation, people):
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not Membership.objects.filter(organisation_id=organisation.pk).exists()
    assert not Assessment.objects.filter(organisation_id=organisation.pk).exists()
    assert not Answer.objects.exists()
    assert not Invitation.objects.filter(organisation_id=organisation.pk).exists()
    assert not JoinRequest.objects.filter(organisation_id=organisation.pk).exists()
    assert User.objects.filter(email__in=people).count() == len(people)  # the people's accounts stay


def test_staff_confirmation_page_says_what_will_be_deleted(organisation, client_a):
    client_a.force_login(staff_member())

    page = client_a.get(f"/gestion/organisations/{organisation.pk}/supprimer/").content.decode()

    assert "<h1>Supprimer la Menuiserie du Clain</h1>" in page
    assert "l'appartenance de ses 2 membres à l'organisation" in page
    assert "1 auto-évaluation, avec 2 réponses" in page
    assert "1 invitation en attente ;" in page
    assert "1 demande d'adhésion en attente ;" in page
    assert "Les comptes des personnes restent" in page


def test_staff_deletes_an_organisation_with_its_memberships_assessments_and_answers(organisation, client_a):
    client_a.force_login(staff_member())

    response = client_a.post(f"/gestion/organisations/{organisation.pk}/supprimer/", {"name": "Menuiserie du Clain"})

    assert response.status_code == 302
    assert response["Location"] == "/gestion/organisations/"
    assert_gone_with_everything(organisation, ["camille@example.org", "sacha@example.org", "eden@example.org"])


def test_a_wrong_name_deletes_nothing(organisation, client_a):
    client_a.force_login(staff_member())

    response = client_a.post(f"/gestion/organisations/{organisation.pk}/supprimer/", {"name": "Menuiserie"})

    assert response.status_code == 200
    assert "Ce nom n&#x27;est pas celui de l&#x27;organisation." in response.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Answer.objects.count() == 2


def test_the_owner_deletes_their_organisation(organisation, owner, client_a):
    client_a.force_login(owner)

    response = client_a.post(f"/organisations/{organisation.pk}/supprimer/", {"name": "Menuiserie du Clain"})

    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    assert_gone_with_everything(organisation, ["camille@example.org", "sacha@example.org"])


@pytest.mark.parametrize("url", ["/organisations/{pk}/supprimer/", "/gestion/organisations/{pk}/supprimer/"])
def test_a_member_who_is_not_owner_gets_a_404(organisation, client_a, url):
    client_a.force_login(User.objects.get(email="sacha@example.org"))

    assert client_a.get(url.format(pk=organisation.pk)).status_code == 404
    assert client_a.post(url.format(pk=organisation.pk), {"name": organisation.name}).status_code == 404
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_name_is_escaped_on_the_confirmation_page(owner, client_a):
    organisation = organisation_for(owner, name="<b>Clain</b>")
    client_a.force_login(owner)

    page = client_a.get(f"/organisations/{organisation.pk}/supprimer/").content.decode()

    assert "<b>Clain</b>" not in page
    assert "recopiez son nom : <strong>&lt;b&gt;Clain&lt;/b&gt;</strong>" in page


def test_deleting_a_submitted_assessment_moves_the_cached_averages_aside(
    organisation, django_capture_on_commit_callbacks
):
    Assessment.objects.filter(organisation=organisation).update(status=AssessmentStatus.SUBMITTED)
    cache.set(AVERAGE_GENERATION_KEY, 7, timeout=None)

    with django_capture_on_commit_callbacks(execute=True):
        delete_organisation(organisation)

    assert cache.get(AVERAGE_GENERATION_KEY) == 8


def test_staff_of_another_territory_deletes_their_own_organisation_of_the_same_id(
    organisation, territory_a, territory_b, client_b
):
    connection.set_tenant(territory_b)
    theirs = Organisation.objects.create(
        pk=organisation.pk, name="Ferme des Buttes", kind="entreprise", headcount_band="01", commune="Besançon"
    )
    client_b.force_login(staff_member("equipe@b.example"))

    page = client_b.get(f"/gestion/organisations/{theirs.pk}/supprimer/").content.decode()
    refused = client_b.post(f"/gestion/organisations/{theirs.pk}/supprimer/", {"name": "Menuiserie du Clain"})
    deleted = client_b.post(f"/gestion/organisations/{theirs.pk}/supprimer/", {"name": "Ferme des Buttes"})

    assert "Supprimer la Ferme des Buttes" in page
    assert "Menuiserie" not in page
    assert refused.status_code == 200
    assert deleted.status_code == 302
    assert not Organisation.objects.filter(pk=theirs.pk).exists()
    connection.set_tenant(territory_a)
    assert Organisation.objects.get(pk=organisation.pk).name == "Menuiserie du Clain"
    assert Answer.objects.count() == 2
    assert current_version() is not None
