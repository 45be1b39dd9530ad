"""The toolbox list is kept rendered until the toolbox changes (toolbox/views/browse.py): the `toolbox`
revision (toolbox_revision, written by triggers) moves with every write of an action, a step, a scheme,
a question link or a link between actions and schemes, whatever makes it, and the list viewed again
shows the change. A member's list, which holds their « ajouter à mon plan » forms, is kept per
organisations and plans, and its forms carry each reader's own CSRF token; a cached list is never
served to another territory."""

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assett.fragments import CSRF_PLACEHOLDER
from organisations.models import Membership
from referentiel.services import current_version
from toolbox.enums import SchemeKind
from toolbox.models import Action, ActionQuestion, ActionStep, PlanItem, Revision, Scheme
from toolbox.revisions import toolbox_revision

from .factories import ActionFactory, ActionStepFactory, PlanItemFactory, SchemeFactory, UserFactory
from .test_browse import LIST_URL, no_national_toolbox, organisation  # noqa: F401 (the fixture)


def page(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def moves(change):
    before = toolbox_revision()
    change()
    after = toolbox_revision()
    return after != before and after > before


def test_every_write_of_what_a_card_shows_moves_the_revision_whatever_makes_it(in_a):
    action = ActionFactory(title="Isoler les combles")
    step = ActionStepFactory(action=action)
    scheme = SchemeFactory(kind=SchemeKind.FREE_SUPPORT)

    assert moves(lambda: ActionFactory())
    assert moves(lambda: Action.objects.bulk_create([Action(code="BULK-1", title="En masse", main_theme="ENE")]))
    assert moves(lambda: Action.objects.filter(pk=action.pk).update(hidden=True))
    assert moves(lambda: ActionStep.objects.filter(pk=step.pk).update(text="Autre étape"))
    assert moves(lambda: action.schemes.add(scheme))
    assert moves(lambda: Scheme.objects.filter(pk=scheme.pk).update(valid_until=timezone.localdate()))
    assert moves(lambda: action.schemes.remove(scheme))
    assert moves(lambda: ActionQuestion.objects.create(action=action, question_code="ENE-01", up_to_step=2))
    assert moves(lambda: ActionQuestion.objects.filter(action=action).update(up_to_step=3))
    assert moves(lambda: ActionQuestion.objects.filter(action=action).delete())
    assert moves(lambda: Action.objects.filter(code="BULK-1").delete())


def test_the_list_viewed_again_after_each_change_shows_it(in_a, client_a):
    action = ActionFactory(title="Isoler les combles")
    assert "Isoler les combles" in page(client_a)

    Action.objects.filter(pk=action.pk).update(title="Isoler les combles perdus")
    assert "Isoler les combles perdus" in page(client_a)

    action.schemes.add(SchemeFactory(kind=SchemeKind.FREE_SUPPORT))
    assert "Accompagnement gratuit" in page(client_a)

    ActionStepFactory(action=action, text="Mesurer la laine de roche en place")
    assert "laine" in page(client_a, q="laine de roche")

    Action.objects.filter(pk=action.pk).update(hidden=True)
    assert "Isoler les combles" not in page(client_a)


def test_a_scheme_s_badge_goes_the_day_after_it_expires_though_nothing_changed(in_a, client_a, monkeypatch):
    today = timezone.localdate()
    ActionFactory(title="Isoler les combles").schemes.add(
        SchemeFactory(kind=SchemeKind.FREE_SUPPORT, valid_until=today)
    )
    assert "Accompagnement gratuit" in page(client_a)

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))

    assert "Accompagnement gratuit" not in page(client_a)


def test_each_query_string_has_its_own_list(in_a, client_a):
    ActionFactory(title="Isoler les combles", main_theme="ENE")
    ActionFactory(title="Composter les biodéchets", main_theme="DEC")
    page(client_a)

    html = page(client_a, theme="DEC")

    assert "Composter" in html and "Isoler" not in html
    assert "Isoler" not in page(client_a, q="compost")


def member_of(*organisations):
    member = UserFactory()
    for organisation_ in organisations:
        Membership.objects.create(user=member, organisation=organisation_)
    return member


def test_a_member_s_list_holds_their_plan_forms_and_a_visitor_s_none(in_a, client_a):
    ActionFactory(title="Isoler les combles")
    member = member_of(organisation("du membre"))
    visitor = Client(HTTP_HOST=client_a.defaults["HTTP_HOST"])
    assert "csrfmiddlewaretoken" not in page(visitor)

    client_a.force_login(member)
    mine = page(client_a)
    assert "Ajouter à mon plan d'actions" in mine and "csrfmiddlewaretoken" in mine

    response = visitor.get(LIST_URL)
    after = response.content.decode()
    assert "Ajouter à mon plan" not in after and "csrfmiddlewaretoken" not in after
    assert "csrftoken" not in response.cookies  # a visitor's list asks no token


