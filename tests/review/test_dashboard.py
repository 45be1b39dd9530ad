"""The programme review for territory staff: its figures, the small-group rule, the exports, isolation."""

import csv
import io
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
    import re

    start = html.index(f'id="tableau-{slug}"')
    body = html[start:].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def seven_businesses_and_two_associations():
    businesses = [OrganisationFactory(commune="Poitiers") for _ in range(7)]
    associations = [
        OrganisationFactory(kind=OrganisationKind.ASSOCIATION, naf_code="94.99Z", commune="Chauvigny")
        for _ in range(2)
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
