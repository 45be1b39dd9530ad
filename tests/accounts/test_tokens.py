"""Every emailed token is bound to its territory: ids repeat from one schema to the next, SECRET_KEY does not."""

import re

from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client

from accounts.models import User

from ..conftest import TERRITORY_A, TERRITORY_B

PASSWORD = "Un-mot-de-passe-42"
NEW_PASSWORD = "Un-autre-mot-de-passe-43"


def link_path(body, pattern):
    [path] = re.findall(r"https?://[^/\s]+(" + pattern + r")", body)
    return path


NAMES = {"first_name": "Alix", "last_name": "Tran"}


def in_schema(territory, query):
    connection.set_tenant(territory)
    try:
        return query()
    finally:
        connection.set_schema_to_public()


def test_email_confirmation_of_a_does_not_confirm_the_same_row_id_on_b(db, territory_a, territory_b, queued_emails):
    client_a, client_b = Client(HTTP_HOST=TERRITORY_A.domain), Client(HTTP_HOST=TERRITORY_B.domain)
    client_a.post(
        "/comptes/signup/",
        {**NAMES, "email": "attaquant@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    address_a = in_schema(territory_a, lambda: EmailAddress.objects.get(email="attaquant@example.org"))

    def pending_address_with_the_same_id():
        victim = User.objects.create_user("victime@example.org", PASSWORD)
        return EmailAddress.objects.create(id=address_a.id, user=victim, email=victim.email, primary=True)

    address_b = in_schema(territory_b, pending_address_with_the_same_id)
    [email] = queued_emails(territory_a)
    confirm = link_path(email.body, r"/comptes/confirm-email/[^/\s]+/")

    client_b.post(confirm)

    assert not in_schema(territory_b, lambda: EmailAddress.objects.get(pk=address_b.pk).verified)
    assert "_auth_user_id" not in client_b.session
    # The link still works where it was sent from.
    assert client_a.post(confirm).status_code == 302
    assert in_schema(territory_a, lambda: EmailAddress.objects.get(pk=address_a.pk).verified)


def reset_password_through(client, path):
    """Follow a password-reset link and choose a new password; the response to the form."""
    form_page = client.get(path, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    return client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_password_reset_token_of_a_is_refused_on_b_for_the_same_user_id(db, territory_a, territory_b, queued_emails):
    def account():
        user = User.objects.create_user("camille@example.org", PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    user_a = in_schema(territory_a, account)

    def same_id_and_state_on_b():
        # The worst case: the same id, address and password hash (a token hashes the user's state).
        twin = User.objects.create(id=user_a.pk, email=user_a.email, password=user_a.password)
        EmailAddress.objects.create(user=twin, email=twin.email, verified=True, primary=True)

    in_schema(territory_b, same_id_and_state_on_b)
    Client(HTTP_HOST=TERRITORY_A.domain).post("/comptes/password/reset/", {"email": user_a.email})
    [email] = queued_emails(territory_a)
    reset = link_path(email.body, r"/comptes/password/reset/key/[^/\s]+/")

    reset_password_through(Client(HTTP_HOST=TERRITORY_B.domain), reset)

    assert in_schema(territory_b, lambda: User.objects.get(pk=user_a.pk).check_password(PASSWORD))
    assert reset_password_through(Client(HTTP_HOST=TERRITORY_A.domain), reset).status_code == 302
    assert in_schema(territory_a, lambda: User.objects.get(pk=user_a.pk).check_password(NEW_PASSWORD))


def test_team_invitation_link_of_a_is_refused_on_b_for_the_same_user_id(db, territory_a, territory_b):
    """The « choose your password » link of an invited admin is a password-reset token too."""
    from accounts.services import set_password_url

    def invited():
        user = User.objects.create_user("equipe@example.org")
        return user

    user_a = in_schema(territory_a, invited)
    in_schema(territory_b, lambda: User.objects.create(id=user_a.pk, email=user_a.email, password=user_a.password))
    path = "/" + in_schema(territory_a, lambda: set_password_url(territory_a, user_a)).split("/", 3)[3]

    reset_password_through(Client(HTTP_HOST=TERRITORY_B.domain), path)

    assert not in_schema(territory_b, lambda: User.objects.get(pk=user_a.pk).has_usable_password())
    assert reset_password_through(Client(HTTP_HOST=TERRITORY_A.domain), path).status_code == 302
    assert in_schema(territory_a, lambda: User.objects.get(pk=user_a.pk).check_password(NEW_PASSWORD))
