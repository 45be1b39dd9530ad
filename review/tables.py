"""A table of the review: what the page shows, the chart draws and the exports write, from one value.

Cells are plain values: int, float (a score, one decimal), str, or None (nothing to show: « – »).
A figure hidden by the small-group rule is the string SUPPRESSED, in the page and in the files alike,
so that no export can show more than the page.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

SUPPRESSED = _("moins de 5 organisations")


@dataclass(frozen=True)
class Table:
    slug: str  # unique in the review: the exports' URLs are /gestion/bilan/<slug>.csv and .xlsx
    title: str
    headers: tuple
    rows: tuple  # of tuples, the first cell naming the row (a <th scope="row">)
    note: str = ""
    chart: str = ""  # an accessible SVG (review/charts.py) of the same figures, or ""

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
        text = f"{value:.1f}".replace(".", ",")
        return text[:-2] if text.endswith(",0") else text
    return str(value)


# ---- exports ------------------------------------------------------------------------------------

# A cell starting so would be run as a formula by a spreadsheet opening the file.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return cell_text(value)  # French spreadsheets read « 12,5 »
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def table_csv(table):
    """UTF-8 with a BOM and « ; »: what French Excel opens as columns, accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(str(header)) for header in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    if table.note:
        writer.writerow([])
        writer.writerow([_csv_cell(str(table.note))])
    return "\ufeff" + buffer.getvalue()


def table_xlsx(table):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = str(table.title)[:31]  # Excel's limit on a sheet's name
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E3E3FD")
    for column, header in enumerate(table.headers, start=1):
        cell = worksheet.cell(row=1, column=column, value=str(header))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 18
    for row_index, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is not None and not isinstance(value, int | float):
                value = str(value)
            cell = worksheet.cell(row=row_index, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a label starting with « = » stays text, never a formula
            elif isinstance(value, float):
                cell.number_format = "0.0"
    if table.note:
        cell = worksheet.cell(row=len(table.rows) + 3, column=1, value=str(table.note))
        cell.data_type = "s"
    worksheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
