"""The plan page is kept rendered in the cache until the plan changes (toolbox/views/plan.py): its revision
(toolbox_revision, written by triggers) moves on with every write, whatever path makes it, and a page
viewed after a change shows the change. A cached plan is never served to another territory."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from organisations.models import Organisation
from toolbox.enums import PlanStatus
from toolbox.models import PlanItem, PlanStep, Revision
from toolbox.plan import ItemFields, create_plan_item, delete_plan_item, set_step_done
from toolbox.revisions import NEVER, completions_key, plan_revision, revisions

from ..same_ids import align_next_ids
from .factories import OrganisationFactory, PlanItemFactory, PlanStepFactory, UserFactory


@pytest.fixture
def owner(in_a):
    return UserFactory(email="camille@example.org", first_name="Camille", last_name="Roux")


@pytest.fixture
def organisation(owner):
    return OrganisationFactory(name="Boulangerie du Clain", members=[owner])


def plan_page(client, organisation):
    response = client.get(f"/organisations/{organisation.pk}/plan/")
    assert response.status_code == 200
    return response.content.decode()


def moves(organisation, change):
    """Whether `change()` gives the organisation's plan a new, later revision."""
    before = plan_revision(organisation.pk)
    change()
    after = plan_revision(organisation.pk)
    return after != before and (before == NEVER or after > before)


# --- The revision ----------------------------------------------------------------------------------


def test_a_plan_never_written_has_no_revision_and_its_first_item_gives_one(organisation):
    assert plan_revision(organisation.pk) == NEVER
    PlanItemFactory(organisation=organisation)
    assert plan_revision(organisation.pk) != NEVER


def test_every_write_of_an_item_moves_the_revision_whatever_makes_it(organisation, owner):
    item = PlanItemFactory(organisation=organisation, title="Passer aux LED")

    composter = ItemFields(title="Composter", theme="DEC")
    assert moves(organisation, lambda: create_plan_item(organisation, owner, composter))
    assert moves(organisation, lambda: PlanItem.objects.bulk_create([PlanItem(organisation=organisation, title="A")]))
    assert moves(organisation, lambda: PlanItem.objects.filter(pk=item.pk).update(status=PlanStatus.DONE))
    assert moves(organisation, lambda: delete_plan_item(PlanItem.objects.get(title="Composter")))
    assert moves(organisation, lambda: PlanItem.objects.filter(pk=item.pk).delete())


def test_the_completions_move_with_the_items_that_are_or_were_done_only(organisation, owner):
    """The results page keeps its practice changes under them (migration 0007)."""
    other = OrganisationFactory(members=[UserFactory()])
    item = PlanItemFactory(organisation=organisation, title="Passer aux LED")
    step = PlanStepFactory(item=item)

    def completions_move(change):
        before = revisions(completions_key(organisation.pk))
        change()
        return revisions(completions_key(organisation.pk)) != before

    assert not completions_move(lambda: PlanItemFactory(organisation=organisation))
    assert not completions_move(lambda: PlanItem.objects.filter(pk=item.pk).update(title="Passer aux LED partout"))
    assert not completions_move(lambda: set_step_done(step, owner, True))
    assert completions_move(lambda: PlanItem.objects.filter(pk=item.pk).update(status=PlanStatus.DONE))
    assert completions_move(lambda: PlanItem.objects.filter(pk=item.pk).update(title="Éclairage en LED"))
    assert completions_move(lambda: PlanItem.objects.filter(pk=item.pk).update(status=PlanStatus.IN_PROGRESS))
    assert completions_move(lambda: PlanItemFactory(organisation=organisation, status=PlanStatus.DONE))
    assert completions_move(lambda: PlanItem.objects.filter(organisation=organisation, status=PlanStatus.DONE).delete())
    assert not completions_move(lambda: PlanItemFactory(organisation=other, status=PlanStatus.DONE))


def test_every_write_of_a_step_moves_the_revision(organisation, owner):
    item = PlanItemFactory(organisation=organisation)
    step = PlanStepFactory(item=item)

    assert moves(organisation, lambda: PlanStepFactory(item=item))
    assert moves(organisation, lambda: set_step_done(step, owner, True))
    assert moves(organisation, lambda: PlanStep.objects.filter(pk=step.pk).update(done_at=None))
    assert moves(organisation, lambda: PlanStep.objects.filter(pk=step.pk).delete())


