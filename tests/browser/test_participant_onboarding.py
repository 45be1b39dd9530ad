"""A participant's first steps, in a real Chromium: sign up on a territory, confirm the
email from the outbox, register the organisation, invite a colleague.

The live server runs in this process (tests/conftest.py); its threads commit what they write,
emails included (mailing/ stores each one as a row before a worker sends it), which the test
reads. Each run uses fresh emails and removes what it created.
"""

import random
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import User
from mailing.models import OutgoingEmail
from organisations.demo import demo_siret
from organisations.models import Invitation, Organisation

from ..conftest import TERRITORY_A
from .live import (  # noqa: F401 - fixtures
    committed,
    is_reported,
    no_persistent_connections_in_the_server,
    orm_beside_playwright,
)

pytestmark = [
    pytest.mark.browser,
    # pytest-django creates the test database only if a collected test asks for it, and it
    # does not know conftest's live_server_url: without this mark, `pytest tests/browser`
    # provisions the territories in, and signs people up to, the development database.
    # The test body itself stays out of the mark's transaction: see committed() below.
    pytest.mark.django_db,
]

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOT = Path("/tmp/assett-org.png")  # noqa: S108 - a fixed place to look at, overwritten by each run
LINK_RE = re.compile(r"https?://[^\s<>\"']+")


def only_link(body, path_re):
    """The one link of an email body whose path matches `path_re`."""
    links = [link for link in LINK_RE.findall(body) if re.fullmatch(path_re, urlsplit(link).path)]
    assert len(links) == 1, body
    return urlsplit(links[0])


def invalid_key(siret):
    """The same SIRET with a wrong check digit."""
    return siret[:-1] + str((int(siret[-1]) + 1) % 10)


def emails_to(territory, address):
    return committed(territory, lambda: list(OutgoingEmail.objects.filter(recipients__contains=[address])))


@pytest.fixture
def run():
    """Unique names for this run, so committed data from earlier runs never collides."""
    tag = uuid.uuid4().hex[:10]
    return {
        "tag": tag,
        "email": f"camille.{tag}@example.org",
        "colleague": f"dominique.{tag}@example.org",
        "organisation": f"Menuiserie Durable {tag}",
        "siret": demo_siret(random.Random(tag)),
    }


@pytest.fixture
def cleanup(run, territory_a):
    yield

    def delete():
        Organisation.objects.filter(name=run["organisation"]).delete()
        User.objects.filter(email__in=[run["email"], run["colleague"]]).delete()
        OutgoingEmail.objects.filter(recipients__contains=[run["email"]]).delete()
        OutgoingEmail.objects.filter(recipients__contains=[run["colleague"]]).delete()

    committed(territory_a, delete)


