"""Revisions of what cached fragments show (assett/fragments.py), kept by the database (toolbox_revision).

Triggers write them in the transaction of every write that changes what the fragment shows (migrations
0005, 0006): `plan_revision` moves with an organisation's plan items and steps and the names of the
people they name, `toolbox_revision` with the toolbox's actions, their steps, schemes and question
links. Read before what the fragment shows, so that a change committed in between is at worst kept
under the older revision, which is never read again.
"""

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from organisations.models import Organisation

from .models import Revision

NEVER = "never"  # nothing was ever written: an empty plan, a toolbox without actions


def _revision(key):
    changed_at = Revision.objects.filter(key=key).values_list("changed_at", flat=True).first()
    return changed_at.isoformat() if changed_at else NEVER


def plan_revision(organisation_pk):
    return _revision(f"plan:{organisation_pk}")


def toolbox_revision():
    return _revision("toolbox")


def member_plans(user):
    """(pk, name, plan revision) of each of the user's organisations, in one query: all that the
    « ajouter à mon plan » buttons of a page show (toolbox/plan.py plan_organisations), for a key."""
    if not user.is_authenticated:
        return []
    key = Concat(Value("plan:"), Cast(OuterRef("pk"), CharField()))
    return list(
        Organisation.objects.filter(memberships__user=user)
        .annotate(revision=Subquery(Revision.objects.filter(key=key).values("changed_at")[:1]))
        .order_by("name", "pk")
        .values_list("pk", "name", "revision")
    )
