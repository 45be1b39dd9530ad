"""Nobody but the organisation's members sees or changes its plan: not another organisation (even with
its own organisation's id in the URL), not another territory, not an anonymous visitor. A 404 (or the
login page), never a 500, and nothing changed."""

import pytest
from django.db import connection

from organisations.models import Organisation
from toolbox.enums import PlanStatus
from toolbox.models import Action, PlanItem, PlanNote, PlanStep

from ..same_ids import align_next_ids
from .factories import (
    ActionFactory,
    OrganisationFactory,
    PlanItemFactory,
    PlanNoteFactory,
    PlanStepFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def _plan(title):
    owner = UserFactory()
    organisation = OrganisationFactory(name=f"Organisation {title}", members=[owner])
    action = ActionFactory(code="ISO-01")
    item = PlanItemFactory(organisation=organisation, title=title, theme="ENE")
    step = PlanStepFactory(item=item, text=f"Étape {title}")
    PlanNoteFactory(item=item, author=owner, text=f"Note {title}")
    return {"owner": owner, "organisation": organisation, "item": item, "step": step, "action": action}


@pytest.fixture
def victim(in_a, territory_a, territory_b):
    """A's plan, and B's with the same ids for organisation, item, step and action: a page of B that shows
    B's own row proves that B's schema served it."""
    align_next_ids([Organisation, PlanItem, PlanStep, PlanNote, Action], territory_a, territory_b)
    connection.set_tenant(territory_b)
    theirs = _plan("Plan de B")
    connection.set_tenant(territory_a)
    ours = _plan("Plan de A")
    assert (ours["item"].pk, ours["organisation"].pk) == (theirs["item"].pk, theirs["organisation"].pk)
    return ours


def attempts(org_pk, item_pk, step_pk, action_pk):
    base = f"/organisations/{org_pk}/plan/"
    item = f"{base}{item_pk}/"
    change = {"title": "Pris", "theme": "ENE", "status": "done", "priority": "high"}
    return [
        ("get", base, {}, {}),
        ("get", base + "nouvelle/", {}, {}),
        ("post", base + "nouvelle/", change, {}),
        ("get", base + "export.csv", {}, {}),
        ("get", base + "export.xlsx", {}, {}),
        ("post", f"{base}ajouter/{action_pk}/", {}, {}),
        ("get", item, {}, {}),
        ("post", item, change, {}),
        ("get", item + "supprimer/", {}, {}),
        ("post", item + "supprimer/", {"confirm": "on"}, {}),
        ("post", item + "etapes/", {"etape-text": "Intrusion"}, {}),
        ("post", f"{item}etapes/{step_pk}/", {"done": "1"}, {}),
        ("post", f"{item}etapes/{step_pk}/", {"done": "1"}, HTMX),
        ("post", item + "notes/", {"note-text": "Intrusion"}, {}),
    ]


def victim_attempts(victim):
    return attempts(victim["organisation"].pk, victim["item"].pk, victim["step"].pk, victim["action"].pk)


def assert_nothing_changed(victim):
    item = PlanItem.objects.get(pk=victim["item"].pk)
    assert (item.title, item.status, item.completed_at) == ("Plan de A", PlanStatus.TODO, None)
    assert list(item.steps.values_list("text", "done_at")) == [("Étape Plan de A", None)]
    assert list(item.notes.values_list("text", flat=True)) == ["Note Plan de A"]
    assert PlanItem.objects.filter(organisation=victim["organisation"]).count() == 1


def test_a_member_of_another_organisation_gets_404_everywhere(client_a, victim):
    outsider = UserFactory()
    OrganisationFactory(members=[outsider])
    client_a.force_login(outsider)

    for method, url, data, headers in victim_attempts(victim):
        response = getattr(client_a, method)(url, data, **headers)
        assert response.status_code == 404, (method, url, headers, response.status_code)

    assert_nothing_changed(victim)


def test_an_item_under_ones_own_organisation_id_is_still_404(client_a, victim):
    """The URL's organisation is the outsider's own: the item id of A's plan must not resolve through it."""
    outsider = UserFactory()
    own = OrganisationFactory(members=[outsider])
    PlanItemFactory(organisation=own, title="À moi")
    client_a.force_login(outsider)

    for method, url, data, headers in attempts(own.pk, victim["item"].pk, victim["step"].pk, victim["action"].pk):
        if not url.startswith(f"/organisations/{own.pk}/plan/{victim['item'].pk}/"):
            continue  # the organisation's own pages: theirs to use
        response = getattr(client_a, method)(url, data, **headers)
        assert response.status_code == 404, (method, url, headers)

    assert_nothing_changed(victim)


def test_ones_own_plan_page_and_exports_list_none_of_another_organisation_s_items(client_a, victim):
    """The plan's items are read by organisation (toolbox/views/plan.py): another plan of the territory,
    with the same theme and a step, never shows in the page, its progress or the exports."""
    member = UserFactory()
    own = OrganisationFactory(members=[member])
    PlanItemFactory(organisation=own, title="À moi", theme="ENE")
    client_a.force_login(member)
    base = f"/organisations/{own.pk}/plan/"

    page = client_a.get(base).content.decode()
    assert "À moi" in page and "Plan de A" not in page
    assert 'max="1" value="0"' in page  # the theme's progress counts one item: their own
    assert "Plan de A" not in client_a.get(base + "export.csv").content.decode("utf-8-sig")


def test_a_step_of_another_item_is_404_even_within_the_organisation(client_a, victim):
    other_item = PlanItemFactory(organisation=victim["organisation"], title="Autre")
    client_a.force_login(victim["owner"])

    url = f"/organisations/{victim['organisation'].pk}/plan/{other_item.pk}/etapes/{victim['step'].pk}/"
    assert client_a.post(url, {"done": "1"}).status_code == 404
    assert PlanStep.objects.get(pk=victim["step"].pk).done_at is None


def test_territory_b_shows_its_own_plan_under_the_same_ids(client_b, territory_b, victim):
    connection.set_tenant(territory_b)
    b_owner = Organisation.objects.get(pk=victim["organisation"].pk).memberships.get().user
    client_b.force_login(b_owner)
    base = f"/organisations/{victim['organisation'].pk}/plan/"

    html = client_b.get(base).content.decode() + client_b.get(f"{base}{victim['item'].pk}/").content.decode()
    assert "Plan de B" in html and "Plan de A" not in html
    assert "Plan de A" not in client_b.get(base + "export.csv").content.decode("utf-8-sig")

    connection.set_tenant(territory_b)
    assert client_b.get(f"{base}{victim['item'].pk + 1}/").status_code == 404
    connection.set_tenant(territory_b)
    assert PlanItem.objects.get().title == "Plan de B"


def test_a_cookie_of_territory_a_is_anonymous_on_b(client_a, client_b, victim):
    client_a.force_login(victim["owner"])
    client_b.cookies = client_a.cookies

    for method, url, data, headers in victim_attempts(victim):
        response = getattr(client_b, method)(url, data, **headers)
        location = response.get("HX-Redirect") if headers else response.get("Location")
        assert response.status_code in (302, 401) and location.startswith("/comptes/login/"), (method, url)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client_a, victim):
    for method, url, data, headers in victim_attempts(victim):
        response = getattr(client_a, method)(url, data, **headers)
        if headers:
            # htmx would swap a followed redirect into the step: it is told to go to the login page instead.
            assert response.status_code == 401 and response["HX-Redirect"].startswith("/comptes/login/"), url
        else:
            assert response.status_code == 302 and response["Location"].startswith("/comptes/login/"), (method, url)

    assert_nothing_changed(victim)
