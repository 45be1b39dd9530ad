"""A table of the review: what the page shows, the chart draws and the exports write, from one value.

Cells are plain values: int, float (a score, one decimal), str, or None (nothing to show: « – »).
A figure hidden by the small-group rule is the string SUPPRESSED, in the page and in the files alike,
so that no export can show more than the page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from assett.exports import ExportTable, one_decimal

SUPPRESSED = _("moins de 5 organisations")


@dataclass(frozen=True)
class Table:
    slug: str  # unique in the review: the exports' URLs are /gestion/bilan/<slug>.csv and .xlsx
    title: str
    headers: tuple
    rows: tuple  # of tuples, the first cell naming the row (a <th scope="row">)
    note: str = ""
    chart: str = ""  # an accessible SVG (assett/charts.py) of the same figures, or ""

    def cell_rows(self):
        """The rows as the page shows them: French text."""
        return [[cell_text(value) for value in row] for row in self.rows]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    tables: tuple = ()
    intro: str = ""
    link: tuple | None = None  # (url, label) of a page that says more
    empty: str = ""  # said instead of the tables when there is nothing to show


def cell_text(value):
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")  # « 12 500 », as French typography groups digits
    if isinstance(value, float):
        return one_decimal(value)
    return str(value)


# ---- exports ------------------------------------------------------------------------------------


def export_table(table):
    """The table as assett/exports.py writes it: the label column stays in view, the note under it."""
    return ExportTable(table.headers, table.rows, sheet_title=table.title, note=table.note, freeze="B2")
