"""How the organisations' action plans serve the PCAET: for each PCAET action, its axis and the whole plan.

An organisation counts for a PCAET action when one of its plan items is a toolbox action linked
to it: « engagées » whatever the item's status, « en cours » with an item in progress,
« ont réalisé » with an item done; each organisation once per line, however many linked actions it
has. The tonnes are the sum, over the plan items done, of their action's estimated
`co2_tonnes_per_year`; items whose action has no estimate are counted apart (« non estimé »).

Subtotals and the total count each organisation and each plan item once, even when an item's
action serves several PCAET actions of the axis (or of the plan): they can be lower than the sum
of their lines, never double-counted. Everything is aggregated by PostgreSQL in one query
(`_figures`), so the page costs the same number of queries for 10 PCAET actions or 300.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .enums import PlanStatus
from .models import Action, PcaetAction, PlanItem
from .pcaet import pcaet_actions

NO_AXIS = "Sans axe"


@dataclass(frozen=True)
class Figures:
    planned: int = 0
    doing: int = 0
    done: int = 0
    co2: Decimal | None = None  # None: no item done has an estimate (« non estimé »)
    unestimated: int = 0  # items done whose action has no estimate


@dataclass
class Line:
    action: PcaetAction  # annotated with link_count
    figures: Figures


@dataclass
class AxisGroup:
    axis: str
    lines: list = field(default_factory=list)
    subtotal: Figures = field(default_factory=Figures)


@dataclass
class Contribution:
    groups: list
    total: Figures

    @property
    def line_count(self):
        return sum(len(group.lines) for group in self.groups)


def contribution():
    """The contribution of the plans to every PCAET action, grouped by axis in the plan's order (2 queries)."""
    actions = list(pcaet_actions())
    return assemble(actions, _figures())


def assemble(actions, figures):
    """Pure: PCAET actions (in the plan's order) and the figures of _figures → the axis groups and total.

    `figures` maps ("line", pk), ("axis", axis) and ("total", "") to Figures; a missing key reads zero.
    """
    groups = {}
    for action in actions:
        group = groups.get(action.axis)
        if group is None:
            group = groups[action.axis] = AxisGroup(
                axis=action.axis or NO_AXIS, subtotal=figures.get(("axis", action.axis), Figures())
            )
        group.lines.append(Line(action=action, figures=figures.get(("line", action.pk), Figures())))
    return Contribution(groups=list(groups.values()), total=figures.get(("total", ""), Figures()))


def _figures():
    """One query: the figures of every line, every axis and the whole plan, each at its own level of distinctness."""
    through = PcaetAction.toolbox_actions.through._meta
    names = {
        "pcaet": PcaetAction._meta.db_table,
        "through": through.db_table,
        "through_pcaet": through.get_field("pcaetaction").column,
        "through_action": through.get_field("action").column,
        "action": Action._meta.db_table,
        "item": PlanItem._meta.db_table,
    }
    aggregates = """
        COUNT(DISTINCT organisation_id),
        COUNT(DISTINCT organisation_id) FILTER (WHERE status = %(doing)s),
        COUNT(DISTINCT organisation_id) FILTER (WHERE status = %(done)s),
        SUM(co2) FILTER (WHERE status = %(done)s),
        COUNT(*) FILTER (WHERE status = %(done)s AND co2 IS NULL)"""
    # Within one PCAET action a plan item appears once (one action per item, one link per action);
    # across several it appears once for each, hence the DISTINCT before the axis and total sums.
    sql = f"""
        WITH links AS (
            SELECT p.id AS pcaet_id, p.axis, i.id AS item_id, i.organisation_id, i.status,
                   a.co2_tonnes_per_year AS co2
            FROM {names["pcaet"]} p
            JOIN {names["through"]} l ON l.{names["through_pcaet"]} = p.id
            JOIN {names["action"]} a ON a.id = l.{names["through_action"]}
            JOIN {names["item"]} i ON i.action_id = a.id
        )
        SELECT 'line', pcaet_id::text, {aggregates} FROM links GROUP BY pcaet_id
        UNION ALL
        SELECT 'axis', axis, {aggregates}
        FROM (SELECT DISTINCT axis, item_id, organisation_id, status, co2 FROM links) AS axis_items GROUP BY axis
        UNION ALL
        SELECT 'total', '', {aggregates}
        FROM (SELECT DISTINCT item_id, organisation_id, status, co2 FROM links) AS plan_items
    """  # noqa: S608 — table and column names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"doing": PlanStatus.IN_PROGRESS, "done": PlanStatus.DONE})
        result = {}
        for level, key, planned, doing, done, co2, unestimated in cursor.fetchall():
            result[(level, int(key) if level == "line" else key)] = Figures(planned, doing, done, co2, unestimated)
    return result


# ---- exports ------------------------------------------------------------------------------------

HEADERS = (
    "Axe / enjeu",
    "Code",
    "Intitulé",
    "Actions de la boîte à outils liées",
    "Organisations engagées",
    "Organisations en cours",
    "Organisations ayant réalisé",
    "tCO2e par an (actions réalisées)",
    "Réalisations sans estimation",
)


def export_rows(report):
    """The table of the exports: headers, then each axis's lines and subtotal, then the total."""
    rows = [HEADERS]
    for group in report.groups:
        for line in group.lines:
            action = line.action
            rows.append((group.axis, action.code, action.title, action.link_count, *_figure_cells(line.figures)))
        rows.append((group.axis, "", f"Sous-total {group.axis}", "", *_figure_cells(group.subtotal)))
    rows.append(("", "", "Total du plan", "", *_figure_cells(report.total)))
    return rows


def _figure_cells(figures):
    co2 = "non estimé" if figures.co2 is None else figures.co2
    return (figures.planned, figures.doing, figures.done, co2, figures.unestimated)


# A cell starting so would be run as a formula by a spreadsheet opening the CSV.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")  # French spreadsheets read « 12,5 »
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def contribution_csv(report):
    """UTF-8 with a BOM and « ; »: what French Excel opens as columns, accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in export_rows(report):
        writer.writerow([_csv_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def contribution_xlsx(report):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = "Contribution au PCAET"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E3E3FD")
    widths = (30, 10, 60, 14, 14, 14, 14, 16, 14)
    for row_index, row in enumerate(export_rows(report), start=1):
        is_sum = row_index > 1 and row[1] == ""
        for column_index, value in enumerate(row, start=1):
            cell = worksheet.cell(row=row_index, column=column_index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a title starting with « = » stays text, never a formula
            if row_index == 1:
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif is_sum:
                cell.font = bold
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
