"""The contribution of the organisations' plans to the PCAET: distinct counts, tonnes, subtotals, exports, isolation."""

import csv
import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.enums import Role
from accounts.models import User
from assett.exports import csv_bytes, xlsx_bytes
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.models import Organisation
from toolbox.enums import PlanStatus
from toolbox.pcaet_contribution import HEADERS, Figures, contribution, export_table

from .factories import ActionFactory, PcaetActionFactory, PlanItemFactory

RNG = random.Random(7)


def organisation(name):
    return Organisation.objects.create(
        name=name,
        kind=OrganisationKind.ENTREPRISE,
        siret=demo_siret(RNG),
        naf_code="10.71C",
        naf_version="NAFRev2",
        headcount_band="02",
        commune="Poitiers",
    )


def staff_user(email="climat@a.example"):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=Role.STAFF)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def plan(in_a):
    """Three organisations, three toolbox actions (one without estimate), five PCAET actions on three axes.

    A1 (2.5 t) and A3 (1 t) each serve two PCAET actions of axis X: the subtotal must count their items once.
    """
    a1 = ActionFactory(code="A1", co2_tonnes_per_year=Decimal("2.5"))
    a2 = ActionFactory(code="A2", co2_tonnes_per_year=None)
    a3 = ActionFactory(code="A3", co2_tonnes_per_year=Decimal("1.00"))
    p1 = PcaetActionFactory(code="1.1", axis="X", order=1)
    p2 = PcaetActionFactory(code="1.2", axis="X", order=2)
    p3 = PcaetActionFactory(code="2.1", axis="Y", order=3)
    p4 = PcaetActionFactory(code="2.2", axis="Y", order=4)
    p5 = PcaetActionFactory(code="3.1", axis="", order=5)
    p1.toolbox_actions.set([a1, a2])
    p2.toolbox_actions.set([a1, a3])
    p3.toolbox_actions.set([a3])
    p5.toolbox_actions.set([a2])
    one, two, three = organisation("Une"), organisation("Deux"), organisation("Trois")
    for org, action, status in [
        (one, a1, PlanStatus.DONE),
        (one, a2, PlanStatus.DONE),
        (one, a3, PlanStatus.IN_PROGRESS),
        (two, a1, PlanStatus.IN_PROGRESS),
        (two, a3, PlanStatus.DONE),
        (three, a2, PlanStatus.TODO),
        (three, a1, PlanStatus.ABANDONED),
    ]:
        PlanItemFactory(organisation=org, action=action, status=status)
    # An organisation's own action (no toolbox action) and an unlinked toolbox action count nowhere.
    PlanItemFactory(organisation=three, action=None, status=PlanStatus.DONE)
    PlanItemFactory(organisation=three, action=ActionFactory(co2_tonnes_per_year=9), status=PlanStatus.DONE)
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


EXPECTED_LINES = {
    # code: (links, planned, doing, done, co2, unestimated)
    "1.1": (2, 3, 1, 1, Decimal("2.5"), 1),  # « Une » did two linked actions: one organisation
    "1.2": (2, 3, 2, 2, Decimal("3.5"), 0),
    "2.1": (1, 2, 1, 1, Decimal("1.00"), 0),
    "2.2": (0, 0, 0, 0, None, 0),
    "3.1": (1, 2, 0, 1, None, 1),  # done, but no estimate: « non estimé »
}
EXPECTED_SUBTOTALS = {
    "X": Figures(3, 2, 2, Decimal("3.5"), 1),  # not 2.5 + 3.5: A1 done by « Une » counts once
    "Y": Figures(2, 1, 1, Decimal("1.00"), 0),
    "Sans axe": Figures(2, 0, 1, None, 1),
}
EXPECTED_TOTAL = Figures(3, 2, 2, Decimal("3.5"), 1)


def _line_tuple(line):
    figures = line.figures
    return (line.action.link_count, figures.planned, figures.doing, figures.done, figures.co2, figures.unestimated)


def test_counts_distinct_organisations_and_sums_tonnes_once_per_level(plan):
    report = contribution()

    assert [group.axis for group in report.groups] == ["X", "Y", "Sans axe"]
    assert {line.action.code: _line_tuple(line) for group in report.groups for line in group.lines} == EXPECTED_LINES
    assert {group.axis: group.subtotal for group in report.groups} == EXPECTED_SUBTOTALS
    assert report.total == EXPECTED_TOTAL


