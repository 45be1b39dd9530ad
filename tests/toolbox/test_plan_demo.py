"""The demo plans: plausible, varied, enough organisations on one action for its peer proof, idempotent."""

from collections import Counter

from django.utils import timezone

from organisations.demo import seed_organisations
from toolbox.constants import PEER_PROOF_MINIMUM
from toolbox.demo import seed_demo_plans
from toolbox.enums import Origin, PlanStatus
from toolbox.models import Action, PlanItem, PlanNote, PlanStep
from toolbox.plan import published_themes

from .factories import ActionFactory, ActionStepFactory


def test_demo_plans_are_varied_and_show_the_peer_proof(in_a):
    # Test territories hold the national toolbox; a few more national actions with steps in case it is small.
    for action in ActionFactory.create_batch(3, origin=Origin.NATIONAL):
        ActionStepFactory.create_batch(3, action=action)
    ActionFactory(origin=Origin.LOCAL, code="LOCALE")  # only national actions are used
    organisations = seed_organisations(in_a, "Mot-de-passe-42")

    seed_demo_plans(in_a, organisations)

    items = list(PlanItem.objects.select_related("completed_by", "action", "organisation"))
    done_by_action = Counter(item.action_id for item in items if item.status == PlanStatus.DONE)
    assert max(done_by_action.values()) >= PEER_PROOF_MINIMUM
    # Done by organisations of every kind: an action made for all, from the referential's first theme.
    peer = Action.objects.get(pk=max(done_by_action, key=done_by_action.get))
    assert (peer.organisation_kinds, peer.headcount_bands) == ([], [])
    assert peer.main_theme == published_themes()[0][0]
    assert not PlanItem.objects.filter(action__code="LOCALE").exists()
    for item in items:
        if item.status == PlanStatus.DONE:
            assert item.completed_at and item.completed_by
            assert item.organisation.memberships.filter(user=item.completed_by).exists()
        else:
            assert item.completed_at is None
    assert sum(item.is_overdue() for item in items) >= 2
    assert len({item.status for item in items}) >= 3
    assert PlanItem.objects.filter(action=None).exists()
    assert PlanNote.objects.exists() and PlanStep.objects.exclude(done_at=None).exists()
    for item in items:
        # A life in order: started before its deadline, steps ticked and notes written between the
        # start and the completion (or now), the steps in their order.
        assert item.start_date <= item.target_date
        end = timezone.localdate(item.completed_at or timezone.now())
        ticked = [step.done_at for step in item.steps.exclude(done_at=None).order_by("order")]
        assert ticked == sorted(ticked)
        for moment in [*ticked, *item.notes.values_list("created_at", flat=True)]:
            assert item.start_date <= timezone.localdate(moment) <= end

    for item in items:
        # Made for the organisation: no action meant for associations in a bakery's plan.
        if item.action is not None:
            assert not item.action.organisation_kinds or item.organisation.kind in item.action.organisation_kinds
            assert not item.action.headcount_bands or item.organisation.headcount_band in item.action.headcount_bands

    count = len(items)
    seed_demo_plans(in_a, organisations)
    assert PlanItem.objects.count() == count


def test_without_national_actions_there_is_no_demo_plan(in_a):
    Action.objects.filter(origin=Origin.NATIONAL).update(hidden=True)  # hidden ones are not offered either
    seed_demo_plans(in_a, seed_organisations(in_a, "Mot-de-passe-42"))
    assert not PlanItem.objects.exists()
