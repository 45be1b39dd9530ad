"""A participant's first steps, in a real Chromium: sign up on a territory, confirm the
email from the outbox, register the organisation, invite a colleague.

The live server runs in this process (tests/conftest.py), so emails it sends land in
pytest-django's locmem `mailoutbox`. Data is committed, so each run uses fresh emails
and removes what it created.
"""

import random
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from organisations.demo import demo_siret
from organisations.models import Invitation, Organisation

from ..conftest import TERRITORY_A

pytestmark = pytest.mark.browser

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOT = Path("/tmp/assett-org.png")
LINK_RE = re.compile(r"https?://[^\s<>\"']+")


def only_link(body, path_re):
    """The one link of an email body whose path matches `path_re`."""
    links = [link for link in LINK_RE.findall(body) if re.fullmatch(path_re, urlsplit(link).path)]
    assert len(links) == 1, body
    return urlsplit(links[0])


def invalid_key(siret):
    """The same SIRET with a wrong check digit."""
    return siret[:-1] + str((int(siret[-1]) + 1) % 10)


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
def cleanup(run, territory_a, django_db_blocker):
    yield
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        Organisation.objects.filter(name=run["organisation"]).delete()
        User.objects.filter(email__in=[run["email"], run["colleague"]]).delete()


@pytest.fixture
def server_errors(page):
    """Responses in error and browser console errors (CSP violations show up there)."""
    errors = []
    page.on("response", lambda response: response.status >= 500 and errors.append(f"{response.status} {response.url}"))
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


def test_sign_up_confirm_register_organisation_and_invite(
    live_server_url, page, mailoutbox, run, cleanup, territory_a, django_db_blocker, server_errors
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"

    # 1. Sign up from the territory's home page.
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(territory_a.programme_name)
    page.get_by_role("link", name="Inscrire mon organisation").click()
    expect(page).to_have_url(base + "/comptes/signup/")
    page.get_by_label("E-mail").fill(run["email"])
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("inscri|créer|création", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name=re.compile("Vérifiez votre adresse", re.IGNORECASE))).to_be_visible()
    expect(page.get_by_text(run["email"])).to_be_visible()

    # 2. Confirm the address with the link of the email.
    assert [message.to for message in mailoutbox] == [[run["email"]]]
    confirm = only_link(mailoutbox[0].body, r"/comptes/confirm-email/[^/]+/")
    assert confirm.hostname == TERRITORY_A.domain, "the link must point at the territory's own site"
    page.goto(base + confirm.path)
    page.get_by_role("button", name="Confirmer").click()
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: the same browser is now logged in.
    expect(page).to_have_url(base + "/mon-espace/")
    expect(page.get_by_role("banner").get_by_text(run["email"])).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # 3. Register the organisation from « Mon espace »; a wrong SIRET key is refused first.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    page.get_by_role("link", name="Inscrire une organisation").click()
    expect(page).to_have_url(base + "/organisations/nouvelle/")
    page.get_by_label("Nom", exact=True).fill(run["organisation"])
    page.get_by_label("Type d'organisation").select_option(label="Entreprise")
    siret_input = page.get_by_label(re.compile(r"^SIRET"))
    siret_input.fill(invalid_key(run["siret"]))
    page.get_by_label(re.compile(r"^Code NAF")).fill("62.01Z")
    page.get_by_label("Tranche d'effectif").select_option(label="10 à 19 salariés")
    page.get_by_label("Commune").fill("Villeurbanne")
    page.get_by_role("button", name="Créer l'organisation").click()

    expect(page.get_by_text("Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte).")).to_be_visible()
    expect(page).to_have_url(base + "/organisations/nouvelle/")
    expect(siret_input).to_have_attribute("aria-invalid", "true")
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assert not Organisation.objects.filter(name=run["organisation"]).exists()

    # The other answers are kept; people type SIRETs with spaces.
    expect(page.get_by_label("Nom", exact=True)).to_have_value(run["organisation"])
    siret = run["siret"]
    siret_input.fill(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    page.get_by_role("button", name="Créer l'organisation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(run["organisation"])
    expect(page.get_by_text(f"L'organisation {run['organisation']} est créée.")).to_be_visible()
    expect(page.get_by_text(f"SIRET {siret}")).to_be_visible()
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        organisation = Organisation.objects.get(name=run["organisation"])
        assert organisation.siret == siret
        assert organisation.naf_code == "62.01Z"
        assert list(organisation.memberships.values_list("user__email", "role")) == [(run["email"], "owner")]
    expect(page).to_have_url(f"{base}/organisations/{organisation.pk}/")
    members = page.get_by_role("table", name="Membres de l'organisation")
    expect(members.get_by_role("row").filter(has_text=run["email"])).to_contain_text("Responsable")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 4. Invite a colleague.
    mailoutbox.clear()
    page.get_by_label("Adresse électronique de votre collègue").fill(run["colleague"])
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text(f"Invitation envoyée à {run['colleague']}.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=run["colleague"])).to_be_visible()

    assert [message.to for message in mailoutbox] == [[run["colleague"]]]
    assert run["organisation"] in mailoutbox[0].subject
    invitation_link = only_link(mailoutbox[0].body, r"/invitations/[^/]+/")
    assert invitation_link.hostname == TERRITORY_A.domain
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        invitation = Invitation.objects.get(organisation=organisation, email=run["colleague"])
    assert invitation_link.path == f"/invitations/{invitation.token}/"

    assert server_errors == []
