import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.enums import Role
from accounts.models import User
from assett.dates import french_date
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.services import create_organisation
from referentiel.services import start_assessment
from tenants.enums import TerritoryStatus
from tenants.models import Territory
from tenants.resolution import forget_territories_in_process


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
    territory = Territory.objects.get(slug="haut-poitou-test", status=TerritoryStatus.PREPARING)
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


def test_a_new_territory_is_in_preparation_until_opened(public_client, national_admin):
    public_client.force_login(national_admin)
    public_client.post("/plateforme/territoires/nouveau/", FORM)
    territory = Territory.objects.get(slug="haut-poitou-test")
    assert territory.is_preparing
    public_client.logout()
    assert "Haut-Poitou" not in public_client.get("/").content.decode()

    # Its site works, and says it is being prepared.
    site = Client(HTTP_HOST="haut-poitou-test.localhost")
    page = site.get("/")
    connection.set_schema_to_public()
    assert page.status_code == 200
    assert "Ce programme est en préparation" in page.content.decode()

    public_client.force_login(national_admin)
    confirmation = public_client.get(f"/plateforme/territoires/{territory.pk}/statut/?status=active")
    assert "Ouvrir la Communauté de communes du Haut-Poitou ?" in confirmation.content.decode()
    public_client.post(f"/plateforme/territoires/{territory.pk}/statut/", {"status": "active"})
    public_client.logout()
    assert "Communauté de communes du Haut-Poitou" in public_client.get("/").content.decode()
    page = site.get("/")
    connection.set_schema_to_public()
    assert "Ce programme est en préparation" not in page.content.decode()


def test_the_territory_admin_opens_the_programme(db, territory_a, client_a):
    admin_client_a = client_a
    with schema_context(territory_a.schema_name):
        admin = User.objects.create_user("admin-open@a.example", "pass-open-1", role=Role.ADMIN)
        admin_client_a.force_login(admin)
    Territory.objects.filter(pk=territory_a.pk).update(status=TerritoryStatus.PREPARING)
    forget_territories_in_process()
    try:
        assert "Ouvrir le programme" in admin_client_a.get("/gestion/territoire/").content.decode()
        assert admin_client_a.get("/gestion/territoire/ouvrir/").status_code == 200
        assert Territory.objects.get(pk=territory_a.pk).is_preparing  # a GET changes nothing
        response = admin_client_a.post("/gestion/territoire/ouvrir/")
        assert response.status_code == 302
        assert Territory.objects.get(pk=territory_a.pk).is_active
        assert admin_client_a.get("/gestion/territoire/ouvrir/").status_code == 404  # already open
    finally:
        Territory.objects.filter(pk=territory_a.pk).update(status=TerritoryStatus.ACTIVE)
        forget_territories_in_process()
        connection.set_schema_to_public()


def test_suspending_asks_for_a_confirmation_that_names_the_territory(public_client, national_admin, territory_b):
    public_client.force_login(national_admin)
    assert (
        f"/plateforme/territoires/{territory_b.pk}/statut/?status=suspended"
        in public_client.get("/plateforme/").content.decode()
    )

    page = public_client.get(f"/plateforme/territoires/{territory_b.pk}/statut/?status=suspended").content.decode()

    assert "Suspendre Territoire B ?" in page
    assert "hors ligne" in page
    assert Territory.objects.get(pk=territory_b.pk).is_active  # nothing changed on GET
    try:
        public_client.post(f"/plateforme/territoires/{territory_b.pk}/statut/", {"status": "suspended"})
        assert Territory.objects.get(pk=territory_b.pk).status == TerritoryStatus.SUSPENDED
    finally:
        Territory.objects.filter(pk=territory_b.pk).update(status=TerritoryStatus.ACTIVE)
        forget_territories_in_process()


