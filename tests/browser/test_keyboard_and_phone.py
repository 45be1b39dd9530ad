"""The questionnaire with a keyboard and on a phone, in a real Chromium.

Enter on an answer saves it and stays on the theme; at a phone's width the themes menu is folded
so that the first question is on the first screen; the results' caption says « ci-contre » only
when the summary is beside the chart.
"""

import re
import tempfile
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from referentiel.services import start_assessment, submit_assessment

from ..conftest import TERRITORY_A
from .test_assessment_flow import errors, log_in, orm_beside_playwright, participant, question_blocks  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_enter_on_a_radio_saves_the_answer_and_stays(live_server_url, browser, participant, errors):  # noqa: F811
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(locale="fr-FR")
    page = errors(context.new_page())
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], f"/organisations/{participant['organisation'].pk}/")
    page.get_by_role("button", name="Commencer l'auto-évaluation").click()
    expect(page).to_have_url(re.compile(r"/themes/PIL/$"))
    theme_url = page.url

    first = question_blocks(page).first
    radio = first.locator(".fr-radio-group input").nth(1)
    radio.focus()
    page.keyboard.press("Enter")

    expect(first.locator(".fr-messages-group")).to_contain_text("Enregistré à")
    expect(radio).to_be_checked()
    expect(radio).to_be_focused()
    page.wait_for_timeout(500)  # a form submission would have navigated by now
    assert page.url == theme_url

    # Arrows then Enter: the same, on the next choice.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(first.locator(".fr-radio-group input").nth(2)).to_be_checked()
    page.wait_for_timeout(500)
    assert page.url == theme_url
    context.close()
    assert errors.found == []


def test_without_javascript_enter_saves_and_stays_too(live_server_url, browser, participant):  # noqa: F811
    """The form's first (default) button is « Enregistrer », which stays on the theme."""
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], f"/organisations/{participant['organisation'].pk}/")
    page.get_by_role("button", name="Commencer l'auto-évaluation").click()
    theme_url = page.url

    first = question_blocks(page).first
    first.locator(".fr-radio-group label").nth(1).click()
    first.locator(".fr-radio-group input").nth(1).press("Enter")

    expect(page.get_by_text("Vos réponses sont enregistrées.")).to_be_visible()
    assert page.url == theme_url
    expect(question_blocks(page).first.locator(".fr-radio-group input").nth(1)).to_be_checked()
    context.close()


def test_on_a_phone_the_first_question_is_on_the_first_screen(live_server_url, browser, participant, errors):  # noqa: F811
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = errors(context.new_page())
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], f"/organisations/{participant['organisation'].pk}/")
    page.get_by_role("button", name="Commencer l'auto-évaluation").click()
    expect(page).to_have_url(re.compile(r"/themes/PIL/$"))

    menu = page.locator("#assessment-themes")
    expect(menu).to_be_hidden()
    legend = question_blocks(page).first.locator("legend")
    box = legend.bounding_box()
    page.screenshot(path=Path(tempfile.gettempdir()) / "assett-phone-theme.png")
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box

    page.get_by_role("button", name="Tous les thèmes").click()
    expect(menu).to_be_visible()
    context.close()
    assert errors.found == []


@pytest.mark.parametrize(("viewport", "beside"), [(PHONE, False), ({"width": 1280, "height": 900}, True)])
def test_the_results_say_ci_contre_only_when_the_summary_is_beside(
    live_server_url,
    browser,
    participant,  # noqa: F811
    territory_a,
    django_db_blocker,
    viewport,
    beside,
):
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assessment = start_assessment(participant["organisation"], participant["user"])
        submit_assessment(assessment, participant["user"])
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, participant["email"], f"/auto-evaluations/{assessment.pk}/resultats/")

    ci_contre = page.get_by_text("dans le résumé ci-contre")
    summary = page.get_by_role("heading", name="En résumé")
    chart = page.locator("main figure").first
    if beside:
        expect(ci_contre).to_be_visible()
        assert summary.bounding_box()["x"] > chart.bounding_box()["x"] + 100
    else:
        expect(ci_contre).to_be_hidden()
        expect(page.get_by_text("Les mêmes données sont présentées dans le résumé et dans le tableau")).to_be_visible()
        assert summary.bounding_box()["y"] > chart.bounding_box()["y"] + chart.bounding_box()["height"] - 1
    context.close()
