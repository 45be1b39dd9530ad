"""In a real Chromium, at desktop and phone width: a participant searches for an organisation and asks
to join it; an expired invitation link explains itself. Screenshots land in /tmp to be looked at."""

import random
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.models import Invitation, JoinRequest, Organisation
from organisations.services import create_organisation

from ..conftest import TERRITORY_A
from .live import (  # noqa: F401 - fixtures
    committed,
    is_reported,
    no_persistent_connections_in_the_server,
    orm_beside_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOTS = Path("/tmp")  # noqa: S108 - a fixed place to look at, overwritten by each run
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def people(territory_a):
    """A committed organisation with an owner, an expired invitation, and a participant who searches."""
    tag = uuid.uuid4().hex[:8]

    def create():
        owner = User.objects.create_user(f"owner.{tag}@example.org", PASSWORD)
        searcher = User.objects.create_user(f"camille.{tag}@example.org", PASSWORD)
        for user in (owner, searcher):
            user.emailaddress_set.create(email=user.email, verified=True, primary=True)
        organisation = create_organisation(
            owner,
            name=f"Écomusée du Marais {tag}",
            kind=OrganisationKind.ASSOCIATION,
            siret=demo_siret(random.Random(tag)),
            headcount_band="03",
            commune="Poitiers",
        )
        invitation = Invitation.objects.create(
            organisation=organisation, email=searcher.email, sent_at=timezone.now() - timedelta(days=20)
        )
        return {"tag": tag, "searcher": searcher.email, "organisation": organisation, "token": invitation.token}

    data = committed(territory_a, create)
    yield data

    def delete():
        Organisation.objects.filter(name__endswith=data["tag"]).delete()
        User.objects.filter(email__contains=data["tag"]).delete()

    committed(territory_a, delete)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_search_join_and_expired_invitation(live_server_url, browser, people, territory_a, width):
    context = browser.new_context(locale="fr-FR", viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    # The expired link answers 410 on purpose; anything else in error is a fault.
    page.on("response", lambda r: r.status >= 400 and "/invitations/" not in r.url and errors.append(r.url))
    page.on(
        "console",
        lambda message: is_reported(message) and "(Gone)" not in message.text and errors.append(message.text),
    )
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    name = people["organisation"].name
    try:
        # The expired link explains itself before asking anyone to sign in.
        page.goto(f"{base}/invitations/{people['token']}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Cette invitation a expiré")
        expect(page.get_by_text(re.compile(f"L'invitation à rejoindre {name} n'est plus valable"))).to_be_visible()
        expect(page.get_by_text("nouvelle invitation", exact=False).first).to_be_visible()
        assert no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / f"assett-invitation-expired-{width}.png", full_page=True)

        page.goto(f"{base}/comptes/login/")
        page.get_by_label("Courriel").fill(people["searcher"])
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        expect(page).to_have_url(base + "/mon-espace/")

        page.goto(f"{base}/organisations/rejoindre/")
        page.get_by_role("textbox", name=re.compile("^Nom, SIRET ou SIREN")).fill("ecomusee du marais")
        page.get_by_role("button", name="Rechercher").click()
        result = page.get_by_role("listitem").filter(has_text=name)
        expect(result).to_be_visible()
        assert no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / f"assett-join-search-{width}.png", full_page=True)

        result.get_by_role("link", name="Demander à rejoindre").click()
        expect(page).to_have_url(f"{base}/organisations/rejoindre/{people['organisation'].public_id}/")
        page.get_by_role("button", name="Envoyer la demande").click()
        expect(
            page.get_by_text(f"Votre demande est enregistrée ; un courriel part vers les responsables d'{name}.")
        ).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Retirer ma demande"))).to_be_visible()
        assert committed(territory_a, JoinRequest.objects.filter(organisation__name=name).pending().exists)
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_owner_sees_the_expired_invitation_and_resends_it(live_server_url, browser, people, territory_a, width):
    context = browser.new_context(locale="fr-FR", viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    organisation = people["organisation"]
    try:
        page.goto(f"{base}/comptes/login/")
        page.get_by_label("Courriel").fill(f"owner.{people['tag']}@example.org")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        page.goto(f"{base}/organisations/{organisation.pk}/")
        row = page.get_by_role("listitem").filter(has_text=people["searcher"])
        expect(row).to_contain_text("Expirée")
        assert no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / f"assett-invitations-owner-{width}.png", full_page=True)

        row.get_by_role("button", name=re.compile("^Renvoyer")).click()

        expect(page.get_by_text(f"Une nouvelle invitation est envoyée à {people['searcher']}")).to_be_visible()
        expect(page.get_by_role("listitem").filter(has_text=people["searcher"])).to_contain_text("En attente")
        token = committed(territory_a, lambda: Invitation.objects.get(organisation__pk=organisation.pk).token)
        assert token != people["token"]
    finally:
        context.close()
