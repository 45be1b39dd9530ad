"""A participant takes the self-assessment in a real Chromium: answers half a theme (autosaved
through htmx), closes the browser, comes back, finds the answers, finishes, submits and sees
the results with the radar chart.

Data is committed (the live server reads it), so each run uses fresh emails and removes what
it created.
"""

import random
import re
import tempfile
import uuid
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment

from ..conftest import TERRITORY_A
from .live import is_reported

pytestmark = pytest.mark.browser

PASSWORD = "Transition-Ecologique-2030"
SCREENSHOT = Path(tempfile.gettempdir()) / "assett-questionnaire.png"


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop running in this thread; Django's ORM then
    refuses to run unless told it is safe, which it is: nothing else uses this connection."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def participant(territory_a, django_db_blocker, orm_beside_playwright):
    """A verified participant, owner of a 10-19 people business of territory A."""
    tag = uuid.uuid4().hex[:10]
    email = f"alex.{tag}@example.org"
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        user = User.objects.create_user(email, PASSWORD)
        user.emailaddress_set.create(email=email, verified=True, primary=True)
        organisation = Organisation.objects.create(
            name=f"Imprimerie Verte {tag}",
            kind=OrganisationKind.ENTREPRISE,
            siret=demo_siret(random.Random(tag)),
            headcount_band="11",
            commune="Poitiers",
            created_by=user,
        )
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    yield {"email": email, "organisation": organisation, "user": user}
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        Organisation.objects.filter(pk=organisation.pk).delete()  # assessments and answers go with it
        User.objects.filter(pk=user.pk).delete()


@pytest.fixture
def errors():
    """Server errors, browser console errors (CSP violations show up there) and the DSFR's own warnings
    on its markup, for every page used."""
    found = []

    def watch(page):
        page.on("response", lambda r: r.status >= 500 and found.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: is_reported(m) and found.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: found.append(f"page error: {e}"))
        return page

    watch.found = found
    return watch


def log_in(page, base, email, next_path):
    page.goto(f"{base}/comptes/login/?next={next_path}")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=re.compile("connexion|connecter", re.IGNORECASE)).click()
    expect(page).to_have_url(base + next_path)


def question_blocks(page):
    return page.locator("form fieldset.fr-fieldset[id^='question-']")


def answer_quickly(block):
    """The first choice of a question (or a number), unless it already has an answer."""
    if block.locator("input:checked").count():
        return
    number = block.locator("input[inputmode='decimal']")
    if number.count():
        if not number.input_value():
            number.fill("12,5")
        return
    first_input = block.locator(".fr-radio-group input, .fr-checkbox-group input").first
    # The status line of the previous question appears when its autosave answers and moves the page
    # down a line; a click computed just before that shift can land beside the label. Check the
    # input's state, as a person would look at it, and click again if it did not take.
    for _attempt in range(3):
        block.locator(".fr-radio-group label, .fr-checkbox-group label").first.click()
        try:
            expect(first_input).to_be_checked(timeout=1000)
            return
        except AssertionError:
            continue
    expect(first_input).to_be_checked()


def test_answer_half_close_come_back_finish_submit_and_see_the_radar(
    live_server_url, browser, participant, territory_a, django_db_blocker, errors
):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    organisation = participant["organisation"]
    organisation_path = f"/organisations/{organisation.pk}/"

    # 1. Log in, start from the organisation's page.
    context = browser.new_context(locale="fr-FR")
    page = errors(context.new_page())
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], organisation_path)
    page.get_by_role("button", name="Commencer l'auto-évaluation").click()
    expect(page).to_have_url(re.compile(r"/auto-evaluations/\d+/themes/PIL/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pilotage de la performance environnementale")
    expect(page.get_by_text("Thème 1 sur 7")).to_be_visible()
    theme_url = page.url

    # 2. Answer half of the first theme; each answer is saved by htmx as soon as it changes.
    blocks = question_blocks(page)
    total = blocks.count()
    half = total // 2
    assert half >= 2
    picked = []
    for index in range(half):
        block = blocks.nth(index)
        label = block.locator(".fr-radio-group label, .fr-checkbox-group label").nth(2)
        label.click()
        picked.append((block.get_attribute("id"), label.get_attribute("for")))
        expect(block.locator(".fr-messages-group")).to_contain_text("Enregistré à")
        # The progress bar follows without reloading the page.
        expect(page.locator("#assessment-progress-label")).to_contain_text(f"{index + 1} question")
    first = blocks.first
    first.get_by_text("Ajouter un commentaire").click()
    autosave = re.compile(r"/auto-evaluations/\d+/questions/\d+/$")
    with page.expect_response(lambda response: autosave.search(response.url) is not None) as saved:
        first.get_by_label("Commentaire (facultatif)").press_sequentially("Lettre de mission signée en janvier")
    assert saved.value.ok
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assessment = Assessment.objects.get(organisation=organisation)
        assert Answer.objects.filter(assessment=assessment).exclude(choice_ids=[]).count() == half
        assert set(Answer.objects.filter(assessment=assessment).values_list("answered_by__email", flat=True)) == {
            participant["email"]
        }

    # 3. Close the browser without any « save » click.
    context.close()

    # 4. Come back in a fresh browser: resume lands on the same theme, with the answers.
    context = browser.new_context(locale="fr-FR")
    page = errors(context.new_page())
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], organisation_path)
    expect(page.get_by_text(f"{half} questions répondues sur")).to_be_visible()
    page.get_by_role("link", name="Reprendre l'auto-évaluation").click()
    expect(page).to_have_url(theme_url)
    for fieldset_id, input_id in picked:
        expect(page.locator(f"#{fieldset_id} #{input_id}")).to_be_checked()
    expect(page.get_by_label("Commentaire (facultatif)").first).to_have_value("Lettre de mission signée en janvier")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 5. Finish every theme quickly, with the page's own button (the path without JavaScript).
    for step in range(1, 8):
        expect(page.get_by_text(f"Thème {step} sur 7")).to_be_visible()
        blocks = question_blocks(page)
        for index in range(blocks.count()):
            answer_quickly(blocks.nth(index))
        page.get_by_role("button", name="Enregistrer et continuer").click()

    # 6. Review, then submit.
    expect(page).to_have_url(re.compile(r"/auto-evaluations/\d+/relecture/$"))
    expect(page.get_by_text("Vous avez répondu à toutes les questions.")).to_be_visible()
    page.screenshot(path=SCREENSHOT.with_name("assett-review.png"), full_page=True)
    page.get_by_role("button", name="Valider l'auto-évaluation").click()

    expect(page).to_have_url(f"{base}/auto-evaluations/{assessment.pk}/resultats/")
    expect(page.locator("main svg[role='img']").first).to_be_visible()
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.SUBMITTED
        assert assessment.overall_score is not None
    context.close()

    assert errors.found == []
