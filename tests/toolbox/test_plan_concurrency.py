"""Two members adding the same action at the same moment: one plan item, and « déjà dans votre plan » for the other."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import User
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from tests.threads import in_own_connection
from toolbox.models import Action, PlanItem
from toolbox.plan import AlreadyInPlan, add_action_to_plan

from .factories import ActionFactory, ActionStepFactory

EMAILS = ["race-1@example.org", "race-2@example.org"]


def _seed():
    organisation = Organisation.objects.create(
        name="Course", kind=OrganisationKind.ENTREPRISE, headcount_band="02", commune="Poitiers"
    )
    users = [User.objects.create_user(email, "Mot-de-passe-42") for email in EMAILS]
    for user in users:
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    action = ActionFactory(code="RACE-01")
    ActionStepFactory(action=action)
    return organisation.pk, [user.pk for user in users], action.pk


def _cleanup():
    PlanItem.objects.filter(action__code="RACE-01").delete()
    Action.objects.filter(code="RACE-01").delete()
    Organisation.objects.filter(name="Course").delete()
    User.objects.filter(email__in=EMAILS).delete()


@pytest.fixture
def committed(db, territory_a):
    in_own_connection(territory=territory_a, func=_cleanup)
    yield in_own_connection(territory=territory_a, func=_seed)
    in_own_connection(territory=territory_a, func=_cleanup)


def test_two_members_adding_the_same_action_at_once_create_one_item(committed, territory_a):
    organisation_pk, user_pks, action_pk = committed
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def add(index):
        try:
            connection.set_tenant(territory_a)
            organisation = Organisation.objects.get(pk=organisation_pk)
            action = Action.objects.get(pk=action_pk)
            user = User.objects.get(pk=user_pks[index])
            barrier.wait(timeout=10)
            outcomes[index] = add_action_to_plan(organisation, action, user)
        except Exception as error:  # noqa: BLE001 - the test inspects what each call raised
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyInPlan", "PlanItem"], outcomes
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, AlreadyInPlan)]
    assert "déjà dans votre plan" in str(refused)
    counts = in_own_connection(
        territory=territory_a,
        func=lambda: (
            PlanItem.objects.filter(organisation_id=organisation_pk).count(),
            PlanItem.objects.get(organisation_id=organisation_pk).steps.count(),
        ),
    )
    assert counts == (1, 1)