def test_a_member_s_list_viewed_again_shows_what_their_plan_took_or_gave_back(in_a, client_a):
    mine = organisation("du membre")
    action = ActionFactory(title="Isoler les combles")
    client_a.force_login(member_of(mine))
    form = f'action="/organisations/{mine.pk}/plan/ajouter/{action.pk}/"'
    assert form in page(client_a)

    item = PlanItemFactory(organisation=mine, action=action)
    html = page(client_a)
    assert form not in html and "Déjà dans votre plan" in html

    PlanItem.objects.filter(pk=item.pk).delete()
    assert form in page(client_a)


def test_a_member_s_list_after_their_plan_takes_an_action_is_not_searched_again(in_a, client_a):
    mine = organisation("du membre")
    action = ActionFactory(title="Composter les biodéchets")
    client_a.force_login(member_of(mine))
    page(client_a, q="compost")
    PlanItemFactory(organisation=mine, action=action)

    with CaptureQueriesContext(connection) as queries:
        html = page(client_a, q="compost")

    assert "Déjà dans votre plan" in html and "<mark>Compost" in html
    assert not [query for query in queries.captured_queries if 'FROM "toolbox_action"' in query["sql"]]


def test_each_reader_of_a_kept_list_posts_with_their_own_token_and_the_server_takes_it(in_a, client_a):
    mine = organisation("partagée")
    action = ActionFactory(title="Isoler les combles")
    host = client_a.defaults["HTTP_HOST"]
    first, second = (Client(HTTP_HOST=host, enforce_csrf_checks=True) for _reader in range(2))
    first.force_login(member_of(mine))
    second.force_login(member_of(mine))
    page(first)  # rendered and kept

    html = page(second)  # read back

    assert CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = second.post(
        f"/organisations/{mine.pk}/plan/ajouter/{action.pk}/", {"csrfmiddlewaretoken": token, "next": LIST_URL}
    )
    assert response.status_code == 302
    assert PlanItem.objects.filter(organisation=mine, action=action).exists()


def test_a_member_of_two_sees_an_organisation_s_new_name_on_its_button(in_a, client_a):
    ActionFactory(title="Isoler les combles")
    first, renamed = organisation("Alpha"), organisation("Bêta")
    client_a.force_login(member_of(first, renamed))
    assert "Ajouter au plan d&#x27;Organisation Bêta" in page(client_a)

    renamed.name = "Organisation Gamma"
    renamed.save()

    html = page(client_a)
    assert "Organisation Gamma" in html and "Organisation Bêta" not in html


def test_a_cached_list_is_never_served_to_another_territory_under_the_same_revision(
    in_a, client_a, client_b, territory_a, territory_b
):
    """Same revision, same referential version, same day, same query string: only the territory differs."""
    ActionFactory(title="Action de A")
    changed_at = Revision.objects.get(key="toolbox").changed_at
    assert "Action de A" in page(client_a)
    connection.set_tenant(territory_b)
    ActionFactory(title="Action de B")
    Revision.objects.filter(key="toolbox").update(changed_at=changed_at)

    html = page(client_b)

    assert "Action de B" in html and "Action de A" not in html
    connection.set_tenant(territory_b)
    b_version = current_version().pk
    connection.set_tenant(territory_a)
    assert current_version().pk == b_version  # the same key but for the territory


def test_the_search_form_is_kept_when_the_toolbox_changes_and_each_query_string_shows_its_own(in_a, client_a):
    ActionFactory(title="Trier les déchets")

    def rendered(response):
        return [template.name for template in response.templates]

    def form_of(response):
        shown = re.search(r'name="q" value="([^"]*)"', response.content.decode()).group(1)
        return "toolbox/browse/_search_form.html" in rendered(response), shown

    assert form_of(client_a.get(LIST_URL, {"q": "déchets"})) == (True, "déchets")
    assert form_of(client_a.get(LIST_URL, {"q": "chauffage", "theme": "ENE"})) == (True, "chauffage")
    ActionFactory(title="Baisser le chauffage")  # the list is rendered again, its form read back
    response = client_a.get(LIST_URL, {"q": "déchets"})
    assert form_of(response) == (False, "déchets")
    assert "toolbox/browse/_results.html" in rendered(response)
