import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client

from accounts.models import User

BASE_DIR = Path(__file__).resolve().parents[2]


def test_signup_sends_a_confirmation_link_on_the_territory_domain(db, client_a, territory_a, queued_emails):
    response = client_a.post(
        "/comptes/signup/",
        {
            "first_name": "Nora",
            "last_name": "Nouvelle",
            "email": "Nouvelle@Example.org",
            "password1": "Un-mot-de-passe-42",
            "password2": "Un-mot-de-passe-42",
        },
    )

    assert response.status_code == 302
    [email] = queued_emails(territory_a)
    assert email.recipients == ["nouvelle@example.org"]
    assert "http://territoire-a.localhost:8000/comptes/confirm-email/" in email.body
    connection.set_tenant(territory_a)
    assert User.objects.filter(email="nouvelle@example.org").exists()
    assert not EmailAddress.objects.get(email__iexact="nouvelle@example.org").verified
    connection.set_schema_to_public()
    assert not User.objects.filter(email="nouvelle@example.org").exists()  # not a national account


def test_unverified_account_cannot_log_in(db, client_a, territory_a):
    client_a.post(
        "/comptes/signup/",
        {
            "first_name": "Xavier",
            "last_name": "X",
            "email": "x@example.org",
            "password1": "Un-mot-de-passe-42",
            "password2": "Un-mot-de-passe-42",
        },
    )
    client_a.logout()
    response = client_a.post("/comptes/login/", {"login": "x@example.org", "password": "Un-mot-de-passe-42"})
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client_a.get("/mon-espace/").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(db, client_a, territory_a, queued_emails):
    response = client_a.post("/comptes/password/reset/", {"email": "personne@example.org"})
    assert response.status_code == 302
    [email] = queued_emails(territory_a)  # the "unknown account" email, same page
    assert email.recipients == ["personne@example.org"]
    assert "/comptes/password/reset/key/" not in email.body
    assert "http://territoire-a.localhost:8000/comptes/signup/" in email.body


@pytest.mark.parametrize("host", ["territoire-a.localhost", "territoire-a.localhost:6666"])
def test_password_reset_link_is_on_the_territory_domain_and_configured_port(
    db, territory_a, queued_emails, host, settings
):
    settings.SITE_SCHEME, settings.SITE_PORT = "https", "8443"
    connection.set_tenant(territory_a)
    user = User.objects.create_user("camille@example.org", "Mot-de-passe-42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    connection.set_schema_to_public()

    Client(HTTP_HOST=host).post("/comptes/password/reset/", {"email": "camille@example.org"})

    [email] = queued_emails(territory_a)
    assert "https://territoire-a.localhost:8443/comptes/password/reset/key/" in email.body
    assert ":6666" not in email.body


def test_poisoned_host_header_is_refused(db, territories, queued_emails):
    response = Client(HTTP_HOST="evil.example.com").post("/comptes/password/reset/", {"email": "a@b.example"})
    assert response.status_code in (400, 404)
    assert [queued_emails(territory) for territory in ("public", *territories)] == [[], [], []]


def test_signup_is_closed_on_the_national_site(public_client):
    response = public_client.get("/comptes/signup/")
    assert "fermées" in response.content.decode() or response.status_code in (302, 403)


def test_pages_carry_security_headers(db, client_a):
    response = client_a.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ASSETT_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="a-long-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS=".assett.fr",
        EMAIL_HOST="smtp.example.org",
    )
    env.update(overrides)
    return env


def test_production_settings_pass_check_deploy():
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


def test_production_refuses_to_start_without_a_secret_key_or_with_a_wildcard_host():
    for overrides in ({"SECRET_KEY": ""}, {"ALLOWED_HOSTS": "*"}, {"DEBUG": "1"}):
        completed = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=BASE_DIR,
            env=_production_env(**overrides),
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode != 0
        assert "ImproperlyConfigured" in completed.stderr
