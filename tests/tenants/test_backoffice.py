import pytest
from django.db import connection

from accounts.models import User
from tenants.enums import TerritoryStatus
from tenants.models import Territory


@pytest.fixture
def national_admin(db, territories):
    connection.set_schema_to_public()
    return User.objects.create_user("national@cerema.example", "pass-national-1", is_staff=True)


FORM = {
    "name": "Communauté de communes du Haut-Poitou",
    "slug": "haut-poitou-test",
    "domain": "haut-poitou-test.localhost",
    "kind": "cc",
    "siren": "200070043",
    "admin_email": "climat@haut-poitou.example",
    "programme_name": "Acteurs engagés",
    "accent_color": "#000091",
    "time_zone": "Europe/Paris",
}


def test_national_admin_onboards_a_territory_from_the_form(public_client, national_admin, queued_emails):
    public_client.force_login(national_admin)

    response = public_client.post("/plateforme/territoires/nouveau/", FORM, follow=True)

    assert "L&#x27;invitation est en route vers climat@haut-poitou.example" in response.content.decode()
    territory = Territory.objects.get(slug="haut-poitou-test", status=TerritoryStatus.ACTIVE)
    assert [email.recipients for email in queued_emails(territory)] == [["climat@haut-poitou.example"]]


def test_onboarding_form_shows_french_errors_and_creates_nothing(public_client, national_admin):
    public_client.force_login(national_admin)

    response = public_client.post("/plateforme/territoires/nouveau/", {**FORM, "accent_color": "#eeeeee"})

    assert response.status_code == 200
    assert "trop claire" in response.content.decode()
    assert not Territory.objects.filter(slug="haut-poitou-test").exists()


def test_backoffice_is_hidden_from_anonymous_and_non_staff(public_client, db, territories):
    assert public_client.get("/plateforme/").status_code == 302  # to the login page
    user = User.objects.create_user("someone@example.org", "pass-someone-1")
    public_client.force_login(user)
    assert public_client.get("/plateforme/").status_code == 404


def test_landing_lists_active_territories_with_links(public_client, territory_a, territory_b):
    Territory.objects.filter(pk=territory_b.pk).update(status=TerritoryStatus.SUSPENDED)
    html = public_client.get("/").content.decode()
    assert "Territoire A" in html
    assert "http://territoire-a.localhost:8000/" in html
    assert "Territoire B" not in html
