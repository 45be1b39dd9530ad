"""The programme review as a PDF: the same job, task and WeasyPrint pipeline as the maturity report.

Rendered by the real WeasyPrint, parsed back with pypdf; the dashboard's own sections are the reference,
so that the PDF can show neither less nor more than /gestion/bilan/ (small groups included).
"""

import io
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django_tenants.utils import schema_context
from pypdf import PdfReader

from accounts.enums import Role
from accounts.models import User
from mailing.models import OutgoingEmail
from organisations.enums import OrganisationKind
from reports import services
from reports.enums import JobStatus, ReportKind
from reports.fetcher import ReportURLFetcher
from reports.models import ReportJob
from reports.review_content import review_content
from reports.review_render import render_review_pdf, review_html
from review.data import Period
from review.sections import Review

from ..conftest import TERRITORY_A, TERRITORY_B
from ..referentiel.test_results import make_organisation, make_user
from ..review.factories import OrganisationFactory, submitted
from ..same_ids import align_next_ids
from .helpers import flat, pdf_text

DASHBOARD = "/gestion/bilan/"
REQUEST = "/gestion/bilan/pdf/"
THIS_YEAR = Period(start=date(timezone.localdate().year, 1, 1))


def seven_businesses_two_associations_five_public():
    """As tests/review/test_dashboard.py: the two associations are hidden, and the five public
    establishments with them (else 14 - 7 - 5 tells the two)."""
    for index in range(7):
        submitted(OrganisationFactory(commune="Poitiers"), 20 + index * 10)  # mean 50
    for _ in range(2):
        submitted(OrganisationFactory(kind=OrganisationKind.ASSOCIATION, naf_code="94.99Z", commune="Chauvigny"), 90)
    for _ in range(5):
        submitted(OrganisationFactory(kind=OrganisationKind.ETABLISSEMENT_PUBLIC, naf_code="85.31Z"), 40)


@pytest.fixture
def staff(in_a):
    return User.objects.create_user("bilan@a.example", "Mot-de-passe-42", role=Role.STAFF)


@pytest.fixture
def figures(in_a):
    seven_businesses_two_associations_five_public()


