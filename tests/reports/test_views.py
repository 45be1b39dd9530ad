"""The results page's « Rapport PDF »: ask, follow (htmx or reload), download; rights and isolation."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.enums import Role
from organisations.models import Membership
from referentiel.models import Assessment
from reports import services
from reports.enums import JobStatus
from reports.models import ReportJob
from reports.render import render_pdf

from ..conftest import TERRITORY_B
from ..referentiel.test_results import make_organisation, make_user
from ..same_ids import align_next_ids
from .helpers import pdf_text, report_world


@pytest.fixture
def world(in_a):
    return report_world()


def results_url(assessment):
    return f"/auto-evaluations/{assessment.pk}/resultats/"


def request_url(assessment):
    return f"/auto-evaluations/{assessment.pk}/rapport/"


def download(client, url):
    """The response and its body. Read to the end: the test client then closes the file it streamed
    (response.close() itself would also close the test's database connection)."""
    response = client.get(url)
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def status_of(client, url):
    return download(client, url)[0].status_code


def test_results_page_offers_the_report_then_shows_its_state_on_reload(client_a, world):
    member, _organisation, assessment = world
    client_a.force_login(member)
    html = client_a.get(results_url(assessment)).content.decode()
    assert 'id="rapport"' in html and "Télécharger le rapport (PDF)" in html
    assert f'action="{request_url(assessment)}"' in html

    response = client_a.post(request_url(assessment))
    assert response.status_code == 302 and response["Location"] == results_url(assessment) + "#rapport"
    job = ReportJob.objects.get()
    html = client_a.get(results_url(assessment)).content.decode()
    # Without JavaScript the reload says it is on its way; with htmx the block polls its state.
    assert "Le rapport va être préparé dans quelques instants." in html
    assert f'data-hx-get="/rapports/{job.pk}/"' in html
    assert "Télécharger le rapport (PDF)" not in html

    services.render_job(job.pk, render_pdf)
    html = client_a.get(results_url(assessment)).content.decode()
    assert f'href="/rapports/{job.pk}/rapport.pdf"' in html and "data-hx-get" not in html


def test_htmx_asks_then_polls_until_the_link_appears(client_a, world):
    member, _organisation, assessment = world
    client_a.force_login(member)
    fragment = client_a.post(request_url(assessment), headers={"HX-Request": "true"}).content.decode()
    job = ReportJob.objects.get()
    assert fragment.startswith('<div id="rapport-etat" data-hx-get=') and "<html" not in fragment

    running = client_a.get(f"/rapports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "data-hx-get" in running
    services.render_job(job.pk, render_pdf)
    done = client_a.get(f"/rapports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "data-hx-get" not in done and f"/rapports/{job.pk}/rapport.pdf" in done
    # The same state as a page of its own, without htmx.
    page = client_a.get(f"/rapports/{job.pk}/").content.decode()
    assert "<html" in page and f"/rapports/{job.pk}/rapport.pdf" in page


def test_asking_for_a_report_up_to_date_downloads_it_at_once(client_a, world):
    member, organisation, assessment = world
    client_a.force_login(member)
    client_a.post(request_url(assessment))
    job = ReportJob.objects.get()
    services.render_job(job.pk, render_pdf)

    response = client_a.post(request_url(assessment))
    assert response.status_code == 302 and response["Location"] == f"/rapports/{job.pk}/rapport.pdf"
    pdf, body = download(client_a, response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="rapport-boulangerie-du-clain-')
    assert "no-store" in pdf["Cache-Control"]
    assert body.startswith(b"%PDF-") and organisation.name in pdf_text(body)
    assert ReportJob.objects.count() == 1


def test_a_failed_job_says_why_and_offers_to_try_again(client_a, world):
    member, _organisation, assessment = world
    client_a.force_login(member)
    job = services.request_report(assessment, member)
    services.fail_job(job.pk, services.MESSAGE_FAILED)
    html = client_a.get(results_url(assessment)).content.decode()
    assert "Le rapport n&#x27;a pas pu être préparé." in html and "Télécharger le rapport (PDF)" in html


def test_the_polled_state_of_a_render_killed_at_its_hard_limit_says_it_took_too_long(client_a, world, settings):
    member, _organisation, assessment = world
    client_a.force_login(member)
    settings.REPORT_HARD_TIME_LIMIT = 90
    job = services.request_report(assessment, member)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))

    html = client_a.get(f"/rapports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "Le rapport a pris trop de temps à préparer." in html
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_download_rights(client_a, world):
    member, organisation, assessment = world
    job = services.request_report(assessment, member)
    services.render_job(job.pk, render_pdf)
    url = f"/rapports/{job.pk}/rapport.pdf"
    colleague = make_user("colleague@example.org")
    Membership.objects.create(user=colleague, organisation=organisation)
    outsider = make_user("outsider@example.org")
    make_organisation("Autre organisation", member=outsider)
    staff = make_user("staff@example.org", role=Role.STAFF)

    assert status_of(client_a, url) == 302  # to the login page
    for user, status in ((member, 200), (colleague, 200), (staff, 200), (outsider, 404)):
        client_a.force_login(user)
        assert status_of(client_a, url) == status, user.email
        assert status_of(client_a, f"/rapports/{job.pk}/") == status, user.email
    # Staff download, they do not ask: asking is for the organisation's members.
    client_a.force_login(staff)
    assert client_a.post(request_url(assessment)).status_code == 404
    state = client_a.get(f"/rapports/{job.pk}/").content.decode()
    assert url in state and "Mettre à jour le rapport" not in state and "vendor/htmx.min.js" not in state
    client_a.force_login(colleague)
    assert "Mettre à jour le rapport" in client_a.get(f"/rapports/{job.pk}/").content.decode()


def test_territory_b_never_serves_a_job_of_a_with_the_same_id(client_b, territory_a, territory_b, world):
    member, _organisation, assessment = world
    align_next_ids([ReportJob, Assessment], territory_a, territory_b)
    job = services.request_report(assessment, member)
    services.render_job(job.pk, render_pdf)
    with schema_context(territory_b.schema_name):
        member_b, organisation_b, assessment_b = report_world("Menuiserie de B", "b@example.org")
        job_b = services.request_report(assessment_b, member_b)
        assert job_b.pk == job.pk
        client_b.force_login(member_b)
    # B's own job, not yet rendered: nothing to download, and never A's file.
    assert status_of(client_b, f"/rapports/{job.pk}/rapport.pdf") == 404
    with schema_context(territory_b.schema_name):
        services.render_job(job_b.pk, render_pdf)
    _response, body = download(client_b, f"/rapports/{job.pk}/rapport.pdf")
    text = pdf_text(body)
    assert "Menuiserie de B" in text and "Boulangerie du Clain" not in text
    assert TERRITORY_B.name in text


@pytest.mark.django_db(transaction=False)
def test_two_browsers_at_once_start_one_render(committed_world, territory_a):
    in_a, member, assessment = committed_world
    browsers = 6
    barrier = Barrier(browsers)

    def ask():
        try:
            with schema_context(territory_a.schema_name):
                barrier.wait(timeout=10)
                return services.request_report(Assessment.objects.get(pk=assessment.pk), member).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=browsers) as pool:
        ids = set(pool.map(lambda _n: ask(), range(browsers)))
    assert len(ids) == 1
    assert in_a(lambda: ReportJob.objects.filter(assessment_id=assessment.pk).count()) == 1
    assert in_a(lambda: ReportJob.objects.get(pk=ids.pop()).status) == JobStatus.PENDING


def test_staff_find_the_latest_report_on_their_view_of_the_assessment(client_a, world):
    member, _organisation, assessment = world
    staff = make_user("staff@example.org", role=Role.STAFF)
    client_a.force_login(staff)
    page = f"/gestion/auto-evaluations/{assessment.pk}/"
    assert "Rapport PDF de l" not in client_a.get(page).content.decode()
    job = services.request_report(assessment, member)
    services.render_job(job.pk, render_pdf)
    html = client_a.get(page).content.decode()
    assert f'href="/rapports/{job.pk}/rapport.pdf"' in html
    assert status_of(client_a, f"/rapports/{job.pk}/rapport.pdf") == 200
