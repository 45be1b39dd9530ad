"""The territory's team: a participant invited into it gets staff access only once they accept;
inviting one and removing someone both ask first."""

import pytest
from django.db import connection
from django.test import Client

from accounts.enums import Role
from accounts.models import TeamInvitation, User


def person(email, role=Role.PARTICIPANT):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role, first_name="Alex", last_name="Roy")
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def admin_client(in_a, client_a):
    client_a.force_login(person("admin-equipe@a.example", role=Role.ADMIN))
    return client_a


def as_user(user, territory):
    client = Client(HTTP_HOST=territory.get_primary_domain().domain)
    client.force_login(user)
    return client


def test_a_participant_invited_into_the_team_has_no_access_until_they_accept(admin_client, territory_a, queued_emails):
    participant = person("alex@example.org")
    form = {"email": "alex@example.org", "role": Role.STAFF}

    confirmation = admin_client.post("/gestion/equipe/", form).content.decode()

    assert "Inviter alex@example.org, participant·e, dans l'équipe ?" in confirmation
    assert "toutes les organisations" in confirmation
    assert not TeamInvitation.objects.exists()  # nothing yet

    admin_client.post("/gestion/equipe/", {**form, "confirm": "1"})

    invitation = TeamInvitation.objects.get(user=participant)
    participant.refresh_from_db()
    assert participant.role == Role.PARTICIPANT  # still no access
    invited = as_user(participant, territory_a)
    assert invited.get("/gestion/organisations/").status_code == 404
    [email] = [email for email in queued_emails(territory_a) if email.recipients == ["alex@example.org"]]
    assert f"/gestion/equipe/invitations/{invitation.token}/" in email.body
    assert "Rien ne change tant que vous n'avez pas accepté" in email.body
    assert "Invitations en attente" in admin_client.get("/gestion/equipe/").content.decode()

    # Someone else cannot use the link; the invited person sees it, then accepts.
    url = f"/gestion/equipe/invitations/{invitation.token}/"
    assert as_user(person("autre@example.org"), territory_a).get(url).status_code == 404
    assert invited.get(f"/gestion/equipe/invitations/{invitation.token}/").status_code == 200
    response = invited.post(f"/gestion/equipe/invitations/{invitation.token}/")
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.role == Role.STAFF
    assert invited.get("/gestion/organisations/").status_code == 200
    assert invited.get(f"/gestion/equipe/invitations/{invitation.token}/").status_code == 404  # used


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        ({"first_name": "Alex", "last_name": "Roy"}, "<li>Alex Roy (alex@example.org) – "),
        ({}, "<li>alex@example.org – "),  # no name: the address once, not « alex@… (alex@…) »
    ],
)
def test_pending_invitations_name_the_person_then_their_address(admin_client, names, shown):
    User.objects.create_user("alex@example.org", "Mot-de-passe-42", **names)
    admin_client.post("/gestion/equipe/", {"email": "alex@example.org", "role": Role.STAFF, "confirm": "1"})

    assert shown in admin_client.get("/gestion/equipe/").content.decode()


def test_removing_someone_from_the_team_asks_first(admin_client):
    member = person("equipier@a.example", role=Role.STAFF)

    page = admin_client.get(f"/gestion/equipe/{member.pk}/retirer/").content.decode()

    assert "Retirer Alex Roy de l'équipe ?" in page
    member.refresh_from_db()
    assert member.role == Role.STAFF
    admin_client.post(f"/gestion/equipe/{member.pk}/retirer/")
    member.refresh_from_db()
    assert member.role == Role.PARTICIPANT


def test_a_new_person_gets_an_account_with_the_role_and_a_link_to_choose_a_password(
    admin_client, territory_a, queued_emails
):
    admin_client.post("/gestion/equipe/", {"email": "nouvelle@a.example", "role": Role.STAFF})
    user = User.objects.get(email="nouvelle@a.example")
    assert user.role == Role.STAFF and not user.has_usable_password()
    assert not TeamInvitation.objects.filter(user=user).exists()
    connection.set_tenant(territory_a)
