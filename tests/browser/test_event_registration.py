"""In a real Chromium: a participant registers for the last seat and gets the email with the .ics; a
second one lands on the waitlist; the first cancels, and the waitlisted person is promoted and told."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from events.models import Event
from mailing.models import OutgoingEmail
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation

from ..conftest import TERRITORY_A
from .live import committed, no_persistent_connections_in_the_server, orm_beside_playwright  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOTS = Path("/tmp")  # noqa: S108 - a fixed place to look at, overwritten by each run


@pytest.fixture
def workshop(territory_a):
    """A committed workshop with one seat, and two participants of two organisations."""
    tag = uuid.uuid4().hex[:8]

    def create():
        people = {}
        for key, first_name in (("first", "Camille"), ("second", "Alex")):
            user = User.objects.create_user(
                f"{first_name.lower()}.{tag}@example.org", PASSWORD, first_name=first_name, last_name="Roux"
            )
            user.emailaddress_set.create(email=user.email, verified=True, primary=True)
            organisation = Organisation.objects.create(
                name=f"{first_name} et fils {tag}",
                kind=OrganisationKind.ENTREPRISE,
                headcount_band="02",
                commune="Poitiers",
            )
            Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
            people[key] = user.email
        start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
        event = Event.objects.create(
            title=f"Atelier sobriété {tag}",
            kind="workshop",
            description="Trois heures pour **réduire** la facture d'énergie.",
            themes=["ENE"],
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Maison de l'économie, Poitiers",
            capacity=1,
            status="published",
        )
        return {"tag": tag, "event": event.pk, "title": event.title, **people}

    data = committed(territory_a, create)
    yield data

    def delete():
        OutgoingEmail.objects.filter(subject__contains=data["tag"]).delete()
        Event.objects.filter(title__endswith=data["tag"]).delete()
        Organisation.objects.filter(name__endswith=data["tag"]).delete()
        User.objects.filter(email__contains=data["tag"]).delete()

    committed(territory_a, delete)


def emails_to(territory, address):
    return committed(territory, lambda: list(OutgoingEmail.objects.filter(recipients=[address]).order_by("pk")))


def sign_in(browser, base, email):
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/comptes/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(base + "/mon-espace/")
    return context, page


def test_register_get_the_ics_cancel_and_the_waitlisted_person_is_promoted(
    live_server_url, browser, workshop, territory_a
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    event_url = f"{base}/evenements/{workshop['event']}/"
    first_context, first = sign_in(browser, base, workshop["first"])
    second_context, second = sign_in(browser, base, workshop["second"])
    try:
        # The first participant finds the workshop in the agenda and takes the last seat.
        first.get_by_role("link", name="Agenda").click()
        first.get_by_role("link", name=workshop["title"]).click()
        expect(first).to_have_url(event_url)
        expect(first.get_by_text("1 place restante")).to_be_visible()
        first.get_by_role("button", name="S'inscrire", exact=True).click()
        expect(first.get_by_text("Vous êtes inscrit·e.", exact=False)).to_be_visible()
        first.screenshot(path=SCREENSHOTS / "assett-event-registered.png", full_page=True)

        [confirmation] = emails_to(territory_a, workshop["first"])
        assert confirmation.subject == f"Inscription confirmée : {workshop['title']}"
        [attached] = confirmation.attachments
        [vevent] = icalendar.Calendar.from_ical(attached["content"]).events
        assert str(vevent["SUMMARY"]) == workshop["title"]
        # Emails link to the territory's configured address (tenants/links.py), not the test server's port.
        assert str(vevent["URL"]).endswith(f"/evenements/{workshop['event']}/")

        # « Ajouter à mon agenda » downloads the same event.
        with first.expect_download() as download:
            first.get_by_role("link", name=re.compile("^Ajouter à mon agenda")).click()
        downloaded = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes()).events[0]
        assert downloaded["UID"] == vevent["UID"]

        # The second one finds it full and joins the waitlist.
        second.goto(event_url)
        expect(second.get_by_text("Complet", exact=True)).to_be_visible()
        second.get_by_role("button", name="S'inscrire sur la liste d'attente").click()
        expect(second.get_by_text("vous êtes sur la liste d'attente", exact=False)).to_be_visible()
        [waitlisted] = emails_to(territory_a, workshop["second"])
        assert waitlisted.subject.startswith("Liste d'attente") and not waitlisted.attachments

        # The first cancels: the seat goes to the second, who is told by email with the .ics.
        first.reload()
        first.get_by_role("button", name=re.compile("^Annuler l'inscription")).click()
        expect(first.get_by_text("Votre inscription est annulée.")).to_be_visible()
        assert emails_to(territory_a, workshop["first"])[-1].subject.startswith("Inscription annulée")
        promotion = emails_to(territory_a, workshop["second"])[-1]
        assert promotion.subject == f"Une place s'est libérée : {workshop['title']}"
        assert icalendar.Calendar.from_ical(promotion.attachments[0]["content"]).events[0]["UID"] == vevent["UID"]

        second.reload()
        expect(second.locator(".fr-badge", has_text="Inscrit·e")).to_be_visible()
        second.screenshot(path=SCREENSHOTS / "assett-event-promoted.png", full_page=True)
    finally:
        first_context.close()
        second_context.close()
