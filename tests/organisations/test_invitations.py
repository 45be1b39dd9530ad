"""Invitations and join requests expire after 14 days and can be revoked; a link that no longer
works says why, in French, and owners can send a fresh one."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from organisations.constants import INVITATION_VALIDITY, JOIN_REQUEST_VALIDITY
from organisations.enums import JoinRequestStatus, OrganisationKind
from organisations.models import Invitation, JoinRequest, Membership
from organisations.services import create_organisation, invite_member

COLLEAGUE = "dominique@example.org"


def participant(email="camille@example.org"):
    user = User.objects.create_user(email, "Mot-de-passe-42")
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def boulangerie(owner, **fields):
    return create_organisation(
        owner,
        **{
            "name": "Boulangerie du Clain",
            "kind": OrganisationKind.ENTREPRISE,
            "siret": "73282932000074",
            "headcount_band": "02",
            "commune": "Poitiers",
            **fields,
        },
    )


@pytest.fixture
def owner(in_a):
    return participant()


@pytest.fixture
def organisation(owner):
    return boulangerie(owner)


def sent_days_ago(invitation, days):
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=days))
    invitation.refresh_from_db()
    return invitation


def test_validity_is_fourteen_days():
    assert INVITATION_VALIDITY == JOIN_REQUEST_VALIDITY == timedelta(days=14)


def test_invitation_still_works_on_its_thirteenth_day(organisation, owner, client_a):
    invitation = sent_days_ago(invite_member(organisation, owner, COLLEAGUE), 13)
    client_a.force_login(participant(COLLEAGUE))

    assert client_a.get(f"/invitations/{invitation.token}/").status_code == 200
    assert client_a.post(f"/invitations/{invitation.token}/").status_code == 302
    assert Membership.objects.filter(user__email=COLLEAGUE, organisation=organisation).exists()


def test_expired_invitation_link_says_so_and_adds_nobody(organisation, owner, client_a):
    invitation = sent_days_ago(invite_member(organisation, owner, COLLEAGUE), 15)
    client_a.force_login(participant(COLLEAGUE))

    page = client_a.get(f"/invitations/{invitation.token}/")
    posted = client_a.post(f"/invitations/{invitation.token}/")

    html = page.content.decode()
    assert page.status_code == posted.status_code == 410
    assert "Cette invitation a expiré" in html
    assert "Boulangerie du Clain" in html
    assert "nouvelle invitation" in html
    assert not Membership.objects.filter(user__email=COLLEAGUE).exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_says_so_before_asking_to_sign_in(organisation, owner, client_a):
    """Someone without an account learns that the link is dead before creating one for nothing."""
    invitation = sent_days_ago(invite_member(organisation, owner, COLLEAGUE), 15)

    response = client_a.get(f"/invitations/{invitation.token}/")

    assert response.status_code == 410
    assert "Cette invitation a expiré" in response.content.decode()
    # A working link says what it is for, then asks to sign in or sign up.
    fresh = invite_member(organisation, owner, "autre@example.org")
    landing = client_a.get(f"/invitations/{fresh.token}/")
    assert landing.status_code == 200
    assert "Se connecter" in landing.content.decode()


def test_owner_cancels_an_invitation_and_its_link_says_so(organisation, owner, client_a):
    invitation = invite_member(organisation, owner, COLLEAGUE)
    client_a.force_login(owner)

    client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/annuler/")

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client_a.force_login(participant(COLLEAGUE))
    assert "Vous êtes invité" not in client_a.get("/mon-espace/").content.decode()
    page = client_a.get(f"/invitations/{invitation.token}/")
    assert page.status_code == 410
    assert "Cette invitation a été annulée" in page.content.decode()
    assert client_a.post(f"/invitations/{invitation.token}/").status_code == 410
    assert not Membership.objects.filter(user__email=COLLEAGUE).exists()


def test_owner_sees_an_expired_invitation_and_resends_it(organisation, owner, client_a, territory_a, queued_emails):
    invitation = sent_days_ago(invite_member(organisation, owner, COLLEAGUE), 20)
    old_token = invitation.token
    client_a.force_login(owner)
    detail = client_a.get(f"/organisations/{organisation.pk}/").content.decode()
    assert COLLEAGUE in detail
    assert "Expirée" in detail

    response = client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/renvoyer/", follow=True)

    assert "Une nouvelle invitation est envoyée" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert timezone.now() - invitation.sent_at < timedelta(minutes=1)
    first, email = queued_emails(territory_a)
    assert old_token in first.body
    assert f"/invitations/{invitation.token}/" in email.body
    assert old_token not in email.body
    assert "valable jusqu'au" in email.body
    # The old link no longer exists; the new one works.
    client_a.force_login(participant(COLLEAGUE))
    assert client_a.get(f"/invitations/{old_token}/").status_code == 404
    assert client_a.post(f"/invitations/{invitation.token}/").status_code == 302
    assert Membership.objects.filter(user__email=COLLEAGUE, organisation=organisation).exists()


def test_inviting_the_same_address_again_renews_its_invitation(organisation, owner):
    first = sent_days_ago(invite_member(organisation, owner, COLLEAGUE), 20)
    old_token = first.token

    again = invite_member(organisation, owner, COLLEAGUE.upper())

    assert Invitation.objects.count() == 1
    assert again.pk == first.pk
    assert again.token != old_token
    assert again.state == "pending"


def test_a_cancelled_invitation_cannot_be_resent_but_the_address_can_be_invited_again(organisation, owner, client_a):
    invitation = invite_member(organisation, owner, COLLEAGUE)
    client_a.force_login(owner)
    client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/annuler/")

    resent = client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/renvoyer/")
    client_a.post(f"/organisations/{organisation.pk}/inviter/", {"email": COLLEAGUE})

    assert resent.status_code == 404
    assert Invitation.objects.filter(email=COLLEAGUE).count() == 2
    assert Invitation.objects.open().get().pk != invitation.pk


def test_only_an_owner_resends_or_cancels(organisation, owner, client_a):
    invitation = invite_member(organisation, owner, COLLEAGUE)
    member = participant("membre@example.org")
    Membership.objects.create(user=member, organisation=organisation)
    client_a.force_login(member)
    token = invitation.token

    assert client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/renvoyer/").status_code == 404
    assert client_a.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/annuler/").status_code == 404
    invitation.refresh_from_db()
    assert (invitation.token, invitation.revoked_at) == (token, None)


def test_unknown_invitation_link_gets_a_french_page(in_a, client_a):
    response = client_a.get("/invitations/pas-un-jeton/")
    assert response.status_code == 404
    assert "Invitation introuvable" in response.content.decode()


def test_invitation_of_a_is_unknown_on_b(organisation, owner, client_b, territory_b):
    invitation = invite_member(organisation, owner, COLLEAGUE)
    connection.set_tenant(territory_b)
    client_b.force_login(participant(COLLEAGUE))

    assert client_b.get(f"/invitations/{invitation.token}/").status_code == 404
    assert client_b.post(f"/invitations/{invitation.token}/").status_code == 404
    assert not Membership.objects.exists()


# Join requests


def join_request_days_ago(organisation, user, days):
    join_request = JoinRequest.objects.create(organisation=organisation, user=user)
    JoinRequest.objects.filter(pk=join_request.pk).update(created_at=timezone.now() - timedelta(days=days))
    join_request.refresh_from_db()
    return join_request


def test_an_expired_join_request_is_not_offered_to_owners_nor_accepted(organisation, owner, client_a):
    newcomer = participant("nouveau@example.org")
    join_request = join_request_days_ago(organisation, newcomer, 15)
    client_a.force_login(owner)

    assert "nouveau@example.org" not in client_a.get(f"/organisations/{organisation.pk}/").content.decode()
    response = client_a.post(
        f"/organisations/{organisation.pk}/demandes/{join_request.pk}/", {"decision": "accept"}, follow=True
    )

    assert "Cette demande a expiré" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_expired_join_request_can_be_renewed(organisation, client_a):
    newcomer = participant("nouveau@example.org")
    old = join_request_days_ago(organisation, newcomer, 15)
    client_a.force_login(newcomer)
    dashboard = client_a.get("/mon-espace/").content.decode()
    assert "Expirée" in dashboard
    assert "Renouveler la demande" in dashboard

    client_a.post(f"/organisations/rejoindre/{organisation.public_id}/", {"message": "Toujours partant."})

    old.refresh_from_db()
    assert old.status == JoinRequestStatus.EXPIRED
    assert JoinRequest.objects.pending().get().message == "Toujours partant."


def test_a_join_request_still_counts_on_its_thirteenth_day(organisation, owner, client_a):
    newcomer = participant("nouveau@example.org")
    join_request = join_request_days_ago(organisation, newcomer, 13)
    client_a.force_login(owner)

    assert "nouveau@example.org" in client_a.get(f"/organisations/{organisation.pk}/").content.decode()
    client_a.post(f"/organisations/{organisation.pk}/demandes/{join_request.pk}/", {"decision": "accept"})

    assert Membership.objects.filter(user=newcomer, organisation=organisation).exists()


def test_the_requester_withdraws_and_the_owner_can_no_longer_accept(organisation, owner, client_a):
    newcomer = participant("nouveau@example.org")
    client_a.force_login(newcomer)
    client_a.post(f"/organisations/rejoindre/{organisation.public_id}/", {"message": ""})
    join_request = JoinRequest.objects.get()

    response = client_a.post(f"/organisations/demandes/{join_request.pk}/retirer/", follow=True)

    assert "est retirée" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.WITHDRAWN
    client_a.force_login(owner)
    assert "nouveau@example.org" not in client_a.get(f"/organisations/{organisation.pk}/").content.decode()
    response = client_a.post(
        f"/organisations/{organisation.pk}/demandes/{join_request.pk}/", {"decision": "accept"}, follow=True
    )
    assert "a été retirée" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_nobody_else_withdraws_a_join_request(organisation, owner, client_a):
    join_request = JoinRequest.objects.create(organisation=organisation, user=participant("nouveau@example.org"))
    for someone in (owner, participant("autre@example.org")):
        client_a.force_login(someone)
        assert client_a.post(f"/organisations/demandes/{join_request.pk}/retirer/").status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_the_owner_declines_a_join_request(organisation, owner, client_a):
    newcomer = participant("alex@example.org")
    join_request = JoinRequest.objects.create(organisation=organisation, user=newcomer)
    client_a.force_login(owner)

    response = client_a.post(
        f"/organisations/{organisation.pk}/demandes/{join_request.pk}/", {"decision": "decline"}, follow=True
    )

    assert "La demande d'alex@example.org est refusée." in html.unescape(response.content.decode())

    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(user=newcomer).exists()
