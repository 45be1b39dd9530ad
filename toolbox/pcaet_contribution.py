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

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from assett.exports import ExportTable

from .enums import PlanStatus
from .models import Action, PcaetAction, PlanItem
from .pcaet import pcaet_actions

NO_AXIS = "Sans axe"
LINE, AXIS, TOTAL = 0, 1, 2  # the levels of the SQL
LEVEL_NAMES = {LINE: "line", AXIS: "axis", TOTAL: "total"}


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

    `figures` maps ("line", pk), ("axis", axis) and ("total", None) to Figures; a missing key reads zero.
    """
    groups = {}
    for action in actions:
        group = groups.get(action.axis)
        if group is None:
            group = groups[action.axis] = AxisGroup(
                axis=action.axis or NO_AXIS, subtotal=figures.get(("axis", action.axis), Figures())
            )
        group.lines.append(Line(action=action, figures=figures.get(("line", action.pk), Figures())))
    return Contribution(groups=list(groups.values()), total=figures.get(("total", None), Figures()))


def _figures():
    """One query: the figures of every line, every axis and the whole plan, each at its own level of distinctness."""
    with connection.cursor() as cursor:
        cursor.execute(*figures_sql())
        result = {}
        for level, key, axis, *figures in cursor.fetchall():
            keys = {LINE: key, AXIS: axis, TOTAL: None}
            result[LEVEL_NAMES[level], keys[level]] = Figures(*figures)
    return result


def figures_sql():
    """The SQL of _figures and its parameters (bench/bench_pcaet.py explains it)."""
    through = PcaetAction.toolbox_actions.through._meta
    names = {
        "pcaet": PcaetAction._meta.db_table,
        "through": through.db_table,
        "through_pcaet": through.get_field("pcaetaction").column,
        "through_action": through.get_field("action").column,
        "action": Action._meta.db_table,
        "item": PlanItem._meta.db_table,
    }
    # The organisations: one row per (PCAET action, organisation) from the links and the items,
    # then rolled up to (axis, organisation) and to the organisation: « in progress in the axis »
    # is « in progress in one of its lines », so the one large join is made once (bench/bench_pcaet.py).
    # The tonnes, a sum over plan items, must count an item once per key: each level pairs its keys
    # with their toolbox actions once each (UNION drops repeats) and sums the actions' own sums (as a
    # plan item has one action, that is each item once), so an item whose action serves two PCAET
    # actions of an axis counts once in the axis. An axis is keyed by the smallest id of its actions.
    sql = f"""
        WITH axis_keys AS (
            SELECT id, MIN(id) OVER (PARTITION BY axis) AS axis_key FROM {names["pcaet"]}
        ),
        line_organisations AS (
            SELECT l.{names["through_pcaet"]} AS pcaet_id, i.organisation_id,
                   bool_or(i.status = %(doing)s) AS doing, bool_or(i.status = %(done)s) AS done
            FROM {names["through"]} l JOIN {names["item"]} i ON i.action_id = l.{names["through_action"]}
            GROUP BY l.{names["through_pcaet"]}, i.organisation_id
        ),
        axis_organisations AS (
            SELECT k.axis_key, o.organisation_id, bool_or(o.doing) AS doing, bool_or(o.done) AS done
            FROM line_organisations o JOIN axis_keys k ON k.id = o.pcaet_id
            GROUP BY k.axis_key, o.organisation_id
        ),
        counts AS (
            SELECT {LINE} AS level, pcaet_id AS key, COUNT(*) AS planned, COUNT(*) FILTER (WHERE doing) AS doing,
                   COUNT(*) FILTER (WHERE done) AS done
            FROM line_organisations GROUP BY pcaet_id
            UNION ALL
            SELECT {AXIS}, axis_key, COUNT(*), COUNT(*) FILTER (WHERE doing), COUNT(*) FILTER (WHERE done)
            FROM axis_organisations GROUP BY axis_key
            UNION ALL
            SELECT {TOTAL}, 0, COUNT(*), COUNT(*) FILTER (WHERE doing), COUNT(*) FILTER (WHERE done)
            FROM (
                SELECT organisation_id, bool_or(doing) AS doing, bool_or(done) AS done
                FROM axis_organisations GROUP BY organisation_id
            ) AS plan_organisations
            HAVING COUNT(*) > 0
        ),
        per_action AS (
            SELECT i.action_id, SUM(a.co2_tonnes_per_year) FILTER (WHERE i.status = %(done)s) AS co2,
                   COUNT(*) FILTER (WHERE i.status = %(done)s AND a.co2_tonnes_per_year IS NULL) AS unestimated
            FROM {names["item"]} i JOIN {names["action"]} a ON a.id = i.action_id
            GROUP BY i.action_id
        ),
        pairs AS (
            SELECT {LINE} AS level, l.{names["through_pcaet"]} AS key, l.{names["through_action"]} AS action_id
            FROM {names["through"]} l
            UNION
            SELECT {AXIS}, k.axis_key, l.{names["through_action"]}
            FROM {names["through"]} l JOIN axis_keys k ON k.id = l.{names["through_pcaet"]}
            UNION
            SELECT {TOTAL}, 0, l.{names["through_action"]} FROM {names["through"]} l
        ),
        tonnes AS (
            SELECT level, key, SUM(co2) AS co2, SUM(unestimated)::int AS unestimated
            FROM pairs JOIN per_action ON per_action.action_id = pairs.action_id
            GROUP BY level, key
        )
        SELECT counts.level, counts.key, p.axis, planned, doing, done, co2, unestimated
        FROM counts
        JOIN tonnes ON tonnes.level = counts.level AND tonnes.key = counts.key
        LEFT JOIN {names["pcaet"]} p ON counts.level = {AXIS} AND p.id = counts.key
    """  # noqa: S608 — table and column names come from the models, values are parameters
    return sql, {"doing": PlanStatus.IN_PROGRESS, "done": PlanStatus.DONE}


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


def export_table(report):
    """The table of the exports: each axis's lines and its subtotal, then the total (sums in bold)."""
    rows, sums = [], set()
    for group in report.groups:
        for line in group.lines:
            action = line.action
            rows.append((group.axis, action.code, action.title, action.link_count, *_figure_cells(line.figures)))
        sums.add(len(rows))
        rows.append((group.axis, "", f"Sous-total {group.axis}", "", *_figure_cells(group.subtotal)))
    sums.add(len(rows))
    rows.append(("", "", "Total du plan", "", *_figure_cells(report.total)))
    return ExportTable(
        HEADERS,
        tuple(rows),
        sheet_title="Contribution au PCAET",
        widths=(30, 10, 60, 14, 14, 14, 14, 16, 14),
        bold_rows=frozenset(sums),
        freeze="A2",
    )


def _figure_cells(figures):
    co2 = "non estimé" if figures.co2 is None else figures.co2
    return (figures.planned, figures.doing, figures.done, co2, figures.unestimated)
