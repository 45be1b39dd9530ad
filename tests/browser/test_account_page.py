"""« Mon compte » in a real Chromium: from the header's email to the download of my data and the
deletion of my account. Screenshots at desktop and phone width land in /tmp to be looked at."""

import json
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import User
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation

from ..conftest import TERRITORY_A
from .live import committed, no_persistent_connections_in_the_server, orm_beside_playwright  # noqa: F401 - fixtures
from .test_participant_onboarding import browser_errors  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOTS = Path("/tmp")  # noqa: S108 - a fixed place to look at, overwritten by each run
SIZES = {"desktop": (1280, 900), "phone": (375, 812)}


@pytest.fixture
def people(territory_a):
    """A member of an organisation that keeps another owner, so that they may leave it; committed."""
    tag = uuid.uuid4().hex[:8]
    emails = {"member": f"camille.{tag}@example.org", "owner": f"dominique.{tag}@example.org"}
    name = f"Menuiserie du Clain {tag}"

    def create():
        users = {}
        for role, email in emails.items():
            users[role] = User.objects.create_user(email, PASSWORD)
            EmailAddress.objects.create(user=users[role], email=email, verified=True, primary=True)
        organisation = Organisation.objects.create(
            name=name, kind=OrganisationKind.ENTREPRISE, siret="", headcount_band="11", commune="Poitiers"
        )
        Membership.objects.create(user=users["owner"], organisation=organisation, role=MembershipRole.OWNER)
        Membership.objects.create(user=users["member"], organisation=organisation, role=MembershipRole.MEMBER)

    committed(territory_a, create)
    yield {**emails, "organisation": name}

    def delete():
        Organisation.objects.filter(name=name).delete()
        User.objects.filter(email__in=emails.values()).delete()

    committed(territory_a, delete)


def shoot(page, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"assett-personal-data-{name}-{size}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_member_downloads_their_data_then_deletes_their_account(
    live_server_url,
    page,
    people,
    territory_a,
    browser_errors,  # noqa: F811 - the imported fixture
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/comptes/login/")
    page.get_by_label("Courriel").fill(people["member"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(base + "/mon-espace/")

    # The header's email is the way to the account page.
    page.get_by_role("banner").get_by_role("link", name=people["member"]).first.click()
    expect(page).to_have_url(base + "/mon-compte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_role("link", name=people["organisation"])).to_be_visible()
    shoot(page, "account")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == people["member"]
    assert [m["organisation"] for m in data["memberships"]] == [people["organisation"]]

    page.get_by_role("link", name="Supprimer mon compte…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer mon compte")
    shoot(page, "account-delete")
    page.get_by_label("Votre mot de passe, pour confirmer").fill("pas-le-bon")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    # Beside the field (exact text), and linked from the form's error summary.
    expect(page.get_by_text("Ce mot de passe n'est pas celui de votre compte.", exact=True)).to_be_visible()
    summary_link = page.get_by_role("link", name="Votre mot de passe, pour confirmer : Ce mot de passe")
    expect(summary_link).to_have_attribute("href", "#id_password")
    assert committed(territory_a, User.objects.filter(email=people["member"]).exists)

    page.get_by_label("Votre mot de passe, pour confirmer").fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()

    expect(page).to_have_url(base + "/")
    expect(page.get_by_text("Votre compte est supprimé")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    assert not committed(territory_a, User.objects.filter(email=people["member"]).exists)
    assert committed(territory_a, Organisation.objects.filter(name=people["organisation"]).exists)
    # The form's refusal is a 200, not an error: nothing failed along the way.
    assert browser_errors == []


def test_owner_sees_what_deleting_the_organisation_takes(live_server_url, page, people, territory_a):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/comptes/login/")
    page.get_by_label("Courriel").fill(people["owner"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(base + "/mon-espace/")
    page.get_by_role("link", name=people["organisation"]).click()
    page.get_by_role("link", name="Supprimer l'organisation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Supprimer la {people['organisation']}")
    expect(page.get_by_text("l'appartenance de ses 2 membres à l'organisation")).to_be_visible()
    expect(page.get_by_text("aucune auto-évaluation")).to_be_visible()
    shoot(page, "organisation-delete")
