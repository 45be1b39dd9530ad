"""Dates the French way (assett/dates.py): the first of the month is « 1er », in Python and in templates."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone, translation

from assett.dates import french_date


@pytest.fixture(autouse=True)
def in_french():
    with translation.override("fr"), timezone.override("Europe/Paris"):
        yield


@pytest.mark.parametrize(
    ("value", "format", "text"),
    [
        (date(2026, 12, 1), "j F Y", "1er décembre 2026"),
        (date(2026, 12, 2), "j F Y", "2 décembre 2026"),
        (date(2027, 1, 11), "j F Y", "11 janvier 2027"),
        (date(2026, 12, 1), "l j F Y", "mardi 1er décembre 2026"),
        (datetime(2027, 3, 1, 9, 30), "j F Y à H:i", "1er mars 2027 à 09:30"),
        (date(2027, 3, 1), "d/m/Y", "01/03/2027"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_and_every_other_day_a_number(value, format, text):
    assert french_date(value, format) == text


def render(value, format="j F Y"):
    return (
        engines["django"]
        .from_string('{% load dates %}{{ value|french_date:"' + format + '" }}')
        .render({"value": value})
    )


def test_the_filter_reads_the_day_in_the_zone_shown_not_in_utc():
    # 23:30 UTC on 30 November is 00:30 on 1 December in Paris.
    assert render(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "j F Y, H:i") == "1er décembre 2026, 00:30"
    with timezone.override("Indian/Mayotte"):
        assert render(datetime(2026, 11, 30, 20, 30, tzinfo=UTC)) == "30 novembre 2026"


@pytest.mark.parametrize("value", [None, "", "pas une date"])
def test_the_filter_writes_nothing_for_what_is_not_a_date(value):
    assert render(value) == ""


def test_no_template_writes_a_day_with_django_s_own_date_filter():
    """Its `j` would write « 1 décembre »: the pages use french_date instead."""
    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".txt")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r'\|date:"[^"]*j', line)
    ]
    assert offenders == []
