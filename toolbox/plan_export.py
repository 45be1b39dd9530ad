"""The action plan as a spreadsheet: CSV (csv module) and XLSX (openpyxl), French headers.

Both read one table built by `plan_table`, so that the two files say the same thing. Text that a
spreadsheet would take for a formula (« =… », « +… ») stays text: in the XLSX the cell is typed as
a string, in the CSV it is prefixed with an apostrophe (the usual guard against formula injection).
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .plan_summary import sort_key

HEADERS = (
    gettext_lazy("Intitulé"),
    gettext_lazy("Fiche de la boîte à outils"),
    gettext_lazy("Thème"),
    gettext_lazy("Statut"),
    gettext_lazy("En retard"),
    gettext_lazy("Priorité"),
    gettext_lazy("Responsable"),
    gettext_lazy("Date de début"),
    gettext_lazy("Échéance"),
    gettext_lazy("Réalisée le"),
    gettext_lazy("Réalisée par"),
    gettext_lazy("Étapes faites"),
    gettext_lazy("Étapes"),
    gettext_lazy("Description"),
)
DATE_COLUMNS = {7, 8, 9}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    headers: list
    rows: list  # values: str, int, date or None


def plan_table(items, today):
    """One row per item, in the page's order (overdue first). Items come through plan_summary.describe
    and carry the step counts (views/plan.py's plan_items)."""
    rows = []
    yes, no = _("Oui"), _("Non")
    for item in sorted(items, key=lambda item: sort_key(item, today)):
        completed_on = timezone.localtime(item.completed_at).date() if item.completed_at else None
        rows.append(
            [
                item.title,
                item.action_code or "",
                item.theme_title,
                item.status_label,
                yes if item.overdue else no,
                item.priority_label,
                str(item.owner) if item.owner else "",
                item.start_date,
                item.target_date,
                completed_on,
                str(item.completed_by) if item.completed_by else "",
                item.steps_done,
                item.steps_total,
                item.description,
            ]
        )
    return Table([str(header) for header in HEADERS], rows)


def _text_guard(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_bytes(table):
    """UTF-8 with a byte order mark and semicolons: what a French spreadsheet opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(
            [
                value.strftime("%d/%m/%Y") if index in DATE_COLUMNS and value else _text_guard(value)
                for index, value in enumerate(row)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan d'actions")[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([None if value == "" else value for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index in DATE_COLUMNS and cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # a title starting with « = » stays a title, not a formula
    for index, width in enumerate((40, 14, 24, 14, 10, 10, 24, 14, 14, 14, 24, 10, 10, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(organisation, today, extension):
    return f"plan-actions-{slugify(organisation.name) or organisation.pk}-{today.isoformat()}.{extension}"
