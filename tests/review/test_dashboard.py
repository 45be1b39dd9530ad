"""The programme review for territory staff: its figures, the small-group rule, the exports, isolation."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from accounts.models import User
from organisations.enums import OrganisationKind
from toolbox.enums import PlanStatus

from ..toolbox.factories import PlanItemFactory
from .factories import OrganisationFactory, submitted

URL = "/gestion/bilan/"


@pytest.fixture
def staff(in_a):
    return User.objects.create_user("bilan@a.example", "Mot-de-passe-42", role=Role.STAFF)


@pytest.fixture
def staff_client(client_a, staff):
    client_a.force_login(staff)
    return client_a


def table_rows(html, slug):
    """The rows of the table of that slug, as lists of cell texts (tags stripped)."""
    start = html.index(f'id="tableau-{slug}"')
    body = html[start:].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def seven_businesses_and_two_associations():
    businesses = [OrganisationFactory(commune="Poitiers") for _ in range(7)]
    associations = [
        OrganisationFactory(kind=OrganisationKind.ASSOCIATION, naf_code="94.99Z", commune="Chauvigny") for _ in range(2)
    ]
    for index, organisation in enumerate(businesses):
        submitted(organisation, 20 + index * 10)  # 20 … 80: mean 50
    for organisation in associations:
        submitted(organisation, 90)
    return businesses, associations


def test_dashboard_shows_the_funnel_and_hides_groups_under_five(staff_client):
    businesses, _associations = seven_businesses_and_two_associations()
    for _ in range(5):
        submitted(OrganisationFactory(kind=OrganisationKind.ETABLISSEMENT_PUBLIC, naf_code="85.31Z"), 40)
    for organisation in businesses[:5]:  # five re-assessed: a year ago at 10 points less
        submitted(organisation, 10, days_ago=400)
        PlanItemFactory(organisation=organisation, status=PlanStatus.DONE, completed_at=timezone.now())

    html = staff_client.get(URL).content.decode()

    funnel = dict(row for row in table_rows(html, "parcours"))
    assert funnel["Organisations inscrites"] == "14"
    assert funnel["Ont validé une auto-évaluation"] == "14"
    assert funnel["Se sont réévaluées"] == "5"
    assert funnel["Ont réalisé une action"] == "5"
    by_kind = {row[0]: row for row in table_rows(html, "maturite-type")}
    assert by_kind["Entreprise"][1:3] == ["7", "50"]
    # The associations are two: neither their count nor their score is shown, and the five public
    # establishments, the smallest other group, are hidden with them (else 14 - 7 - 5 tells the two).
    assert by_kind["Association"][1] == "moins de 5 organisations"
    assert "90" not in by_kind["Association"]
    assert by_kind["Établissement public"][1:3] == ["moins de 5 organisations", "–"]
    overall = {row[0]: row for row in table_rows(html, "maturite")}
    assert overall["Score global"][1:] == ["14", "52,1"]  # (350 + 180 + 200) / 14
    communes = {row[0]: row for row in table_rows(html, "maturite-commune")}
    assert communes["Chauvigny"][1] == "moins de 5 organisations"
    progress = {row[0]: row for row in table_rows(html, "progres")}
    # First assessments at 10; latest 20, 30, 40, 50, 60 (the five oldest businesses).
    assert progress["Score global"][1:] == ["5", "10", "40", "30"]


def test_the_only_other_group_is_hidden_with_a_small_one(staff_client):
    """Secondary suppression: 7 businesses shown beside 2 hidden associations would tell the 2."""
    seven_businesses_and_two_associations()

    html = staff_client.get(URL).content.decode()

    by_kind = {row[0]: row for row in table_rows(html, "maturite-type")}
    assert by_kind["Entreprise"][1] == "moins de 5 organisations"
    assert by_kind["Association"][1] == "moins de 5 organisations"


def test_a_period_counts_what_happened_in_it(staff_client):
    for _ in range(5):
        organisation = OrganisationFactory()
        submitted(organisation, 30, days_ago=400)
        submitted(organisation, 50, days_ago=10)
    last_month = (timezone.localdate() - timedelta(days=30)).isoformat()
    long_ago = (timezone.localdate() - timedelta(days=500)).isoformat()
    year_ago = (timezone.localdate() - timedelta(days=300)).isoformat()

    recent = staff_client.get(URL, {"du": last_month}).content.decode()
    older = staff_client.get(URL, {"du": long_ago, "au": year_ago}).content.decode()

    assert dict(table_rows(recent, "parcours"))["Organisations inscrites"] == "5"  # created today
    assert dict(table_rows(recent, "parcours"))["Se sont réévaluées"] == "5"
    assert {row[0]: row for row in table_rows(recent, "maturite")}["Score global"][1:] == ["5", "50"]
    assert dict(table_rows(older, "parcours"))["Organisations inscrites"] == "0"
    assert dict(table_rows(older, "parcours"))["Se sont réévaluées"] == "0"  # nothing before their first
    assert {row[0]: row for row in table_rows(older, "maturite")}["Score global"][1:] == ["5", "30"]
    assert f"?du={last_month}" in recent  # the exports' links keep the period


def test_a_period_that_ends_before_it_starts_is_refused(staff_client):
    html = staff_client.get(URL, {"du": "2026-05-01", "au": "2026-04-01"}).content.decode()

    assert "La fin de la période doit suivre son début." in html
    assert "Depuis le début du programme." in html  # and the whole programme is shown


def _export(client, slug, file_format, **query):
    response = client.get(f"{URL}{slug}.{file_format}", query)
    assert response.status_code == 200
    assert f"bilan-{slug}-" in response["Content-Disposition"]
    if file_format == "csv":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_hide_what_the_page_hides(staff_client, file_format):
    seven_businesses_and_two_associations()

    rows = _export(staff_client, "maturite-type", file_format)

    assert rows[0][:3] == ["Type", "Organisations", "Score global"]
    by_kind = {row[0]: row for row in rows[1:] if row and row[0]}
    assert by_kind["Association"][1] == "moins de 5 organisations"
    assert by_kind["Entreprise"][1] == "moins de 5 organisations"
    assert all(cell in (None, "", "moins de 5 organisations") for cell in by_kind["Association"][1:])
    assert not any("90" in str(cell) for row in rows for cell in row)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_write_the_figures_of_the_page(staff_client, file_format):
    for index in range(6):
        submitted(OrganisationFactory(name=f'=HYPERLINK("x") {index}', commune="=1+1"), 40 + index)

    maturity = _export(staff_client, "maturite", file_format)
    communes = _export(staff_client, "maturite-commune", file_format, du="2020-01-01")

    overall = next(row for row in maturity if row[0] == "Score global")
    assert overall[1:3] == (["6", "42,5"] if file_format == "csv" else [6, 42.5])
    # A commune typed as a formula stays text.
    assert communes[1][0] == ("'=1+1" if file_format == "csv" else "=1+1")
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(staff_client.get(f"{URL}maturite-commune.xlsx").content)).active
        assert sheet["A2"].data_type == "s"


def test_an_unknown_table_or_format_is_a_404(staff_client):
    assert staff_client.get(f"{URL}inconnu.csv").status_code == 404
    assert staff_client.get(f"{URL}maturite.pdf").status_code == 404


def test_staff_of_territory_b_never_see_territory_a_figures(staff_client, territory_b, client_b):
    for index in range(6):
        submitted(OrganisationFactory(commune="Poitiers"), 70 + index)
    assert "Poitiers" in staff_client.get(URL).content.decode()
    connection.set_tenant(territory_b)
    b_staff = User.objects.create_user("bilan@b.example", "Mot-de-passe-42", role=Role.STAFF)
    client_b.force_login(b_staff)

    html = client_b.get(URL).content.decode()
    rows = _export(client_b, "maturite-commune", "csv")

    assert dict(table_rows(html, "parcours"))["Organisations inscrites"] == "0"
    assert "Poitiers" not in html
    assert len(rows) <= 3  # headers, blank line, note: no commune of A
    assert not any("Poitiers" in cell for row in rows for cell in row)


def test_the_dashboard_costs_the_same_queries_for_ten_or_sixty_organisations(
    staff_client, settings, django_assert_num_queries
):
    settings.TENANT_LIMIT_SET_CALLS = True
    for index in range(10):
        organisation = OrganisationFactory(commune=f"Commune {index % 3}")
        submitted(organisation, 40, days_ago=300)
        submitted(organisation, 55)
        PlanItemFactory(organisation=organisation, status=PlanStatus.DONE, completed_at=timezone.now())
    staff_client.get(URL)  # the host, resolved once per process

    # The session's user, the themes, the maturity sums, the participation and progress, the plan rows,
    # the PCAET's actions and figures, the period's events (events/review_section.py: none here), the
    # period's latest PDF job (reports/).
    with django_assert_num_queries(9):
        assert staff_client.get(URL).status_code == 200

    for index in range(50):
        organisation = OrganisationFactory(commune=f"Commune {index}", kind=OrganisationKind.ASSOCIATION)
        submitted(organisation, 30 + index % 40)
        PlanItemFactory(organisation=organisation)
    with django_assert_num_queries(9):
        assert staff_client.get(URL).status_code == 200


def test_another_app_registers_a_section_with_its_tables_and_exports(staff_client, monkeypatch):
    """What the events app will do: a provider registered beside the review's own sections."""
    from review import sections
    from review.tables import Section, Table

    def events(review):
        rows = (("Atelier « mobilité »", 12), ("Rencontre de lancement", 3))
        table = Table(
            slug="rencontres", title="Participation aux rencontres", headers=("Rencontre", "Inscrits"), rows=rows
        )
        return Section(slug="rencontres", title="Rencontres", tables=(table,))

    monkeypatch.setattr(sections, "_providers", list(sections._providers))
    sections.register_section(events, order=35)

    html = staff_client.get(URL).content.decode()
    rows = _export(staff_client, "rencontres", "csv")

    assert html.index('id="progres"') < html.index('id="rencontres"') < html.index('id="actions"')
    assert table_rows(html, "rencontres") == [["Atelier « mobilité »", "12"], ["Rencontre de lancement", "3"]]
    assert rows[0] == ["Rencontre", "Inscrits"]
