"""In a real Chromium: a territory admin uploads a logo and sees it in the header; the error pages
are styled by the DSFR and show it too. Data is committed (the live server reads it) and removed after.
"""

import io
import re
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import User
from tenants.models import Territory

from ..conftest import TERRITORY_A

pytestmark = [
    pytest.mark.browser,
    # pytest-django creates the test database only for a test that asks for it; the test's own
    # writes go through committed() below, outside this mark's transaction.
    pytest.mark.django_db,
]

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOTS = Path(tempfile.gettempdir())
PHONE = {"width": 390, "height": 844}
BLUE_FRANCE = "rgb(0, 0, 145)"


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM is still safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def committed(query):
    """Run query() on a connection of its own, in autocommit: the live server sees what it writes."""

    def in_thread():
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture
def territory_admin(territory_a, orm_beside_playwright, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    email = f"admin.{uuid.uuid4().hex[:10]}@example.org"

    def create():
        with schema_context(territory_a.schema_name):
            user = User.objects.create_user(email, PASSWORD, role=Role.ADMIN)
            user.emailaddress_set.create(email=email, verified=True, primary=True)

    def remove():
        with schema_context(territory_a.schema_name):
            User.objects.filter(email=email).delete()
        territory = Territory.objects.get(pk=territory_a.pk)
        territory.logo = ""
        territory.save()  # its signals empty the host map

    committed(create)
    yield email
    committed(remove)


@pytest.fixture
def problems():
    """Responses of 500 and more, and console errors (CSP violations show up there)."""
    found = []

    def watch(page):
        page.on("response", lambda r: r.status >= 500 and found.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and found.append(f"console: {m.text} ({m.location['url']})"))
        return page

    watch.found = found
    return watch


def logo_png():
    buffer = io.BytesIO()
    image = Image.new("RGB", (240, 120), (255, 255, 255))
    image.paste((0, 0, 145), (20, 20, 220, 100))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def expect_header_logo_loaded(page):
    logo = page.locator("header img.assett-operator-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 240


def shoot(page, name):
    page.screenshot(path=SCREENSHOTS / f"assett-logos-errors-{name}-desktop.png", full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"assett-logos-errors-{name}-phone.png", full_page=True)
    page.set_viewport_size(size)


def test_admin_uploads_a_logo_and_sees_it_in_the_header_and_on_error_pages(
    live_server_url, page, territory_admin, problems
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    problems(page)
    page.goto(f"{base}/comptes/login/?next=/gestion/territoire/")
    page.get_by_label("Courriel").fill(territory_admin)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=re.compile("connexion|connecter", re.IGNORECASE)).click()
    expect(page).to_have_url(f"{base}/gestion/territoire/")

    page.locator("input[name=logo]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}]
    )
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Les paramètres du territoire sont enregistrés.")).to_be_visible()
    expect_header_logo_loaded(page)
    shoot(page, "settings-logo")
    assert problems.found == []

    response = page.goto(f"{base}/cette-page-n-existe-pas/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page non trouvée")
    expect_header_logo_loaded(page)
    home = page.get_by_role("link", name="Page d’accueil")
    assert home.evaluate("a => getComputedStyle(a).backgroundColor") == BLUE_FRANCE  # the DSFR is applied
    shoot(page, "404-territory")
    home.click()
    expect(page).to_have_url(f"{base}/")

    # Chromium reports the 404 page itself as a failed load; nothing else may fail.
    assert [p for p in problems.found if "status of 404" not in p] == []
