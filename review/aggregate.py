"""The programme review's figures, computed from plain data: no database, no Django.

`review/data.py` has PostgreSQL add up what a big territory holds (counts and sums of scores by
group, theme and step: a few hundred rows, whatever the number of organisations) and reads one row
per organisation and theme of the action plans (`PlanRow`); the functions here average, count and
apply the small-group rule (assett/small_groups.py). `group_sums`, `progress_sums` and
`participation` compute the same sums from one `OrganisationFacts` per organisation: they are the
definition the SQL is tested against (tests/review/test_data.py). Everything returned is plain
data: the tables (`review/builtin.py`) and the national aggregates (`review/national.py`) are built
from it.

What « in the period » means, so that every figure reads the same way:
- registered: the organisation was created in the period;
- started: one of its assessments was started in the period;
- submitted: one was validated in the period; its *latest* one in the period is its maturity;
- re-assessed: it has a validated assessment in the period and an earlier validated one (at any
  date): its progress runs from its *first* validated assessment to its latest in the period;
- with a plan: an action was added to its plan in the period; with a completed action: an action
  of its plan was marked done in the period.
"""

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


# ---- the funnel -----------------------------------------------------------------------------------

FUNNEL_STEPS = ("registered", "started", "submitted", "reassessed", "with_plan", "with_completed_action")


@dataclass(frozen=True)
class Participation:
    """The organisations' counts of the funnel's first four steps (review/data.py reads them in SQL)."""

    registered: int = 0
    started: int = 0
    submitted: int = 0
    reassessed: int = 0


def participation(facts):
    """Pure: what review/data.participation() counts in SQL, from OrganisationFacts (tests, reference)."""
    return Participation(
        registered=sum(1 for f in facts if f.registered),
        started=sum(1 for f in facts if f.started),
        submitted=sum(1 for f in facts if f.latest is not None),
        reassessed=sum(1 for f in facts if f.latest is not None and f.first is not None),
    )


def funnel(counts, plan_rows):
    """{step: organisations}, in FUNNEL_STEPS order, from a Participation and the PlanRows."""
    return {
        "registered": counts.registered,
        "started": counts.started,
        "submitted": counts.submitted,
        "reassessed": counts.reassessed,
        "with_plan": len({row.organisation for row in plan_rows if row.planned}),
        "with_completed_action": len({row.organisation for row in plan_rows if row.completed}),
    }


# ---- maturity by group ----------------------------------------------------------------------------

ORGANISATIONS = "*"  # in a group's sums, the key of how many organisations it has


def group_sums(facts, dimension):
    """Pure: {group key: {ORGANISATIONS: n, OVERALL or code: (organisations scored, sum of scores)}} of
    the organisations assessed in the period, by `dimension` (an attribute of OrganisationFacts, or
    None for one group, OVERALL). review/data.maturity_sums() computes the same in SQL."""
    sums = {}
    for fact in facts:
        if fact.latest is None:
            continue
        key = getattr(fact, dimension) if dimension else OVERALL
        group = sums.setdefault(key, {ORGANISATIONS: 0})
        group[ORGANISATIONS] += 1
        for code, score in ((OVERALL, fact.latest.overall), *fact.latest.themes.items()):
            if score is not None:
                count, total = group.get(code, (0, 0.0))
                group[code] = (count + 1, total + score)
    return sums


@dataclass(frozen=True)
class Cell:
    """An average and how many organisations it is of; `value` is None when hidden or empty."""

    value: float | None
    organisations: int

    @property
    def hidden(self):
        return self.value is None and self.organisations > 0


@dataclass(frozen=True)
class Group:
    key: str
    organisations: int
    hidden: bool  # the whole row: fewer than five, or hidden so that no small group can be deduced
    cells: dict  # {OVERALL or theme code: Cell}


def _average(count, total):
    return round(total / count, 1)


def maturity_groups(sums, theme_codes, *, breakdown=True):
    """Average maturity per group (`sums`: group_sums' shape), overall and per theme.

    `breakdown`: the groups are the parts of the whole territory (a kind, a NAF section…), so the
    small-group rule hides enough of them that none can be worked out by difference; otherwise
    (one group, the territory) only a group under five is hidden. Groups in decreasing size, then
    by key. A hidden group's cells are all empty; in a shown group, a theme scored by fewer than
    five organisations (the others found it « non concerné ») is empty too.
    """
    counts = {key: group[ORGANISATIONS] for key, group in sums.items()}
    hidden = hidden_groups(counts) if breakdown else {key for key, n in counts.items() if not is_shown(n)}
    # The same rule per theme: a theme's averages of the groups add up to its overall average too, so
    # a cell of 1 to 4 organisations takes the smallest other cell of its column with it.
    hidden_cells = {}
    for code in (OVERALL, *theme_codes):
        scored = {key: sums[key].get(code, (0, 0.0))[0] for key in sums}
        if breakdown:
            hidden_cells[code] = hidden_groups(scored, already=hidden)
        else:
            hidden_cells[code] = hidden | {key for key, n in scored.items() if not is_shown(n)}
    groups = []
    for key in sorted(sums, key=lambda k: (-counts[k], str(k))):
        cells = {}
        for code in (OVERALL, *theme_codes):
            count, total = sums[key].get(code, (0, 0.0))
            shown = key not in hidden_cells[code] and count >= MIN_ORGANISATIONS
            cells[code] = Cell(value=_average(count, total) if shown else None, organisations=count)
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


def progress_sums(facts):
    """Pure: {OVERALL or code: (organisations scored both times, sum of first scores, sum of latest)}
    of the organisations re-assessed in the period. review/data.participation() computes it in SQL."""
    sums = {}
    for fact in facts:
        if fact.first is None or fact.latest is None:
            continue
        for code in {OVERALL, *fact.latest.themes}:
            before, after = fact.first.score(code), fact.latest.score(code)
            if before is not None and after is not None:
                count, first, latest = sums.get(code, (0, 0.0, 0.0))
                sums[code] = (count + 1, first + before, latest + after)
    return sums


def progress(sums, theme_codes):
    """Between the first and the latest validated assessment of the organisations re-assessed in the
    period, overall and per theme: only organisations scored on it both times count."""
    rows = []
    for code in (OVERALL, *theme_codes):
        count, first, latest = sums.get(code, (0, 0.0, 0.0))
        if count >= MIN_ORGANISATIONS:
            before, after = _average(count, first), _average(count, latest)
            rows.append(Progress(code, count, before, after, _average(count, latest - first)))
        else:
            rows.append(Progress(code=code, organisations=count, first=None, latest=None, change=None))
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
