"""Demo action plans for one territory (used by `seed_demo`, after the demo assessments).

Plausible plans built from the national toolbox actions present in the territory: statuses mixed,
some done (with their date and who), some overdue, ticked steps and notes, each action made for its
organisation's kind and size. One action, made for all, is done by six organisations, so that its
page shows the peer proof (« n organisations l'ont réalisée », shown from PEER_PROOF_MINIMUM on).
Idempotent: an organisation that has a plan is left alone.
"""

import random
from datetime import timedelta

from django.utils import timezone

from .constants import PEER_PROOF_MINIMUM
from .enums import Origin, PlanStatus, Priority
from .models import Action, PlanItem, PlanNote
from .plan import ItemFields, add_action_to_plan, create_plan_item, published_themes
from .recommend import made_for

PEERS = PEER_PROOF_MINIMUM + 1
# The national referential's energy theme: the demo's own action is about the workshop's energy use.
ENERGY_THEME = "ENE"
NOTES = [
    "Point fait en réunion d'équipe : on avance.",
    "Devis demandé à deux prestataires.",
    "En attente du retour du propriétaire des locaux.",
    "Premiers résultats encourageants, à partager au prochain atelier.",
    "Reporté après la période de forte activité.",
]


def seed_demo_plans(territory, organisations):
    actions = list(
        Action.objects.filter(origin=Origin.NATIONAL, hidden=False).prefetch_related("steps").order_by("order", "code")
    )
    if not actions:
        return
    peer = _peer_action(actions)
    rng = random.Random(f"plans-{territory.slug}")
    now = timezone.now()
    today = timezone.localdate()
    for index, organisation in enumerate(organisations):
        if PlanItem.objects.filter(organisation=organisation).exists():
            continue
        people = [membership.user for membership in organisation.memberships.select_related("user").order_by("pk")]
        # The peer proof: one action, done by the first PEERS organisations.
        chosen = [peer] if index < PEERS else []
        others = [action for action in actions if action != peer and _suits(action, organisation)]
        chosen += rng.sample(others, min(len(others), rng.randint(2, 5)))
        for position, action in enumerate(chosen):
            item = add_action_to_plan(organisation, action, people[0])
            done = action == peer or rng.random() < 0.25
            _shape(item, people, rng, now, today, done=done, overdue=not done and position % 3 == 1)
        if index == 0:
            create_plan_item(
                organisation,
                people[-1],
                ItemFields(
                    title="Afficher nos consommations d'énergie dans l'atelier",
                    description="Un tableau mis à jour chaque mois, pour que toute l'équipe suive les progrès.",
                    theme=ENERGY_THEME,
                    status=PlanStatus.IN_PROGRESS,
                    owner=people[-1],
                    start_date=today - timedelta(days=20),
                    target_date=today + timedelta(days=40),
                ),
            )


def _peer_action(actions):
    """The action of the peer proof: made for every kind and size, and of the referential's first
    theme (its governance: a referent, a strategy), so that any organisation may well have done it;
    not the first by code (« Faire l'état des lieux de son offre… alimentaire », for a print shop)."""
    rank = {code: index for index, (code, _title) in enumerate(published_themes())}
    for_all = [action for action in actions if not action.organisation_kinds and not action.headcount_bands]
    return min(for_all or actions, key=lambda a: (rank.get(a.main_theme, len(rank)), a.order, a.code))


def _suits(action, organisation):
    """An action made for the organisation's kind and size (empty lists: for all), as the
    recommendations choose them: a bakery's plan holds no action meant for associations."""
    return made_for(action.organisation_kinds, organisation.kind) and made_for(
        action.headcount_bands, organisation.headcount_band
    )


def _shape(item, people, rng, now, today, done, overdue):
    """Give a freshly added item a life: dates, status, owner, steps ticked, a note or two."""
    owner = rng.choice(people)
    item.owner = owner
    item.priority = rng.choice(Priority.values)
    steps = list(item.steps.all())
    if done:
        item.status = PlanStatus.DONE
        item.completed_at = now - timedelta(days=rng.randint(2, 25))
        item.completed_by = owner
        item.target_date = item.completed_at.date() + timedelta(days=rng.randint(0, 20))
        ticked = steps
    elif overdue:
        item.status = PlanStatus.IN_PROGRESS
        item.target_date = today - timedelta(days=rng.randint(5, 45))
        ticked = steps[: len(steps) // 2]
    else:
        item.status = rng.choice([PlanStatus.TODO, PlanStatus.IN_PROGRESS, PlanStatus.PAUSED, PlanStatus.ABANDONED])
        item.target_date = today + timedelta(days=rng.randint(15, 180))
        ticked = steps[:1] if item.status == PlanStatus.IN_PROGRESS else []
    # Started a month or more before its target or today, whichever comes first: an overdue item
    # never starts after its deadline.
    item.start_date = min(today, item.target_date) - timedelta(days=rng.randint(30, 200))
    item.save()
    # Steps ticked and notes written between the start and the completion (or today), in order.
    end = item.completed_at or now
    span = (end.date() - item.start_date).days
    days_before_end = sorted((rng.randint(0, span) for _step in ticked), reverse=True)
    for step, days_before in zip(ticked, days_before_end, strict=True):
        step.done_at, step.done_by = end - timedelta(days=days_before), owner
        step.save(update_fields=["done_at", "done_by"])
    for _index in range(rng.randint(0, 2)):
        PlanNote.objects.create(
            item=item,
            author=rng.choice(people),
            text=rng.choice(NOTES),
            created_at=end - timedelta(days=rng.randint(0, span)),
        )
