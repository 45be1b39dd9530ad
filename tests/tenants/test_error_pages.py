"""Error pages: in the DSFR, in French, with a way back home, on the national site and on territory sites."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from accounts.models import User

from ..conftest import TERRITORY_A


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.tenants.failing_urls.tenants"
    settings.PUBLIC_SCHEMA_URLCONF = "tests.tenants.failing_urls.public"


def client_for(site, **kwargs):
    # A new client per test: the middleware reads the public URL configuration when it is built.
    host = TERRITORY_A.domain if site == "territory" else "testserver"
    return Client(HTTP_HOST=host, raise_request_exception=False, **kwargs)


def assert_dsfr_error_page(response, status, heading, site):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert "/static/dsfr/dist/dsfr/dsfr.main.min.css" in page
    assert f"<h1>{heading}</h1>" in page
    assert f"Erreur {status}" in page
    assert '<a class="fr-btn" href="/">Page d’accueil</a>' in page
    if site == "territory":
        assert "Territoire A" in page
        assert 'href="/theme.css?v=' in page
    else:
        assert "Territoire A" not in page
        assert 'href="/theme.css?v=' not in page
    return page


SITES = ["national", "territory"]


@pytest.mark.parametrize("site", SITES)
def test_unknown_page_is_a_french_dsfr_404(db, territories, site):
    response = client_for(site).get("/cette-page-n-existe-pas/")

    assert_dsfr_error_page(response, 404, "Page non trouvée", site)


def test_unknown_territory_host_is_the_national_404(db, territories):
    response = Client(HTTP_HOST="inconnu.localhost").get("/")

    assert_dsfr_error_page(response, 404, "Page non trouvée", "national")


@pytest.mark.parametrize("site", SITES)
def test_forbidden_page_is_a_french_dsfr_403(db, territories, failing_urls, site):
    response = client_for(site).get("/test/interdit/")

    assert_dsfr_error_page(response, 403, "Accès refusé", site)


@pytest.mark.parametrize("site", SITES)
def test_form_without_csrf_token_is_a_french_dsfr_403(db, territories, site):
    response = client_for(site, enforce_csrf_checks=True).post("/comptes/login/", {"login": "a@b.example"})

    assert_dsfr_error_page(response, 403, "Formulaire expiré", site)


@pytest.mark.parametrize("site", SITES)
def test_bad_request_is_a_french_dsfr_400(db, territories, failing_urls, site):
    response = client_for(site).get("/test/requete-invalide/")

    assert_dsfr_error_page(response, 400, "Requête incorrecte", site)


@pytest.mark.parametrize("site", SITES)
def test_server_error_is_a_french_dsfr_500(db, territories, failing_urls, site):
    response = client_for(site).get("/test/panne/")

    assert_dsfr_error_page(response, 500, "Erreur inattendue", site)


# ---- with the services down ----


class RefusedQueries:
    """Every query fails as with PostgreSQL down; counts the attempts."""

    def __init__(self):
        self.attempts = 0

    def __call__(self, execute, sql, params, many, context):
        self.attempts += 1
        raise OperationalError("connection refused (simulated outage)")


def logged_in_client_of_a(territory_a):
    """Reading who is logged in would take a session (Redis, then the database) and a query."""
    client = client_for("territory")
    connection.set_tenant(territory_a)
    client.force_login(User.objects.create_user("camille.erreurs@a.example", "Mot-de-passe-42"))
    connection.set_schema_to_public()
    return client


def redis_nowhere(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        alias: {**config, "LOCATION": f"redis://127.0.0.1:{port}/0"} for alias, config in settings.CACHES.items()
    }


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/nulle-part/", 404, "Page non trouvée"), ("/test/panne/", 500, "Erreur inattendue")],
)
def test_territory_error_pages_make_no_query(db, territories, failing_urls, path, status, heading):
    client = logged_in_client_of_a(territories[0])
    assert client.get("/").status_code == 200  # the territory is now in the process's host map
    refused = RefusedQueries()

    with connection.execute_wrapper(refused):
        response = client.get(path)

    assert_dsfr_error_page(response, status, heading, "territory")
    assert refused.attempts == 0


@pytest.mark.parametrize("site", SITES)
def test_500_page_renders_with_the_database_and_redis_down(db, territories, failing_urls, settings, site):
    client = logged_in_client_of_a(territories[0]) if site == "territory" else client_for(site)
    client.get("/")
    redis_nowhere(settings)
    refused = RefusedQueries()

    with connection.execute_wrapper(refused):
        response = client.get("/test/panne/")

    # The failure may come from the middleware (host map, Redis) or the view: the page is the same.
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Erreur inattendue</h1>" in page
    assert "/static/dsfr/dist/dsfr/dsfr.main.min.css" in page


def test_error_page_that_cannot_render_still_answers_its_status_in_plain_text(db, territories, settings, tmp_path):
    # The production fault of issue 7 (item 13): a static files manifest without the DSFR's entries.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    response = client_for("territory").get("/nulle-part/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "Erreur 404. Revenez à la page d’accueil : /"
