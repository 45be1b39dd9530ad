"""Adding a toolbox action to an organisation's plan: the entry point of the other pages (toolbox:plan_add)."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import User
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from toolbox.models import PlanItem
from toolbox.plan import AlreadyInPlan, PlanError, add_action_to_plan, plan_organisations

from ..conftest import TERRITORY_A
from .factories import ActionFactory, ActionStepFactory


def make_user(email):
    return User.objects.create_user(email, "Mot-de-passe-42", first_name="Camille", last_name="Roux")


def make_organisation(name, owner):
    organisation = Organisation.objects.create(
        name=name, kind=OrganisationKind.ENTREPRISE, naf_code="10.71C", headcount_band="02", commune="Poitiers"
    )
    Membership.objects.create(user=owner, organisation=organisation, role=MembershipRole.OWNER)
    return organisation


@pytest.fixture
def member(in_a):
    return make_user("camille@example.org")


@pytest.fixture
def organisation(member):
    return make_organisation("Boulangerie du Clain", member)


@pytest.fixture
def action(in_a):
    action = ActionFactory(title="Isoler les combles", main_theme="ENE", promise="Moins de chauffage perdu.")
    ActionStepFactory(action=action, order=2, text="Demander deux devis", url="https://example.org/devis")
    ActionStepFactory(action=action, order=1, text="Faire un diagnostic")
    return action


# Where the view goes without a usable `next`.
PLAN_DEFAULT = "/organisations/{pk}/plan/"


def add_url(organisation, action):
    return f"/organisations/{organisation.pk}/plan/ajouter/{action.pk}/"


def test_adding_an_action_copies_title_theme_and_steps(organisation, action, member):
    item = add_action_to_plan(organisation, action, member)

    item.refresh_from_db()
    assert (item.title, item.theme, item.action, item.created_by) == ("Isoler les combles", "ENE", action, member)
    assert item.description == "Moins de chauffage perdu."
    assert [(s.order, s.text, s.url, s.done_at) for s in item.steps.all()] == [
        (1, "Faire un diagnostic", "", None),
        (2, "Demander deux devis", "https://example.org/devis", None),
    ]


def test_adding_it_twice_says_it_is_already_there_and_keeps_one_item(organisation, action, member):
    add_action_to_plan(organisation, action, member)

    with pytest.raises(AlreadyInPlan, match="déjà dans votre plan"):
        add_action_to_plan(organisation, action, member)
    assert PlanItem.objects.filter(organisation=organisation).count() == 1
    assert PlanItem.objects.get().steps.count() == 2


def test_a_hidden_action_is_refused_in_french(organisation, action, member):
    action.hidden = True
    action.save()

    with pytest.raises(PlanError, match="n'est plus proposée"):
        add_action_to_plan(organisation, action, member)
    assert not PlanItem.objects.exists()


def test_the_view_adds_and_comes_back_to_the_page_it_was_sent_from(client_a, organisation, action, member):
    client_a.force_login(member)

    response = client_a.post(add_url(organisation, action), {"next": "/boite-a-outils/?theme=ENE"})

    assert response.status_code == 302
    assert response["Location"] == "/boite-a-outils/?theme=ENE"
    assert PlanItem.objects.filter(organisation=organisation, action=action).exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_a_next_elsewhere_is_ignored(client_a, organisation, action, member, next_url):
    client_a.force_login(member)

    response = client_a.post(add_url(organisation, action), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == PLAN_DEFAULT.format(pk=organisation.pk)


def test_the_view_says_already_there_the_second_time(client_a, organisation, action, member):
    client_a.force_login(member)
    client_a.post(add_url(organisation, action))

    response = client_a.post(add_url(organisation, action), follow=True)

    assert "Cette action est déjà dans votre plan d&#x27;actions." in response.content.decode()
    assert PlanItem.objects.count() == 1


def test_the_view_refuses_a_hidden_action_with_a_message(client_a, organisation, action, member):
    action.hidden = True
    action.save()
    client_a.force_login(member)

    response = client_a.post(add_url(organisation, action), follow=True)

    assert "n&#x27;est plus proposée" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_an_outsider_gets_a_404_and_adds_nothing(client_a, organisation, action):
    outsider = make_user("outsider@example.org")
    make_organisation("Menuiserie Voisine", outsider)
    client_a.force_login(outsider)

    assert client_a.post(add_url(organisation, action)).status_code == 404
    assert client_a.get(add_url(organisation, action)).status_code == 405
    assert not PlanItem.objects.exists()


def test_an_action_of_territory_a_cannot_be_added_from_territory_b(client_b, territory_b, organisation, action):
    # B's site knows neither the organisation nor the action of A: a 404, not a 500, nothing written.
    from django.db import connection

    connection.set_tenant(territory_b)
    b_user = make_user("camille@example.org")
    b_org = make_organisation("Boulangerie de B", b_user)
    client_b.force_login(b_user)

    assert client_b.post(f"/organisations/{b_org.pk}/plan/ajouter/{action.pk + 1000}/").status_code == 404
    assert client_b.post(add_url(organisation, action)).status_code == 404
    connection.set_tenant(territory_b)
    assert not PlanItem.objects.exists()


def _render(user, action, organisations):
    request = RequestFactory().get("/boite-a-outils/", HTTP_HOST=TERRITORY_A.domain)
    request.user = user
    return render_to_string(
        "toolbox/includes/add_to_plan.html", {"action": action, "organisations": organisations}, request=request
    )


def test_the_include_offers_one_button_for_one_organisation(organisation, action, member):
    html = _render(member, action, plan_organisations(member))

    assert html.count("<button") == 1
    assert "Ajouter à mon plan d'actions" in html
    assert f'action="/organisations/{organisation.pk}/plan/ajouter/{action.pk}/"' in html
    assert 'name="next" value="/boite-a-outils/"' in html


def test_the_include_offers_a_button_per_organisation_and_says_where_it_already_is(organisation, action, member):
    second = make_organisation("Atelier du Clain", member)
    Membership.objects.filter(organisation=second).update(role=MembershipRole.MEMBER)
    make_organisation("Pas la mienne", make_user("autre@example.org"))
    add_action_to_plan(organisation, action, member)

    html = _render(member, action, plan_organisations(member))

    assert html.count("<button") == 1
    assert "Ajouter au plan de l&#x27;Atelier du Clain" in html
    assert "Déjà dans votre plan : Boulangerie du Clain" in html
    assert "Pas la mienne" not in html


def test_the_include_says_already_there_for_a_single_organisation(organisation, action, member):
    add_action_to_plan(organisation, action, member)

    html = _render(member, action, plan_organisations(member))

    assert "<button" not in html
    assert "Déjà dans votre plan" in html


def test_plan_organisations_is_one_query_for_a_page_of_actions(organisation, action, member, django_assert_num_queries):
    for other in ActionFactory.create_batch(3):
        add_action_to_plan(organisation, other, member)

    with django_assert_num_queries(1):
        organisations = plan_organisations(member)
        html = _render(member, action, organisations)
    assert "<button" in html
    assert len(organisations[0].planned_action_ids) == 3
