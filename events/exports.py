"""An event's registrants as a spreadsheet: CSV and XLSX from one table, French headers, dates in the
territory's zone. Text that a spreadsheet would run as a formula stays text (the plan export's rule)."""

import csv
import io

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from toolbox.plan_export import FORMULA_STARTS, Table

from .enums import RegistrationStatus
from .models import Registration

HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Courriel"),
    gettext_lazy("Organisation"),
    gettext_lazy("Type d'organisation"),
    gettext_lazy("SIRET"),
    gettext_lazy("État"),
    gettext_lazy("Inscrit le"),
    gettext_lazy("Présence"),
)
DATETIME_COLUMNS = {7}
WIDTHS = (20, 20, 32, 32, 20, 16, 18, 18, 12)


def registrants_table(event, zone):
    """Confirmed seats first, then the waitlist in its order: who is in, who comes next."""
    registrations = (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user", "organisation")
        .order_by("status", "created_at", "pk")  # « confirmed » sorts before « waitlisted »
    )
    rows = []
    for registration in registrations:
        user, organisation = registration.user, registration.organisation
        rows.append(
            [
                user.last_name,
                user.first_name,
                user.email,
                organisation.name,
                organisation.get_kind_display(),
                organisation.siret,
                registration.get_status_display(),
                # Naive local time: spreadsheets have no zones, and staff read the territory's clock.
                registration.created_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
                registration.get_attendance_display() if registration.attendance else "",
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
                value.strftime("%d/%m/%Y %H:%M") if index in DATETIME_COLUMNS and value else _text_guard(value)
                for index, value in enumerate(row)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Inscrits")
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([None if value == "" else value for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index in DATETIME_COLUMNS and cell.value is not None:
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with « = » stays a name, not a formula
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(event, extension):
    return f"inscrits-{slugify(event.title) or 'evenement'}-{event.starts_at:%Y-%m-%d}.{extension}"
