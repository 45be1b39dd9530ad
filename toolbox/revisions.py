"""Revisions of what the toolbox's cached fragments show (assett/fragments.py), kept by the database.

`plan_revision`: when the organisation's plan last changed (items, steps, the names of the people
they name), from toolbox_planrevision, which triggers write in the transaction of every such write
(migration 0005). Read before the plan itself, so that a plan committed in between is at worst
kept under the older revision, which is never read again.
"""

from .models import PlanRevision

NEVER = "never"  # no plan item was ever written: the plan is empty


def plan_revision(organisation_pk):
    changed_at = (
        PlanRevision.objects.filter(organisation_id=organisation_pk).values_list("changed_at", flat=True).first()
    )
    return changed_at.isoformat() if changed_at else NEVER
