"""How the plan page arranges its items: pure functions over plan items, no database.

Items are grouped overdue first (« en retard » is computed from the target date, never stored),
then the other open ones, then those done, then those abandoned; inside a group the highest
priority comes first, then the nearest target date (none last).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from .enums import PlanStatus, Priority

OVERDUE, OPEN, DONE, ABANDONED = "overdue", "open", "done", "abandoned"
GROUP_TITLES = {
    OVERDUE: _("En retard"),
    OPEN: _("À réaliser"),
    DONE: _("Réalisées"),
    ABANDONED: _("Abandonnées"),
}
PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}

# The status filter of the plan page: every status, the open ones, and « en retard ».
FILTER_OPEN, FILTER_OVERDUE = "ouvertes", "en-retard"


def group_of(item, today):
    if item.is_overdue(today):
        return OVERDUE
    if item.status == PlanStatus.DONE:
        return DONE
    if item.status == PlanStatus.ABANDONED:
        return ABANDONED
    return OPEN


def sort_key(item, today):
    return (
        list(GROUP_TITLES).index(group_of(item, today)),
        PRIORITY_RANK.get(item.priority, 1),
        item.target_date is None,
        item.target_date or date.min,
        item.pk or 0,
    )


@dataclass
class Group:
    key: str
    title: str
    items: list = field(default_factory=list)


def grouped(items, today):
    """The non-empty groups, in order, their items sorted."""
    groups = {key: Group(key, title) for key, title in GROUP_TITLES.items()}
    for item in sorted(items, key=lambda item: sort_key(item, today)):
        groups[group_of(item, today)].items.append(item)
    return [group for group in groups.values() if group.items]


def matches(item, status_filter, today):
    """Whether the item passes the page's status filter ("" shows everything)."""
    if not status_filter:
        return True
    if status_filter == FILTER_OVERDUE:
        return item.is_overdue(today)
    if status_filter == FILTER_OPEN:
        return item.is_open
    return item.status == status_filter


# The DSFR badge of each status (the plan page's rows and the item page).
STATUS_BADGES = {
    PlanStatus.TODO: "fr-badge--info",
    PlanStatus.IN_PROGRESS: "fr-badge--info",
    PlanStatus.PAUSED: "fr-badge--warning",
    PlanStatus.DONE: "fr-badge--success",
    PlanStatus.ABANDONED: "",
}


def describe(items, themes, today):
    """Set what the pages and exports show of each item: theme title, « en retard », labels, badge.

    The labels are translated once per call rather than by get_FOO_display() on every row: for a
    plan of 100 items that was a third of the page's time (bench/bench_plan.py).
    """
    titles = dict(themes)
    statuses = {value: str(label) for value, label in PlanStatus.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    for item in items:
        item.theme_title = titles.get(item.theme) or item.theme
        item.overdue = item.is_overdue(today)
        item.status_label = statuses.get(item.status, item.status)
        item.priority_label = priorities.get(item.priority, item.priority)
        item.badge = STATUS_BADGES.get(item.status, "")
    return items


@dataclass(frozen=True)
class ThemeProgress:
    code: str
    title: str
    done: int
    total: int  # abandoned items left out: they will not be done

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0


def theme_progress(items, themes):
    """Done / total per theme, in the referential's order (`themes`: (code, title) pairs); themes
    the referential no longer has come last under their code. Themes without items are left out."""
    counts = {}
    for item in items:
        if item.status == PlanStatus.ABANDONED:
            continue
        done, total = counts.get(item.theme, (0, 0))
        counts[item.theme] = (done + (item.status == PlanStatus.DONE), total + 1)
    titles = dict(themes)
    order = [code for code, _title in themes if code in counts]
    order += sorted(code for code in counts if code not in titles)
    return [ThemeProgress(code, titles.get(code) or code or _("Sans thème"), *counts[code]) for code in order]