def rendered(job):
    assert services.render_job(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    with job.file.open("rb") as file:
        return file.read()


def test_review_pdf_shows_the_territory_the_period_every_section_and_the_shown_figures(figures):
    fetcher = ReportURLFetcher()
    pdf = render_review_pdf(review_content(THIS_YEAR), fetcher)
    text = flat(pdf_text(pdf))

    assert TERRITORY_A.name in text
    assert (
        f"Depuis le 1 janvier {THIS_YEAR.start.year}." in text
        or f"Depuis le 1er janvier {THIS_YEAR.start.year}." in text
    )
    assert "Sommaire" in text and "Page 2 sur" in text
    sections = Review(THIS_YEAR).sections
    assert len(sections) >= 4
    for section in sections:
        assert flat(str(section.title)) in text, section.slug
        for table in section.tables:
            assert flat(str(table.title)) in text, table.slug
            for row in table.cell_rows():
                # Every figure the page shows, in the row's order, after the row's label.
                assert flat(" ".join(row)) in text, (table.slug, row)
    # The businesses' mean, and the associations hidden as on the page.
    assert "Entreprise 7 50" in text
    assert "Association moins de 5 organisations – –" in text
    assert "Établissement public moins de 5 organisations – –" in text
    assert " 90 " not in text and " 90," not in text
    # Only the stylesheets, their fonts and data: URIs (the charts, the logo) were fetched.
    assert all(url.startswith(("https://rapport.invalid/static/", "data:")) for url in fetcher.calls), fetcher.calls
    # The shared frame (page.css), then the document's own stylesheet.
    stylesheets = [url.rsplit("/", 1)[-1] for url in fetcher.calls if url.endswith(".css")]
    assert stylesheets == ["page.css", "review.css"], stylesheets


def test_review_pdf_is_tagged_in_french_with_its_title_and_charts_send_to_their_tables(figures):
    content = review_content(Period())
    reader = PdfReader(io.BytesIO(render_review_pdf(content)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "Bilan du programme" in reader.metadata.title
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()

    html = review_html(content)
    charts = [
        table for section in content["sections"] for table in section["tables"] if table["chart"] and table["rows"]
    ]
    assert charts, "no chart in the review"
    for table in charts:
        assert f"Graphique « {table['title']} ». Les mêmes données figurent dans le tableau qui suit." in html
    assert html.count('<img src="data:image/svg+xml;base64,') == len(charts)


def test_small_groups_are_absent_from_the_pdf_as_from_the_page(in_a):
    # Four associations only: no figure of theirs anywhere.
    for _ in range(4):
        submitted(OrganisationFactory(kind=OrganisationKind.ASSOCIATION, naf_code="94.99Z", commune="Lusignan"), 77)
    text = flat(pdf_text(render_review_pdf(review_content(Period()))))
    assert "77" not in text
    assert "Lusignan" not in text.replace("Lusignan moins de 5 organisations", "")
    assert "moins de 5 organisations" in text


def test_asking_twice_gives_one_job_and_a_change_a_new_render(figures, staff):
    first = services.request_review(THIS_YEAR, staff)
    assert services.request_review(THIS_YEAR, staff).pk == first.pk
    rendered(first)
    again = services.request_review(THIS_YEAR, staff)
    assert again.pk == first.pk and again.status == JobStatus.DONE
    assert services.render_job(first.pk) is None  # a second delivery renders nothing
    # Another period is another document.
    whole = services.request_review(Period(), staff)
    assert whole.pk != first.pk
    # What it shows changed: a new job.
    submitted(OrganisationFactory(commune="Poitiers"), 60)
    changed = services.request_review(THIS_YEAR, staff)
    assert changed.pk not in (first.pk, whole.pk)
    assert ReportJob.objects.filter(kind=ReportKind.REVIEW).count() == 3


def test_each_kind_keeps_its_fields_coherent(in_a, staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(kind=ReportKind.MATURITY, content_hash="a" * 64, requested_by=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(
            kind=ReportKind.REVIEW, content_hash="b" * 64, period_start=date(2026, 5, 1), period_end=date(2026, 1, 1)
        )


def test_only_staff_may_ask(in_a):
    member = make_user("member@example.org")
    with pytest.raises(services.ReportError):
        services.request_review(Period(), member)
    assert not ReportJob.objects.exists()


def test_the_dashboard_asks_for_the_pdf_of_its_period_then_follows_it(client_a, figures, staff):
    client_a.force_login(staff)
    html = client_a.get(DASHBOARD, {"du": THIS_YEAR.start.isoformat()}).content.decode()
    assert "Télécharger le bilan complet (PDF)" in html
    assert f'name="du" value="{THIS_YEAR.start.isoformat()}"' in html

    response = client_a.post(REQUEST, {"du": THIS_YEAR.start.isoformat()})
    job = ReportJob.objects.get(kind=ReportKind.REVIEW)
    assert response.status_code == 302 and response["Location"] == f"/rapports/{job.pk}/"
    assert job.period_start == THIS_YEAR.start and job.period_end is None
    # Without JavaScript: the job's page, which a reload keeps up to date.
    page = client_a.get(f"/rapports/{job.pk}/").content.decode()
    assert "Le bilan va être préparé" in page and "Actualiser la page" in page
    # With htmx: the fragment polls while the job is live, then offers the file.
    fragment = client_a.get(f"/rapports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and f'data-hx-get="/rapports/{job.pk}/"' in fragment
    rendered(job)
    done = client_a.get(f"/rapports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "data-hx-get" not in done and f"/rapports/{job.pk}/rapport.pdf" in done
    assert (
        f"/rapports/{job.pk}/rapport.pdf"
        in client_a.get(DASHBOARD, {"du": THIS_YEAR.start.isoformat()}).content.decode()
    )
    # Asked again, up to date: the file at once.
    again = client_a.post(REQUEST, {"du": THIS_YEAR.start.isoformat()})
    assert again["Location"] == f"/rapports/{job.pk}/rapport.pdf"
    pdf = client_a.get(again["Location"])
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
    assert pdf["Content-Disposition"].startswith('attachment; filename="bilan-')
    assert TERRITORY_A.name in pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)


def test_a_bad_period_asks_for_nothing(client_a, staff):
    client_a.force_login(staff)
    response = client_a.post(REQUEST, {"du": "2026-05-01", "au": "2026-01-01"}, follow=True)
    assert "La période demandée n&#x27;est pas valide" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_the_requester_is_emailed_when_it_is_ready(figures, staff):
    job = services.request_review(Period(), staff)
    rendered(job)
    email = OutgoingEmail.objects.get(recipients__contains=[staff.email])
    assert "bilan" in email.subject.lower() and f"/rapports/{job.pk}/" in email.body


def test_review_download_is_for_the_territory_staff_and_admins_only(client_a, figures, staff):
    job = services.request_review(Period(), staff)
    rendered(job)
    url = f"/rapports/{job.pk}/rapport.pdf"
    admin = User.objects.create_user("admin-bilan@a.example", "Mot-de-passe-42", role=Role.ADMIN)
    participant = make_user("participant@example.org")
    make_organisation("Une organisation", member=participant)

    assert client_a.get(url).status_code == 302  # to the login page
    for user, status in ((staff, 200), (admin, 200), (participant, 404)):
        client_a.force_login(user)
        assert client_a.get(url).status_code == status, user.email
        assert client_a.get(f"/rapports/{job.pk}/").status_code == status, user.email
    client_a.force_login(participant)
    assert client_a.post(REQUEST).status_code == 404
    assert ReportJob.objects.filter(kind=ReportKind.REVIEW).count() == 1


def test_territory_b_never_serves_nor_lists_a_review_of_a(client_b, territory_a, territory_b, figures, staff):
    align_next_ids([ReportJob], territory_a, territory_b)
    job = services.request_review(Period(), staff)
    rendered(job)
    assert job.file.name.startswith("reports/bilan/")
    with schema_context(territory_b.schema_name):
        staff_b = User.objects.create_user("bilan@b.example", "Mot-de-passe-42", role=Role.STAFF)
        assert services.latest_review_job(Period()) is None  # A's job is not B's
        job_b = services.request_review(Period(), staff_b)
        assert job_b.pk == job.pk and job_b.content_hash != job.content_hash
        client_b.force_login(staff_b)
    assert client_b.get(f"/rapports/{job.pk}/rapport.pdf").status_code == 404  # B's, not yet rendered
    with schema_context(territory_b.schema_name):
        rendered(job_b)
        assert job_b.file.path != job.file.path  # each territory's private folder
    response = client_b.get(f"/rapports/{job.pk}/rapport.pdf")
    text = pdf_text(response.content)
    assert TERRITORY_B.name in text and TERRITORY_A.name not in text
    assert "Entreprise 7 50" not in flat(text)  # A's figures stay in A


def test_the_watchdog_fails_a_stuck_review_job(figures, staff):
    job = services.request_review(Period(), staff)
    ReportJob.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    assert services.fail_stuck_jobs() == [job.pk]
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_hostile_text_in_the_review_is_escaped_and_fetches_nothing(in_a):
    hostile = (
        '<img src="file:///etc/passwd"><img src="http://169.254.169.254/latest"><link href="http://localhost:6379/">'
    )
    for _ in range(5):
        submitted(OrganisationFactory(commune=hostile), 50)
    content = review_content(Period())
    content["territory"]["programme_name"] = hostile
    fetcher = ReportURLFetcher()
    text = flat(pdf_text(render_review_pdf(content, fetcher)))
    assert '<img src="file:///etc/passwd">' in text  # shown as text, never fetched
    assert all(url.startswith(("https://rapport.invalid/static/", "data:")) for url in fetcher.calls), fetcher.calls


@pytest.mark.parametrize(
    ("fail", "wording"),
    [
        (lambda job: services.render_job(job.pk, _broken), "Le bilan n'a pas pu être préparé. Réessayez plus tard."),
        (lambda job: services.fail_job(job.pk, services.MESSAGE_TOO_LONG), "Le bilan a pris trop de temps à préparer."),
        (
            lambda job: services.fail_stuck_jobs(now=timezone.now() + timedelta(days=1)),
            "La préparation du bilan n'a pas abouti.",
        ),
    ],
)
def test_a_failed_review_says_le_bilan_not_le_rapport(client_a, staff, fail, wording):
    job = services.request_review(THIS_YEAR, staff)
    fail(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message.startswith(wording), job.message
    client_a.force_login(staff)
    for page in (client_a.get(f"/rapports/{job.pk}/"), client_a.get(DASHBOARD, {"du": THIS_YEAR.start.isoformat()})):
        html = page.content.decode()
        assert escape(wording) in html and "Le rapport" not in html and "du rapport" not in html


def _broken(_content):
    raise ValueError("WeasyPrint exploded")
