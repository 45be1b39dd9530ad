"""The roles world's plan item (in the owner's organisation `org`) through every plan URL with foreign ids:
the outsider, owner of `other_org`, and territory B's owner get a 404 or their own data, never A's item."""

import pytest
from django.db import connection

from toolbox.models import PlanItem

from .. import roles
from .test_plan_isolation import attempts


@pytest.fixture(scope="module")
def world(territories, django_db_blocker):
    yield from roles.world_fixture(territories, django_db_blocker)


def _ask(world, role, host, method, url, data, headers):
    client = world.client(role, roles.HOSTS[host])
    response = getattr(client, method)(url, data, **headers)
    connection.set_schema_to_public()
    return response


def _item_state(world, territory):
    connection.set_tenant(territory)
    state = PlanItem.objects.filter(pk=world.ids["plan_item"]).values("title", "status", "updated_at").first()
    notes = PlanItem.objects.get(pk=world.ids["plan_item"]).notes.count()
    connection.set_schema_to_public()
    return state, notes


@pytest.mark.parametrize("org", ["org", "other_org"])
def test_the_outsider_gets_404_on_every_plan_url_of_the_item(world, db, territory_a, org):
    before = _item_state(world, territory_a)
    ids = world.ids
    for method, url, data, headers in attempts(ids[org], ids["plan_item"], ids["plan_step"], ids["action"]):
        if org == "other_org" and not url.startswith(f"/organisations/{ids[org]}/plan/{ids['plan_item']}/"):
            continue  # the outsider's own organisation's pages: theirs
        response = _ask(world, "outsider", "a", method, url, data, headers)
        assert response.status_code == 404, (method, url, headers)
    assert _item_state(world, territory_a) == before


def test_territory_b_never_shows_a_plan_item_of_a(world, db, territory_a):
    before = _item_state(world, territory_a)
    ids = world.ids
    for method, url, data, headers in attempts(ids["org"], ids["plan_item"], ids["plan_step"], ids["action"]):
        response = _ask(world, "other_territory", "b", method, url, data, headers)
        assert response.status_code != 500, (method, url)
        body = response.content.decode("utf-8", "replace") if method == "get" else ""
        assert "Isoler les combles" not in body and "Demander un devis" not in body, url
    assert _item_state(world, territory_a) == before
