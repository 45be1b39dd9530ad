"""Failed logins are counted per client, behind the TLS proxy too, and a blocked login says 429."""

import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client

from accounts.models import User

from ..conftest import BASE_DIR, TERRITORY_A

PASSWORD = "Mot-de-passe-42"


@pytest.fixture
def camille(in_a):
    user = User.objects.create_user("camille@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    connection.set_schema_to_public()
    return user


def log_in(email, password, client_ip):
    # As the TLS proxy passes it on: the client's address appended to X-Forwarded-For.
    client = Client(HTTP_HOST=TERRITORY_A.domain, HTTP_X_FORWARDED_FOR=client_ip, REMOTE_ADDR="10.0.0.2")
    return client.post("/comptes/login/", {"login": email, "password": password})


def test_a_blocked_login_answers_429_in_french(camille):
    for _attempt in range(5):  # ACCOUNT_LOGIN_ATTEMPTS_LIMIT for one address
        assert log_in(camille.email, "faux", "203.0.113.9").status_code == 200

    response = log_in(camille.email, PASSWORD, "203.0.113.9")

    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()


@pytest.mark.parametrize(("proxy_count", "status"), [(1, 302), (0, 429)])
def test_failed_logins_of_others_behind_the_proxy_do_not_block_a_person(camille, settings, proxy_count, status):
    """With the proxy counted, each client has its own counter; without it, everyone shares the proxy's."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxy_count
    for number in range(10):  # allauth's 10 failed logins a minute per IP address
        log_in(f"personne{number}@example.org", "faux", f"203.0.113.{number}")

    assert log_in(camille.email, PASSWORD, "198.51.100.7").status_code == status


@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, "0"), ({"ALLAUTH_TRUSTED_PROXY_COUNT": "2"}, "2"), ({"DJANGO_ENV": "production"}, "1")],
)
def test_the_trusted_proxy_count_comes_from_the_environment(environment, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("ALLAUTH_TRUSTED_PROXY_COUNT", "DJANGO_ENV")}
    if environment.get("DJANGO_ENV") == "production":
        env.update(SECRET_KEY="x" * 60, ALLOWED_HOSTS=".assett.fr", EMAIL_HOST="smtp.example.org")
        env.pop("DEBUG", None)
    completed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        cwd=BASE_DIR,
        env={**env, **environment, "DJANGO_SETTINGS_MODULE": "assett.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.strip() == expected
