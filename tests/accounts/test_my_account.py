"""« Mon compte »: names (asked at sign-up), shown instead of addresses; email and password changes."""

import re

from allauth.account.models import EmailAddress

from accounts.enums import Role
from accounts.models import User
from organisations.models import Membership

from ..organisations.test_organisations import organisation_for, participant

PASSWORD = "Un-mot-de-passe-42"
SIGNUP = {"first_name": "Nora", "last_name": "Nouvelle", "email": "nora@example.org", "password1": PASSWORD}


def test_sign_up_asks_for_first_and_last_name(in_a, client_a):
    page = client_a.get("/comptes/signup/").content.decode()
    assert 'name="first_name"' in page and 'name="last_name"' in page

    response = client_a.post("/comptes/signup/", {**SIGNUP, "password2": PASSWORD})

    assert response.status_code == 302
    user = User.objects.get(email="nora@example.org")
    assert (user.first_name, user.last_name, user.display_name) == ("Nora", "Nouvelle", "Nora Nouvelle")


def test_sign_up_without_a_name_is_refused(in_a, client_a):
    response = client_a.post("/comptes/signup/", {**SIGNUP, "first_name": "", "password2": PASSWORD})

    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not User.objects.filter(email="nora@example.org").exists()


def test_the_account_page_changes_the_names(in_a, client_a):
    user = participant()
    client_a.force_login(user)

    response = client_a.post("/mon-compte/", {"first_name": "Camille", "last_name": "Martin"}, follow=True)

    assert "Vos nom et prénom sont enregistrés." in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Camille Martin"


def test_a_name_on_two_lines_is_refused(in_a, client_a):
    user = participant()
    client_a.force_login(user)

    response = client_a.post("/mon-compte/", {"first_name": "Camille\r\nBcc: x@example.org", "last_name": "Martin"})

    assert response.status_code == 200
    assert "une seule ligne" in response.content.decode()
    user.refresh_from_db()
    assert user.first_name == ""


def test_people_are_shown_by_name_in_the_header_the_members_and_the_team(in_a, client_a):
    owner = participant()
    owner.first_name, owner.last_name = "Camille", "Martin"
    owner.save()
    colleague = participant("dominique@example.org")
    organisation = organisation_for(owner)
    Membership.objects.create(user=colleague, organisation=organisation)
    client_a.force_login(owner)

    header = client_a.get("/mon-espace/").content.decode()
    members = client_a.get(f"/organisations/{organisation.pk}/").content.decode()

    assert re.search(r'href="/mon-compte/"[^>]*>Camille Martin</a>', header)
    assert "<td>Camille Martin<br>" in members  # the name, the address beneath it
    assert "<td>dominique@example.org</td>" in members  # no name given: the address

    admin = User.objects.create_user("alex@a.example", PASSWORD, role=Role.ADMIN, first_name="Alex", last_name="Roy")
    client_a.force_login(admin)
    assert "<td>Alex Roy<br>" in client_a.get("/gestion/equipe/").content.decode()


def test_the_account_page_links_email_and_password_changes(in_a, client_a):
    client_a.force_login(participant())
    page = client_a.get("/mon-compte/").content.decode()
    assert 'href="/comptes/email/"' in page
    assert 'href="/comptes/password/change/"' in page


def test_a_new_address_replaces_the_old_once_confirmed(in_a, client_a, queued_emails):
    user = participant()
    client_a.force_login(user)

    page = client_a.get("/comptes/email/").content.decode()
    assert "Changer d'adresse électronique" in page and "Email" not in page
    client_a.post("/comptes/email/", {"action_add": "", "email": "nouvelle@example.org"})

    user.refresh_from_db()
    assert user.email == "camille@example.org"  # not before it is confirmed
    assert "nouvelle@example.org" in client_a.get("/mon-compte/").content.decode()  # « en attente »
    [email] = queued_emails(in_a)
    assert email.recipients == ["nouvelle@example.org"]
    confirm = re.search(r"/comptes/confirm-email/[^/\s]+/", email.body).group()

    client_a.post(confirm)

    user.refresh_from_db()
    assert user.email == "nouvelle@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["nouvelle@example.org"]


def test_password_change_in_french_and_back_to_the_account(in_a, client_a):
    user = participant()
    client_a.force_login(user)

    page = client_a.get("/comptes/password/change/").content.decode()
    assert "Changer de mot de passe" in page and "fr-input" in page

    response = client_a.post(
        "/comptes/password/change/",
        {"oldpassword": "Mot-de-passe-42", "password1": "Nouveau-secret-43", "password2": "Nouveau-secret-43"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/mon-compte/"
    user.refresh_from_db()
    assert user.check_password("Nouveau-secret-43")
