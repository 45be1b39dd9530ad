"""What the national pages show, from the stored rows. Pure: plain data in, plain data out."""

from dataclasses import dataclass

from assett.small_groups import is_shown

ALL = ""


@dataclass(frozen=True)
class KeyFigures:
    organisations: int | None
    organisations_assessed: int | None
    assessments_submitted: int | None
    actions_completed: int | None
    average_level: float | None  # None: not collected, or fewer than five organisations assessed
    level_hidden: bool


def key_figures(figures):
    """A territory's stored figures ({} before its first collection) as the back office shows them."""
    count = figures.get("level_count", 0)
    shown = is_shown(count) and count > 0
    return KeyFigures(
        organisations=figures.get("organisations"),
        organisations_assessed=figures.get("organisations_assessed"),
        assessments_submitted=figures.get("assessments_submitted"),
        actions_completed=figures.get("actions_completed"),
        average_level=round(figures["level_sum"] / count, 1) if shown else None,
        level_hidden=count > 0 and not shown,
    )


@dataclass(frozen=True)
class Row:
    theme: str
    title: str
    cells: list  # one (average, organisations) or None per column


def benchmark_table(groups, columns):
    """Rows by theme (overall first, then the referential's order) × `columns` (the kinds, or the EPCI
    kinds, as (epci_kind, organisation_kind) keys), from NationalBenchmark-like objects."""
    by_key = {(g.epci_kind, g.organisation_kind, g.theme): g for g in groups}
    themes = sorted({(g.position, g.theme, g.theme_title) for g in groups})
    rows = []
    for _position, theme, title in themes:
        cells = []
        for epci, kind in columns:
            group = by_key.get((epci, kind, theme))
            cells.append(None if group is None else (float(group.average), group.organisations))
        if any(cells):
            rows.append(Row(theme=theme, title=title, cells=cells))
    return rows


@dataclass(frozen=True)
class Comparison:
    code: str
    title: str
    score: float | None
    national: tuple | None  # (average, organisations) of the same kind nationally, or None (fewer than five)
    similar: tuple | None  # the same in territories of the same kind of EPCI


def comparison(themes, groups, organisation_kind, epci_kind):
    """A participant's scores beside the groups of their kind: `themes` [(code, title, score)] with
    code "" for the overall score; `groups` the NationalBenchmark rows of that kind."""
    by_key = {(g.epci_kind, g.theme): (float(g.average), g.organisations) for g in groups}
    rows = []
    for code, title, score in themes:
        rows.append(
            Comparison(
                code=code,
                title=title,
                score=score,
                national=by_key.get((ALL, code)),
                similar=by_key.get((epci_kind, code)) if epci_kind else None,
            )
        )
    return rows
