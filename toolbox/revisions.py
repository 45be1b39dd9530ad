"""Revisions of what cached fragments show (assett/fragments.py), kept by the database (toolbox_revision).

Triggers write them in the transaction of every write that changes what the fragment shows (migrations
0005 to 0007): an organisation's plan moves with its items and steps and the names of the people they
name, its completions with its items that are or were « réalisée », the toolbox with its actions, their
steps, schemes and question links. Read before what the fragment shows, so that a change committed in
between is at worst kept under the older revision, which is never read again.
"""

from .models import Revision

NEVER = "never"  # nothing was ever written: an empty plan, a toolbox without actions


def revisions(*keys):
    """The revisions of `keys` (plan_key, completions_key, TOOLBOX), in their order, in one query."""
    found = dict(Revision.objects.filter(key__in=keys).values_list("key", "changed_at"))
    return tuple(found[key].isoformat() if key in found else NEVER for key in keys)


def plan_key(organisation_pk):
    return f"plan:{organisation_pk}"


def completions_key(organisation_pk):
    """Moves with the plan's items that are or were « réalisée » only (migration 0007)."""
    return f"done:{organisation_pk}"


TOOLBOX = "toolbox"


def plan_revision(organisation_pk):
    return revisions(plan_key(organisation_pk))[0]


def toolbox_revision():
    return revisions(TOOLBOX)[0]
