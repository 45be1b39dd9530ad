"""The merge of the territories' aggregates into national groups. Pure: plain data in, plain data out.

Each territory sends, for each (organisation kind or "", theme code or ""), how many of its
organisations have a score there and the sum of those scores (review/national.py). Adding them up
gives exact averages, nationally (epci_kind "") and per kind of EPCI.

Then the small-group rule (assett/small_groups.py), in both directions of the table: the kinds of
organisation add up to « every kind », and the kinds of EPCI add up to « national », so a group is
hidden when it has fewer than five organisations, or when it alone would let one be worked out by
difference; hiding in one direction can call for hiding in the other, so the rule runs until
nothing changes.
"""

from collections import defaultdict
from dataclasses import dataclass

from assett.small_groups import hidden_groups, is_shown

ALL = ""


@dataclass(frozen=True)
class Contribution:
    """One territory's aggregates: its EPCI kind ("" when unknown: it counts nationally only)."""

    epci_kind: str
    groups: list  # [(organisation kind or "", theme or "", organisations, score sum)]
    themes: list  # [(code, title)] in the territory's referential's order
    kinds: dict  # {organisation kind: its label}


@dataclass(frozen=True)
class Merged:
    epci_kind: str
    organisation_kind: str
    organisation_kind_label: str
    theme: str
    theme_title: str
    position: int  # the theme's place: its smallest position in the territories' referentials (0: overall)
    organisations: int
    territories: int
    average: float


def merge(contributions):
    """[Contribution] → [Merged] of the groups that may be shown, in a stable order."""
    sums = defaultdict(lambda: [0, 0.0, 0])  # (epci, kind, theme) → [organisations, score sum, territories]
    titles = defaultdict(lambda: defaultdict(int))
    positions = {}
    for contribution in contributions:
        scopes = {ALL, contribution.epci_kind}
        for kind, theme, organisations, total in contribution.groups:
            if not organisations:
                continue
            for scope in scopes:
                cell = sums[scope, kind, theme]
                cell[0] += organisations
                cell[1] += total
                cell[2] += 1
        for position, (code, title) in enumerate(contribution.themes, start=1):
            titles[code][title] += 1
            positions[code] = min(position, positions.get(code, position))
        for code, label in contribution.kinds.items():
            titles["kind", code][label] += 1
    hidden = _hidden(sums)
    merged = []
    for (scope, kind, theme), (organisations, total, territories) in sorted(sums.items()):
        if (scope, kind, theme) in hidden:
            continue
        merged.append(
            Merged(
                epci_kind=scope,
                organisation_kind=kind,
                organisation_kind_label=_most_common(titles["kind", kind]) if kind else "",
                theme=theme,
                theme_title=_most_common(titles[theme]) if theme else "",
                position=positions.get(theme, len(positions) + 1) if theme else 0,
                organisations=organisations,
                territories=territories,
                average=round(total / organisations, 1),
            )
        )
    return merged


def _most_common(labels):
    """The label most territories give a code (ties: the first in alphabetical order); "" for none."""
    return min(labels.items(), key=lambda item: (-item[1], item[0]))[0] if labels else ""


REST = object()  # the organisations of a total that no part of a breakdown holds (territories without a kind)


def _hidden(sums):
    hidden = {key for key, (organisations, _total, _t) in sums.items() if not is_shown(organisations)}
    themes = {theme for _scope, _kind, theme in sums}
    scopes = {scope for scope, _kind, _theme in sums} - {ALL}
    kinds = {kind for _scope, kind, _theme in sums} - {ALL}
    changed = True
    while changed:
        changed = False
        for theme in themes:
            # Kinds of organisation within a scope; then kinds of EPCI within a kind (or all kinds).
            partitions = [([(scope, kind, theme) for kind in kinds], (scope, ALL, theme)) for scope in scopes | {ALL}]
            partitions += [([(scope, kind, theme) for scope in scopes], (ALL, kind, theme)) for kind in kinds | {ALL}]
            for parts, total in partitions:
                if total in hidden or total not in sums:
                    continue
                counts = {key: sums[key][0] for key in parts if key in sums}
                rest = sums[total][0] - sum(counts.values())
                if rest:
                    counts[REST] = rest  # never shown: it counts as hidden
                new = hidden_groups(counts, already={*hidden, REST}) - hidden - {REST}
                if new:
                    hidden |= new
                    changed = True
    return hidden