@pytest.fixture
def browser_errors(page):
    """Responses in error (pages, styles, scripts, fonts), failed requests, and console errors
    (CSP violations show up there). The flow below expects none."""
    errors = []
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url} {request.failure}"))
    page.on("console", lambda message: is_reported(message) and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


def test_sign_up_confirm_register_organisation_and_invite(
    live_server_url, page, run, cleanup, territory_a, browser_errors
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"

    # 1. Sign up from the territory's home page.
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(territory_a.programme_name)
    page.get_by_role("link", name="Inscrire mon organisation").click()
    expect(page).to_have_url(base + "/comptes/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Création de compte")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Courriel").fill(run["email"])
    # The first label also holds the password rules, hence the regular expression.
    page.get_by_label(re.compile(r"^Mot de passe(?! \(confirmation\))")).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    expect(page.get_by_role("heading", name=re.compile("Vérifiez votre adresse", re.IGNORECASE))).to_be_visible()
    expect(page.get_by_text(run["email"])).to_be_visible()

    # 2. Confirm the address with the link of the email.
    [confirmation] = emails_to(territory_a, run["email"])
    confirm = only_link(confirmation.body, r"/comptes/confirm-email/[^/]+/")
    assert confirm.hostname == TERRITORY_A.domain, "the link must point at the territory's own site"
    page.goto(base + confirm.path)
    page.get_by_role("button", name="Confirmer").click()
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: the same browser is now logged in.
    expect(page).to_have_url(base + "/mon-espace/")
    # The DSFR script copies the header tools into the mobile menu: take the first (visible) copy.
    # The header names the person and leads to « Mon compte ».
    expect(page.get_by_role("banner").get_by_role("link", name="Camille Martin").first).to_have_attribute(
        "href", "/mon-compte/"
    )
    expect(page.get_by_role("button", name="Se déconnecter").first).to_be_visible()

    # 3. Register the organisation from « Mon espace »; a wrong SIRET key is refused first.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    page.get_by_role("link", name="Inscrire une organisation").click()
    expect(page).to_have_url(base + "/organisations/nouvelle/")
    page.get_by_role("textbox", name="Nom", exact=True).fill(run["organisation"])
    page.get_by_role("combobox", name="Type d'organisation").select_option(label="Entreprise")
    siret_input = page.get_by_role("textbox", name=re.compile(r"^SIRET\b"))
    siret_input.fill(invalid_key(run["siret"]))
    page.get_by_role("textbox", name=re.compile(r"^Code NAF\b")).fill("62.01Z")
    page.get_by_role("combobox", name="Tranche d'effectif").select_option(label="10 à 19 salariés")
    # The commune's list follows the postal code as it is typed (htmx); Ayron is a commune of the
    # CC du Haut Poitou, not of territory A (Grand Poitiers): the list says so.
    commune_select = page.get_by_role("combobox", name="Commune")
    expect(commune_select).to_contain_text("Saisissez d'abord le code postal")
    page.get_by_role("textbox", name=re.compile(r"^Code postal\b")).press_sequentially("86190")
    expect(commune_select).to_contain_text("Béruges")
    commune_select.select_option(label="Ayron (hors du territoire)")
    page.get_by_role("button", name="Créer l'organisation").click()

    bad_key = "Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte)."
    expect(page.get_by_text(bad_key, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^SIRET : Ce numéro SIRET"))).to_have_attribute("href", "#id_siret")
    expect(page).to_have_url(base + "/organisations/nouvelle/")
    expect(siret_input).to_have_attribute("aria-invalid", "true")
    assert not committed(territory_a, Organisation.objects.filter(name=run["organisation"]).exists)

    # The other answers are kept; people type SIRETs with spaces.
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_have_value(run["organisation"])
    siret = run["siret"]
    siret_input.fill(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    expect(page.get_by_role("combobox", name="Commune")).to_have_value("86017")
    # Enter in a field creates the organisation (not the « Afficher les communes » button, earlier in the form).
    siret_input.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(run["organisation"])
    expect(page.get_by_text(f"L'organisation {run['organisation']} est créée.")).to_be_visible()
    expect(page.get_by_text(f"SIRET {siret}")).to_be_visible()
    expect(page.get_by_text("Ayron n'est pas une commune de Territoire A").first).to_be_visible()

    def created():
        organisation = Organisation.objects.get(name=run["organisation"])
        return organisation, list(organisation.memberships.values_list("user__email", "role"))

    organisation, members = committed(territory_a, created)
    assert (organisation.kind, organisation.siret, organisation.naf_code) == ("entreprise", siret, "62.01Z")
    assert (organisation.headcount_band, organisation.commune, organisation.commune_code) == ("11", "Ayron", "86017")
    assert organisation.awaits_acceptance
    assert members == [(run["email"], "owner")]
    expect(page).to_have_url(f"{base}/organisations/{organisation.pk}/")
    members_table = page.get_by_role("table", name="Membres de l'organisation")
    expect(members_table.get_by_role("row").filter(has_text=run["email"])).to_contain_text("Responsable")
    # The State design system is styled (not a raw page) and its script ran (it copies the
    # header tools into the mobile menu, hence the two copies of the email above).
    expect(page.locator("body")).to_have_css("font-family", re.compile("Marianne"))
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 4. Invite a colleague.
    page.get_by_label("Adresse électronique de votre collègue").fill(run["colleague"])
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text(f"le courriel est en route vers {run['colleague']}.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=run["colleague"])).to_be_visible()

    [invitation_email] = emails_to(territory_a, run["colleague"])
    assert run["organisation"] in invitation_email.subject
    invitation_link = only_link(invitation_email.body, r"/invitations/[^/]+/")
    assert invitation_link.hostname == TERRITORY_A.domain
    invitation = committed(
        territory_a, lambda: Invitation.objects.get(organisation=organisation, email=run["colleague"])
    )
    assert invitation_link.path == f"/invitations/{invitation.token}/"

    assert browser_errors == []
