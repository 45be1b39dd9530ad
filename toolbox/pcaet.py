"""The territory's climate plan (PCAET): importing its actions, linking them to the toolbox.

An import is all or nothing. The file is read and checked first (toolbox/pcaet_file.py), then
`plan_import` says what it would do, then `import_pcaet` does it in one transaction:

- a code already in the plan keeps its row (and so its links to the toolbox): its title, axis and
  place in the plan are updated;
- a new code is added;
- a code no longer in the file is kept unless staff chose to remove the missing actions: a
  removed action loses its links to the toolbox, which staff may have spent time on, so
  removal is never the silent default (the confirmation page lists them with their links).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .models import Action, PcaetAction, PcaetProgramme


class PcaetError(Exception):
    """A refusal of the PCAET services, in French, for the page to show."""


@dataclass(frozen=True)
class ImportPlan:
    added: list  # codes new to the plan
    updated: list  # codes whose title, axis or place changes
    unchanged: list
    missing: list  # PcaetAction rows no longer in the file, annotated with link_count


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    removed: int
    kept: int


def current_programme():
    """The territory's one PcaetProgramme row, or None before the first import."""
    return PcaetProgramme.objects.select_related("imported_by").order_by("pk").first()


def pcaet_actions():
    """The plan's actions in its order, each with `link_count`, its number of linked toolbox actions."""
    return PcaetAction.objects.annotate(link_count=Count("toolbox_actions")).order_by("order", "code")


def plan_import(rows):
    """What importing `rows` (PcaetRow) would change, compared with the plan as it is now."""
    existing = {action.code: action for action in pcaet_actions()}
    added, updated, unchanged = [], [], []
    for order, row in enumerate(rows, start=1):
        action = existing.pop(row.code, None)
        if action is None:
            added.append(row.code)
        elif (action.title, action.axis, action.order) != (row.title, row.axis, order):
            updated.append(row.code)
        else:
            unchanged.append(row.code)
    missing = sorted(existing.values(), key=lambda action: (action.order, action.code))
    return ImportPlan(added=added, updated=updated, unchanged=unchanged, missing=missing)


@transaction.atomic
def import_pcaet(rows, *, title, note="", user=None, remove_missing=False):
    """Replace the plan's content by `rows`, in their order; see the module's docstring for the rules."""
    title = (title or "").strip()
    if not title:
        raise PcaetError("L'intitulé du programme est obligatoire.")
    if not rows:
        raise PcaetError("Le fichier ne contient aucune action.")
    codes = [row.code for row in rows]
    if len(set(codes)) != len(codes):
        raise PcaetError("Le fichier contient deux fois le même code.")
    _lock_imports()
    programme = current_programme()
    existing = {action.code: action for action in PcaetAction.objects.all()}
    added, changed, updated, unchanged = [], [], 0, 0
    for order, row in enumerate(rows, start=1):
        action = existing.pop(row.code, None)
        if action is None:
            added.append(PcaetAction(code=row.code, title=row.title, axis=row.axis, order=order))
        elif (action.title, action.axis, action.order) != (row.title, row.axis, order):
            action.title, action.axis, action.order = row.title, row.axis, order
            changed.append(action)
            updated += 1
        else:
            unchanged += 1
    missing = sorted(existing.values(), key=lambda action: (action.order, action.code))
    if remove_missing:
        PcaetAction.objects.filter(pk__in=[action.pk for action in missing]).delete()
    else:
        # Kept, after the imported actions, in their former order.
        for offset, action in enumerate(missing, start=len(rows) + 1):
            if action.order != offset:
                action.order = offset
                changed.append(action)
    PcaetAction.objects.bulk_create(added)
    PcaetAction.objects.bulk_update(changed, ["title", "axis", "order"])
    if programme is None:
        programme = PcaetProgramme()
    programme.title, programme.note = title, (note or "").strip()
    programme.imported_at, programme.imported_by = timezone.now(), user
    programme.save()
    return ImportResult(
        added=len(added),
        updated=updated,
        unchanged=unchanged,
        removed=len(missing) if remove_missing else 0,
        kept=0 if remove_missing else len(missing),
    )


def _lock_imports():
    """One import at a time in a territory: a second waits for the first, then compares with what it wrote.

    A row lock would not do for the first import, which has no row to lock yet: two would both
    create the programme and collide on the codes. The advisory lock, keyed by the schema, is held
    until the transaction ends.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.pcaet_import'))")


@transaction.atomic
def set_pcaet_links(pcaet_action, actions):
    """The toolbox actions that serve `pcaet_action`, replacing the previous ones."""
    actions = list(actions)
    if any(not isinstance(action, Action) or action.pk is None for action in actions):
        raise PcaetError("Seules des actions de la boîte à outils du territoire peuvent être liées.")
    pcaet_action.toolbox_actions.set(actions)
