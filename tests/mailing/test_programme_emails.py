"""Every email speaks for the territory's programme: French, what to do and why, HTML and text, its sender."""

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from organisations.services import invite_member, request_to_join

from ..organisations.test_organisations import organisation_for, participant

PASSWORD = "Un-mot-de-passe-42"
ENGLISH = re.compile(r"\b(Hello|Thank you|You're receiving|Please|account|password)\b")


@pytest.fixture
def with_contact(in_a):
    in_a.contact_email = "climat@territoire-a.example"
    in_a.save(update_fields=["contact_email"])
    yield in_a
    in_a.contact_email = ""
    in_a.save(update_fields=["contact_email"])


def signup(client, email, first_name="Nora"):
    data = {"first_name": first_name, "last_name": "B", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/comptes/signup/", data)


def assert_speaks_for_the_programme(email, territory):
    assert territory.programme_name in email.body
    assert not ENGLISH.search(re.sub(r"https?://\S+", "", email.body)), email.body
    assert "c'est" not in email.body and "localhost:8000 !" not in email.body
    assert email.from_email == f'"{territory.programme_name}" <programme@assett.localhost>'
    assert email.reply_to == [territory.contact_email]
    assert f"écrivez à {territory.contact_email}" in email.body
    # The HTML part says the same, its links clickable.
    assert email.html_body.startswith("<!DOCTYPE html>")
    for url in re.findall(r"https?://\S+", email.body):
        assert f'<a href="{url}">' in email.html_body


def test_sign_up_confirmation(with_contact, client_a, queued_emails):
    signup(client_a, "nora@example.org")
    [email] = queued_emails(with_contact)
    assert email.subject == f"Confirmez votre adresse pour activer votre compte – {with_contact.programme_name}"
    assert "Pour activer votre compte" in email.body
    assert "inscrire votre organisation" in email.body  # why
    assert_speaks_for_the_programme(email, with_contact)


def test_password_reset_known_and_unknown(with_contact, client_a, queued_emails):
    user = User.objects.create_user("camille@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client_a.post("/comptes/password/reset/", {"email": "camille@example.org"})
    client_a.post("/comptes/password/reset/", {"email": "personne@example.org"})

    reset, unknown = queued_emails(with_contact)
    assert reset.subject == f"Choisissez un nouveau mot de passe – {with_contact.programme_name}"
    assert "/comptes/password/reset/key/" in reset.body
    assert "Aucun compte n'existe avec cette adresse" in unknown.body
    for email in (reset, unknown):
        assert_speaks_for_the_programme(email, with_contact)


def test_sign_up_with_a_taken_address(with_contact, client_a, queued_emails):
    participant("camille@example.org")
    signup(client_a, "camille@example.org")
    [email] = queued_emails(with_contact)
    assert "Un compte existe déjà avec cette adresse" in email.body
    assert_speaks_for_the_programme(email, with_contact)


def test_organisation_invitation_and_join_request(with_contact, queued_emails):
    owner = participant("dominique@example.org")
    owner.first_name, owner.last_name = "Dominique", "Roy"
    owner.save()
    organisation = organisation_for(owner)
    asker = participant("camille@example.org")
    asker.first_name, asker.last_name = "Camille", "Martin"
    asker.save()

    invite_member(organisation, owner, "claude@example.org")
    request_to_join(organisation, asker, "Je suis la nouvelle comptable.")

    invitation, join_request = queued_emails(with_contact)
    assert invitation.subject.startswith("Dominique Roy vous invite à rejoindre Boulangerie du Clain")
    assert "transition écologique" in invitation.body
    assert join_request.subject == "Camille Martin demande à rejoindre Boulangerie du Clain"
    assert "Camille Martin (camille@example.org) demande à rejoindre" in join_request.body
    for email in (invitation, join_request):
        assert_speaks_for_the_programme(email, with_contact)


def test_without_a_contact_address_nobody_is_asked_to_answer(in_a, queued_emails):
    invite_member(organisation_for(participant()), participant("x@example.org"), "claude@example.org")
    [email] = queued_emails(in_a)
    assert email.reply_to == []
    assert "merci de ne pas y répondre" in email.body


def test_the_confirmation_page_says_what_the_person_joins(in_a, client_a, queued_emails):
    signup(client_a, "nora@example.org")
    [email] = queued_emails(in_a)
    confirm = re.search(r"/comptes/confirm-email/[^/\s]+/", email.body).group()

    page = client_a.get(confirm).content.decode()

    assert f"programme « {in_a.programme_name} » de {in_a.name}" in page
    assert "inscrire votre organisation" in page


def test_the_invitation_landing_says_what_the_person_joins(in_a, client_a):
    owner = participant()
    owner.first_name, owner.last_name = "Dominique", "Roy"
    owner.save()
    invitation = invite_member(organisation_for(owner), owner, "claude@example.org")

    page = client_a.get(f"/invitations/{invitation.token}/").content.decode()

    assert "Dominique Roy vous invite à rejoindre l'organisation Boulangerie du Clain" in page
    assert in_a.programme_name in page
    assert f'href="/comptes/signup/?next=/invitations/{invitation.token}/"' in page