def test_a_renamed_owner_or_finisher_moves_the_plans_naming_them_and_a_login_does_not(organisation, owner):
    elsewhere = OrganisationFactory(members=[UserFactory()])
    PlanItemFactory(organisation=organisation, owner=owner)
    finisher = UserFactory()
    PlanItemFactory(organisation=elsewhere, completed_by=finisher, status=PlanStatus.DONE)
    untouched = plan_revision(elsewhere.pk)

    def rename(user, **names):
        for name, value in names.items():
            setattr(user, name, value)
        user.save()

    assert moves(organisation, lambda: rename(owner, first_name="Camilla"))
    assert moves(organisation, lambda: rename(owner, email="camilla@example.org"))
    assert plan_revision(elsewhere.pk) == untouched
    assert moves(elsewhere, lambda: rename(finisher, last_name="Durand"))
    assert not moves(organisation, lambda: rename(owner, last_login=timezone.now()))


def test_an_organisation_deleted_with_its_plan_leaves_nothing_in_the_way(organisation):
    PlanStepFactory(item=PlanItemFactory(organisation=organisation))

    Organisation.objects.filter(pk=organisation.pk).delete()

    assert not PlanItem.objects.exists()
    Revision.objects.filter(key=f"plan:{organisation.pk}").delete()  # a row left behind may go any time


# --- The page ----------------------------------------------------------------------------------------


def test_the_page_viewed_again_after_each_change_shows_the_change(client_a, organisation, owner):
    client_a.force_login(owner)
    item = PlanItemFactory(organisation=organisation, title="Passer aux LED", owner=owner, theme="ENE")
    step = PlanStepFactory(item=item)
    PlanStepFactory(item=item)
    assert "0/2" in plan_page(client_a, organisation) and "Camille Roux" in plan_page(client_a, organisation)

    set_step_done(step, owner, True)
    assert "1/2" in plan_page(client_a, organisation)

    PlanItem.objects.filter(pk=item.pk).update(title="Passer aux LED partout")
    assert "Passer aux LED partout" in plan_page(client_a, organisation)

    owner.first_name = "Camilla"
    owner.save()
    html = plan_page(client_a, organisation)
    assert "Camilla Roux" in html and "Camille Roux" not in html

    PlanItem.objects.filter(pk=item.pk).delete()
    assert "Votre plan d'actions est vide" in plan_page(client_a, organisation)


def test_an_item_falls_overdue_the_day_after_its_target_date_though_nothing_changed(
    client_a, organisation, owner, monkeypatch
):
    client_a.force_login(owner)
    today = timezone.localdate()
    PlanItemFactory(organisation=organisation, title="Isoler", status=PlanStatus.IN_PROGRESS, target_date=today)
    assert "En retard (1)" not in plan_page(client_a, organisation)

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))

    assert "En retard (1)" in plan_page(client_a, organisation)


def test_each_filter_has_its_own_rendering(client_a, organisation, owner):
    client_a.force_login(owner)
    PlanItemFactory(organisation=organisation, title="Réalisée", status=PlanStatus.DONE)
    PlanItemFactory(organisation=organisation, title="Ouverte", status=PlanStatus.TODO)
    plan_page(client_a, organisation)

    html = client_a.get(f"/organisations/{organisation.pk}/plan/?statut=done").content.decode()

    assert "Réalisée" in html and "Ouverte" not in html


def test_a_cached_plan_is_never_served_to_another_territory_under_the_same_ids_and_revision(
    client_a, client_b, territory_a, territory_b, in_a
):
    """Same organisation id, same revision, same referential, same day: only the territory differs."""
    align_next_ids([Organisation], territory_a, territory_b)
    connection.set_tenant(territory_b)
    b_owner = UserFactory()
    b_organisation = OrganisationFactory(members=[b_owner])
    PlanItemFactory(organisation=b_organisation, title="Plan de B")
    connection.set_tenant(territory_a)
    a_owner = UserFactory()
    a_organisation = OrganisationFactory(members=[a_owner])
    PlanItemFactory(organisation=a_organisation, title="Plan de A")
    assert a_organisation.pk == b_organisation.pk
    changed_at = Revision.objects.get(key=f"plan:{a_organisation.pk}").changed_at
    connection.set_tenant(territory_b)
    Revision.objects.filter(key=f"plan:{b_organisation.pk}").update(changed_at=changed_at)

    connection.set_tenant(territory_a)
    client_a.force_login(a_owner)
    assert "Plan de A" in plan_page(client_a, a_organisation)
    connection.set_tenant(territory_b)
    client_b.force_login(b_owner)
    html = plan_page(client_b, b_organisation)

    assert "Plan de B" in html and "Plan de A" not in html