def test_the_contribution_costs_the_same_queries_for_any_number_of_pcaet_actions(plan):
    with CaptureQueriesContext(connection) as few:
        contribution()
    action = ActionFactory(co2_tonnes_per_year=1)
    for index in range(30):
        PcaetActionFactory(axis=f"Axe {index % 4}").toolbox_actions.add(action)
    PlanItemFactory(organisation=organisation("Quatre"), action=action, status=PlanStatus.DONE)

    with CaptureQueriesContext(connection) as many:
        report = contribution()

    assert len(few) == len(many) == 2
    assert report.line_count == 35


def _rows_from_csv(payload):
    assert payload.startswith("\ufeff")
    return list(csv.reader(io.StringIO(payload.removeprefix("\ufeff")), delimiter=";"))


def test_csv_and_xlsx_exports_read_back_to_the_figures(plan):
    report = contribution()

    rows = _rows_from_csv(csv_bytes(export_table(report)).decode())
    workbook = load_workbook(io.BytesIO(xlsx_bytes(export_table(report))))
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]

    assert rows[0] == list(HEADERS) and sheet_rows[0] == list(HEADERS)
    by_code = {row[1]: row for row in rows[1:] if row[1]}
    assert by_code["1.1"] == ["X", "1.1", plan["p1"].title, "2", "3", "1", "1", "2,5", "1"]
    assert by_code["3.1"][7] == "non estimé"
    assert rows[3] == ["X", "", "Sous-total X", "", "3", "2", "2", "3,5", "1"]
    assert rows[-1] == ["", "", "Total du plan", "", "3", "2", "2", "3,5", "1"]
    xlsx_by_code = {row[1]: row for row in sheet_rows[1:] if row[1]}
    assert xlsx_by_code["1.2"][3:] == [2, 3, 2, 2, 3.5, 0]
    assert xlsx_by_code["2.2"][7] == "non estimé"
    assert sheet_rows[-1][2:] == ["Total du plan", None, 3, 2, 2, 3.5, 1]
    assert len(rows) == len(sheet_rows) == 1 + 5 + 3 + 1


def test_exports_never_hand_a_formula_to_the_spreadsheet(in_a):
    PcaetActionFactory(code="9.9", title='=HYPERLINK("http://exemple.invalid";"clic")', axis="+Axe")
    report = contribution()

    rows = _rows_from_csv(csv_bytes(export_table(report)).decode())
    cell = load_workbook(io.BytesIO(xlsx_bytes(export_table(report)))).active["C2"]

    assert rows[1][:3] == ["'+Axe", "9.9", '\'=HYPERLINK("http://exemple.invalid";"clic")']
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_page_shows_the_figures_and_how_they_are_computed(client_a, plan):
    client_a.force_login(staff_user())

    response = client_a.get("/gestion/pcaet/contribution/")

    page = response.content.decode()
    assert "Sous-total X" in page and "Total du plan" in page
    assert "non estimé" in page and "+ 1 réalisation non estimée" in page
    assert "ils peuvent être inférieurs à la somme des lignes" in page
    for url, kind in (("contribution.csv", "text/csv"), ("contribution.xlsx", "spreadsheetml")):
        response = client_a.get(f"/gestion/pcaet/{url}")
        assert response.status_code == 200 and kind in response["Content-Type"]
        assert response["Content-Disposition"].startswith('attachment; filename="contribution-pcaet-')


@pytest.mark.parametrize(
    ("url", "queries"),
    # The user, then: the programme, the actions and the figures (one query each).
    [("/gestion/pcaet/contribution/", 4), ("/gestion/pcaet/", 3), ("/gestion/pcaet/contribution.xlsx", 3)],
)
def test_staff_pages_cost_the_same_queries_whatever_the_size_of_the_plan(client_a, in_a, plan, url, queries):
    client_a.force_login(staff_user())
    client_a.get(url)  # the session and the territory cached

    def measured():
        connection.set_tenant(in_a)
        with CaptureQueriesContext(connection) as context:
            assert client_a.get(url).status_code == 200
        # django-tenants sets the schema at every request: not a query of the page.
        return [query["sql"] for query in context.captured_queries if not query["sql"].startswith("SET search_path")]

    few = measured()
    action = ActionFactory(co2_tonnes_per_year=1)
    for index in range(40):
        PcaetActionFactory(axis=f"Axe {index % 5}").toolbox_actions.add(action)
    many = measured()

    assert len(few) == len(many) == queries, many
