"""Revisions of what cached fragments show (assett/fragments.py), kept by the database (toolbox_revision).

Triggers write them in the transaction of every write that changes what the fragment shows (migration
0005): `plan_revision` moves with an organisation's plan items and steps and the names of the people
they name, `toolbox_revision` with the toolbox's actions, their steps and schemes. Read before what the
fragment shows, so that a change committed in between is at worst kept under the older revision,
which is never read again.
"""

from .models import Revision

NEVER = "never"  # nothing was ever written: an empty plan, a toolbox without actions


def _revision(key):
    changed_at = Revision.objects.filter(key=key).values_list("changed_at", flat=True).first()
    return changed_at.isoformat() if changed_at else NEVER


def plan_revision(organisation_pk):
    return _revision(f"plan:{organisation_pk}")


def toolbox_revision():
    return _revision("toolbox")
