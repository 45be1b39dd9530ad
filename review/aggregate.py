"""The programme review's figures, computed from plain data: no database, no Django.

`review/data.py` reads one row per organisation (`OrganisationFacts`) and one per organisation and
theme of the action plans (`PlanRow`); the functions here count, average and apply the small-group
rule (assett/small_groups.py). Everything returned is plain data: the tables (`review/tables.py`)
and the national aggregates (`review/national.py`) are built from it.

What « in the period » means, so that every figure reads the same way:
- registered: the organisation was created in the period;
- started: one of its assessments was started in the period;
- submitted: one was validated in the period; its *latest* one in the period is its maturity;
- re-assessed: it has a validated assessment in the period and an earlier validated one (at any
  date): its progress runs from its *first* validated assessment to its latest in the period;
- with a plan: an action was added to its plan in the period; with a completed action: an action
  of its plan was marked done in the period.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from assett.small_groups import MIN_ORGANISATIONS, hidden_groups, is_shown

OVERALL = ""  # the key of the overall score beside the themes' codes


@dataclass(frozen=True)
class Scores:
    """A validated assessment's stored scores: overall, by theme code (None: not evaluated), level."""

    overall: float | None
    themes: dict = field(default_factory=dict)
    level: int | None = None

    def score(self, code):
        return self.overall if code == OVERALL else self.themes.get(code)


@dataclass(frozen=True)
class OrganisationFacts:
    kind: str
    naf_section: str
    headcount_band: str
    commune: str
    registered: bool = False
    started: bool = False
    latest: Scores | None = None  # its latest validated assessment in the period
    first: Scores | None = None  # its first validated assessment, when earlier than `latest`


@dataclass(frozen=True)
class PlanRow:
    organisation: int
    theme: str
    planned: int  # actions added to the plan in the period
    completed: int  # actions marked done in the period


def mean(values):
    """Rounded to one decimal, as scores are shown; None for no value."""
    values = [value for value in values if value is not None]
    return round(math.fsum(values) / len(values), 1) if values else None


# ---- the funnel -----------------------------------------------------------------------------------

FUNNEL_STEPS = ("registered", "started", "submitted", "reassessed", "with_plan", "with_completed_action")


def funnel(facts, plan_rows):
    """{step: organisations}, in FUNNEL_STEPS order. Counts of the whole territory: shown as they are
    unless below five (the table says « moins de 5 organisations »)."""
    planned = {row.organisation for row in plan_rows if row.planned}
    completed = {row.organisation for row in plan_rows if row.completed}
    return {
        "registered": sum(1 for f in facts if f.registered),
        "started": sum(1 for f in facts if f.started),
        "submitted": sum(1 for f in facts if f.latest is not None),
        "reassessed": sum(1 for f in facts if f.latest is not None and f.first is not None),
        "with_plan": len(planned),
        "with_completed_action": len(completed),
    }


# ---- maturity by group ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """An average and how many organisations it is of; `value` is None when hidden or empty."""

    value: float | None
    organisations: int

    @property
    def hidden(self):
        return not is_shown(self.organisations)


@dataclass(frozen=True)
class Group:
    key: str
    organisations: int
    hidden: bool  # the whole row: fewer than five, or hidden so that no small group can be deduced
    cells: dict  # {OVERALL or theme code: Cell}


def maturity_groups(facts, dimension, theme_codes):
    """Average maturity of the organisations assessed in the period, by `dimension` (an attribute of
    OrganisationFacts, or None for the whole territory), overall and per theme.

    Groups in decreasing size, then by key. A hidden group's cells are all empty; in a shown group, a
    theme scored by fewer than five organisations (the others found it « non concerné ») is empty too.
    """
    assessed = [f for f in facts if f.latest is not None]
    by_key = defaultdict(list)
    for f in assessed:
        by_key[getattr(f, dimension) if dimension else OVERALL].append(f.latest)
    counts = {key: len(scores) for key, scores in by_key.items()}
    hidden = hidden_groups(counts) if dimension else {key for key, n in counts.items() if not is_shown(n)}
    groups = []
    for key in sorted(by_key, key=lambda k: (-counts[k], str(k))):
        scores = by_key[key]
        cells = {}
        for code in (OVERALL, *theme_codes):
            values = [s.score(code) for s in scores if s.score(code) is not None]
            shown = key not in hidden and len(values) >= MIN_ORGANISATIONS
            cells[code] = Cell(value=mean(values) if shown else None, organisations=len(values))
        groups.append(Group(key=key, organisations=counts[key], hidden=key in hidden, cells=cells))
    return groups


# ---- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    code: str  # OVERALL or a theme code
    organisations: int  # re-assessed organisations scored on it both times
    first: float | None
    latest: float | None
    change: float | None  # the mean of each organisation's change (None when hidden)


def progress(facts, theme_codes):
    """Between the first and the latest validated assessment of the organisations re-assessed in the
    period, overall and per theme: only organisations scored on it both times count."""
    pairs = [(f.first, f.latest) for f in facts if f.first is not None and f.latest is not None]
    rows = []
    for code in (OVERALL, *theme_codes):
        both = [(a.score(code), b.score(code)) for a, b in pairs if None not in (a.score(code), b.score(code))]
        if len(both) >= MIN_ORGANISATIONS:
            rows.append(
                Progress(
                    code=code,
                    organisations=len(both),
                    first=mean(a for a, _b in both),
                    latest=mean(b for _a, b in both),
                    change=mean(b - a for a, b in both),
                )
            )
        else:
            rows.append(Progress(code=code, organisations=len(both), first=None, latest=None, change=None))
    return rows


# ---- action plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeActions:
    theme: str
    organisations: int  # with an action of this theme planned or completed in the period
    planned: int | None  # None when hidden
    completed: int | None  # None when hidden: done by 1 to 4 organisations
    completing_organisations: int | None


def actions_by_theme(plan_rows, theme_codes):
    """Actions planned and completed in the period, per theme (the referential's order, then the
    other codes found, « » for actions without a theme last). A theme whose actions come from fewer
    than five organisations shows no figure: three actions of one organisation are its plan."""
    organisations = defaultdict(set)
    completing = defaultdict(set)
    planned = defaultdict(int)
    completed = defaultdict(int)
    for row in plan_rows:
        organisations[row.theme].add(row.organisation)
        planned[row.theme] += row.planned
        completed[row.theme] += row.completed
        if row.completed:
            completing[row.theme].add(row.organisation)
    extra = sorted(code for code in organisations if code not in theme_codes and code)
    order = [*theme_codes, *extra, *([""] if "" in organisations else [])]
    rows = []
    for code in order:
        count, doing = len(organisations[code]), len(completing[code])
        shown = is_shown(count)
        done_shown = shown and is_shown(doing)
        rows.append(
            ThemeActions(
                theme=code,
                organisations=count,
                planned=planned[code] if shown else None,
                completed=completed[code] if done_shown else None,
                completing_organisations=doing if done_shown else None,
            )
        )
    return rows
