"""From the results page to the PDF, in a real Chromium, with a real worker: the participant asks for
the report, the page follows the job (htmx) until the link appears, and the file downloads; without
JavaScript, a reload shows the same link.

Data is committed (the live server and the worker read it), with fresh names, and removed afterwards.
"""

import re
import uuid

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from mailing.models import OutgoingEmail
from organisations.models import Organisation
from reports.models import ReportJob

from ..browser.test_assessment_flow import PASSWORD, log_in
from ..conftest import TERRITORY_A, running_celery_worker
from .helpers import pdf_text, report_world

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(territory_a, django_db_blocker, orm_beside_playwright):
    tag = uuid.uuid4().hex[:8]
    email = f"report.{tag}@example.org"
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        member, organisation, assessment = report_world(f"Fromagerie du Clain {tag}", email)
        member.set_password(PASSWORD)
        member.save(update_fields=["password"])
        member.emailaddress_set.create(email=email, verified=True, primary=True)
    yield email, organisation, assessment
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        ReportJob.objects.filter(assessment=assessment).delete()
        Organisation.objects.filter(pk=organisation.pk).delete()
        OutgoingEmail.objects.filter(recipients__contains=[email]).delete()
        User.objects.filter(email=email).delete()


@pytest.fixture
def worker(territories, django_db_blocker, private_root):
    """A worker on the tests' default queue (where the live server's requests send their tasks), writing
    the reports where the live server reads them."""
    from assett.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    with running_celery_worker(
        django_db_blocker, settings.CELERY_TASK_DEFAULT_QUEUE, PRIVATE_MEDIA_ROOT=str(private_root)
    ) as queue:
        yield queue


def test_ask_follow_and_download_the_report(live_server_url, browser, page, world, worker, tmp_path):
    email, organisation, assessment = world
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    results_path = f"/auto-evaluations/{assessment.pk}/resultats/"
    failures = []
    page.on("response", lambda r: r.status >= 500 and failures.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and failures.append(f"console: {m.text}"))

    log_in(page, base, email, results_path)
    section = page.locator("#rapport")
    section.get_by_role("button", name="Télécharger le rapport (PDF)").click()
    # htmx swapped the state in; it polls until the worker is done.
    expect(section).to_contain_text(re.compile("va être préparé|en préparation"))
    expect(page).to_have_url(base + results_path)
    link = section.get_by_role("link", name=re.compile(r"Télécharger le rapport \(PDF, "))
    expect(link).to_be_visible(timeout=60_000)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(r"rapport-fromagerie-du-clain-[0-9a-f]{8}-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert organisation.name in pdf_text(path.read_bytes())

    # Without JavaScript, the page as a reload shows it.
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        plain = context.new_page()
        log_in(plain, base, email, results_path)
        expect(plain.locator("#rapport").get_by_role("link", name=re.compile("Télécharger le rapport"))).to_be_visible()
    finally:
        context.close()
    assert failures == []
