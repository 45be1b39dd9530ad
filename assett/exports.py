"""The tables that people download: one CSV writer and one XLSX writer (openpyxl) for every export.

A table is headers and rows of plain values: str, int, float, Decimal, date, datetime or None. The
CSV is what French Excel opens as columns, accents intact: UTF-8 with a byte order mark, « ; »,
French dates, decimal commas (a float is a figure shown with one decimal, a Decimal is exact). The
XLSX keeps numbers and dates typed. In both, text that a spreadsheet would run as a formula stays
text (the usual guard against formula injection): an apostrophe first in the CSV, a cell typed as a
string in the XLSX.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "E3E3FD"  # the DSFR's light blue (blue-france-925)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportTable:
    headers: tuple
    rows: tuple  # of tuples of plain values
    sheet_title: str = ""
    widths: tuple = ()  # of the XLSX's columns; by default 40 for the first, 18 for the others
    note: str = ""  # written under the table (e.g. what a hidden figure means)
    bold_rows: frozenset = frozenset()  # indexes in `rows` of subtotals and totals
    freeze: str = "A2"  # the first cell that scrolls: the headers (and a label column) stay in view


def one_decimal(value):
    """« 12,5 », « 12 »: a figure as French text with at most one decimal."""
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return one_decimal(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(str(header)) for header in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    if table.note:
        writer.writerow([])
        writer.writerow([csv_cell(str(table.note))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value):
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal | date):
        return value
    return str(value)  # lazy translations and the like


def xlsx_bytes(table):
    workbook = Workbook()
    sheet = workbook.active
    if table.sheet_title:
        sheet.title = str(table.sheet_title)[:31]  # Excel's limit on a sheet's name
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=str(header))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = table.widths[column - 1] if table.widths else (40 if column == 1 else 18)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for index, row in enumerate(table.rows):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=index + 2, column=column, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with « = » stays a name, never a formula
            elif isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, float):
                cell.number_format = "0.0"
            if index in table.bold_rows:
                cell.font = bold
    if table.note:
        cell = sheet.cell(row=len(table.rows) + 3, column=1, value=str(table.note))
        cell.data_type = "s"
    sheet.freeze_panes = table.freeze
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(table, stem, extension):
    """The response that downloads `table` as `<stem>.<extension>`; extension: "csv" or "xlsx"."""
    write, content_type = {"csv": (csv_bytes, "text/csv; charset=utf-8"), "xlsx": (xlsx_bytes, XLSX_TYPE)}[extension]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response
