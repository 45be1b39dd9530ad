"""Tenant isolation: territory B never sees nor touches what belongs to territory A."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client

from accounts.models import User
from tenants.enums import TerritoryStatus
from tenants.models import Domain, Territory
from tenants.tasks import ping

from ..conftest import TERRITORY_A, TERRITORY_B


def make_user(territory, email="camille@example.org", password="Mot-de-passe-42"):
    connection.set_tenant(territory)
    user = User.objects.create_user(email, password)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    connection.set_schema_to_public()
    return user


def test_session_cookie_of_a_is_not_logged_in_on_b(db, client_a, territory_a, territory_b):
    make_user(territory_a)
    assert (
        client_a.post("/comptes/login/", {"login": "camille@example.org", "password": "Mot-de-passe-42"}).status_code
        == 302
    )
    assert client_a.get("/mon-espace/").status_code == 200
    stolen = client_a.cookies["sessionid"].value

    replay = Client(HTTP_HOST=TERRITORY_B.domain)
    replay.cookies["sessionid"] = stolen
    response = replay.get("/mon-espace/")

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_session_cookie_is_host_only(db, client_a, territory_a):
    make_user(territory_a)
    client_a.post("/comptes/login/", {"login": "camille@example.org", "password": "Mot-de-passe-42"})
    assert client_a.cookies["sessionid"]["domain"] == ""


def test_account_of_a_cannot_log_in_on_b(db, client_b, territory_a):
    make_user(territory_a)

    response = client_b.post("/comptes/login/", {"login": "camille@example.org", "password": "Mot-de-passe-42"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client_b.session


def test_cached_value_of_a_is_not_read_in_b(db, territory_a, territory_b):
    connection.set_tenant(territory_a)
    cache.set("programme-stats", "secret de A", 60)
    assert cache.get("programme-stats") == "secret de A"

    connection.set_tenant(territory_b)
    assert cache.get("programme-stats") is None


def test_file_uploaded_in_a_is_not_served_on_b(db, client_a, client_b, territory_a):
    connection.set_tenant(territory_a)
    name = default_storage.save("documents/plan-climat.txt", ContentFile(b"PCAET de A"))
    connection.set_schema_to_public()
    try:
        served = client_a.get(f"/media/{name}")
        assert served.status_code == 200
        assert b"".join(served.streaming_content) == b"PCAET de A"
        assert client_b.get(f"/media/{name}").status_code == 404
        assert client_b.get(f"/media/../{territory_a.schema_name}/{name}").status_code == 404
    finally:
        connection.set_tenant(territory_a)
        default_storage.delete(name)


@pytest.mark.worker
def test_celery_task_sent_from_a_runs_in_a_schema(territories, celery_worker):
    a, b = territories
    connection.set_tenant(a)
    result_a = ping.apply_async(queue=celery_worker)
    connection.set_tenant(b)
    result_b = ping.apply_async(queue=celery_worker)
    connection.set_schema_to_public()

    assert result_a.get(timeout=30) == a.schema_name
    assert result_b.get(timeout=30) == b.schema_name


def test_suspended_territory_shows_a_clear_page(db, client_a, territory_a):
    Territory.objects.filter(pk=territory_a.pk).update(status=TerritoryStatus.SUSPENDED)
    Territory.objects.get(pk=territory_a.pk).save()  # signals invalidate the host cache, as an admin edit would

    response = client_a.get("/")

    assert response.status_code == 503
    assert "Programme suspendu" in response.content.decode()


def test_unknown_host_is_a_404(db, territories):
    assert Client(HTTP_HOST="inconnu.localhost").get("/").status_code == 404


def test_domain_change_is_seen_by_the_host_cache(db, client_a, territory_a):
    assert client_a.get("/").status_code == 200
    Domain.objects.filter(domain=TERRITORY_A.domain).update(domain="renamed.localhost")
    Domain.objects.get(domain="renamed.localhost").save()

    assert client_a.get("/").status_code == 404
    assert Client(HTTP_HOST="renamed.localhost").get("/").status_code == 200