def test_an_epci_siren_already_on_the_platform_is_refused(public_client, national_admin, territory_a):
    public_client.force_login(national_admin)

    response = public_client.post(
        "/plateforme/territoires/nouveau/", {**FORM, "siren": territory_a.siren, "kind": territory_a.kind}
    )

    assert "Le SIREN 200069854 est déjà celui de Territoire A" in response.content.decode()
    assert not Territory.objects.filter(slug="haut-poitou-test").exists()


def test_the_backoffice_shows_each_territorys_figures(public_client, national_admin, territory_a, territory_b):
    with schema_context(territory_a.schema_name):
        owner = User.objects.create_user("figures@a.example", "pass-figures-1")
        organisation = create_organisation(
            owner,
            name="Scierie des Chiffres",
            kind=OrganisationKind.ENTREPRISE,
            siret=demo_siret(random.Random(7)),
            headcount_band="11",
            commune="Poitiers",
        )
        assessment = start_assessment(organisation, owner)
    public_client.force_login(national_admin)

    with CaptureQueriesContext(connection) as queries:
        page = public_client.get("/plateforme/").content.decode()

    row_a = page[page.index("Territoire A") :].split("</tr>")[0]
    row_b = page[page.index("Territoire B") :].split("</tr>")[0]
    assert "<td>1</td>" in row_a  # one organisation
    assert "<td>0</td>" in row_a  # none validated yet
    assert french_date(timezone.localtime(assessment.updated_at)) in row_a
    assert "<td>0</td>" in row_b and "—" in row_b
    # One query per app's figures, whatever the number of territories.
    assert sum("UNION ALL" in query["sql"] for query in queries.captured_queries) == 2


# ---- opening a territory from the official list of EPCI and EPT ----


def test_a_territory_is_opened_from_its_epci_found_by_name(public_client, national_admin):
    public_client.force_login(national_admin)

    results = public_client.get("/plateforme/territoires/nouveau/", {"epci-q": "haut poitou"}).content.decode()
    assert '<a href="?siren=200069763">Communauté de communes du Haut Poitou</a>' in results
    assert "SIREN 200069763, 27 communes" in results
    assert "liste officielle 2026" in results

    page = public_client.get("/plateforme/territoires/nouveau/", {"siren": "200069763"}).content.decode()
    assert 'value="Communauté de communes du Haut Poitou"' in page
    assert 'value="200069763"' in page
    assert 'value="haut-poitou"' in page and 'value="haut-poitou.localhost"' in page
    assert '<option value="cc" selected>' in page.replace("\n", "")
    assert "27 communes :" in page and "Ayron" in page and "et 15 autres" in page


def test_an_epci_already_on_the_platform_is_said_so_in_the_search(public_client, national_admin, territory_a):
    public_client.force_login(national_admin)
    results = public_client.get("/plateforme/territoires/nouveau/", {"epci-q": "grand poitiers"}).content.decode()
    assert "Communauté urbaine du Grand Poitiers – déjà sur la plateforme" in results
    assert 'href="?siren=200069854"' not in results


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siren": "732829320"}, "siren", "aucun EPCI ni EPT de la liste officielle 2026"),
        ({"kind": "metropole"}, "kind", "Communauté de communes Vienne et Gartempe est : Communauté de communes"),
    ],
)
def test_a_siren_or_kind_that_the_official_list_contradicts_is_refused(
    public_client, national_admin, changes, field, message
):
    public_client.force_login(national_admin)
    response = public_client.post("/plateforme/territoires/nouveau/", {**FORM, **changes})
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Territory.objects.filter(slug="haut-poitou-test").exists()


def test_the_demo_territories_have_the_siren_and_kind_of_the_official_list():
    from assett.communes import folded, intercommunality
    from tenants.demo import DEMO_TERRITORIES

    for spec in DEMO_TERRITORIES:
        group = intercommunality(spec["siren"])
        assert group is not None, spec["name"]
        assert group.kind == spec["kind"], spec["name"]
        # Each one checked by its name: « Communauté de communes du Haut-Poitou » is the list's « CC du Haut Poitou ».
        assert folded(spec["name"]).replace("-", " ") in folded(group.full_name).replace("-", " "), spec["name"]
