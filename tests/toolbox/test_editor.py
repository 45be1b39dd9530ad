"""Territory staff adapt their toolbox: the list, the action editor, partners and schemes.

The rule that matters most is the adaptation rule: changing a national field of a national action
records it in `adapted_fields` (a national re-import then keeps it), local fields (hidden, order,
partners, schemes) never count, and « revenir à la version nationale » restores national_data's
value and forgets the adaptation.
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.services import create_organisation
from toolbox import adaptation, authoring
from toolbox.authoring import ToolboxError
from toolbox.constants import NATIONAL_ACTION_FIELDS
from toolbox.enums import Origin
from toolbox.models import Action, ActionQuestion, Partner, PlanItem, Scheme

from ..same_ids import align_next_ids
from .factories import (
    ActionFactory,
    ActionQuestionFactory,
    ActionStepFactory,
    PartnerFactory,
    PlanItemFactory,
    SchemeFactory,
)

BASE = "/gestion/boite-a-outils"


def organisation_of(owner):
    return create_organisation(
        owner,
        name="Menuiserie du Clain",
        kind=OrganisationKind.ENTREPRISE,
        siret=demo_siret(random.Random(1)),
        naf_code="16.23Z",
        headcount_band="12",
        commune="Poitiers",
    )


def make_user(email, role=Role.STAFF):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def staff(in_a):
    return make_user("charge.climat@a.example")


@pytest.fixture
def staff_client(client_a, staff):
    client_a.force_login(staff)
    return client_a


def national_action(**fields):
    national = {
        "title": "Suivre ses consommations d'énergie chaque mois",
        "promise": "Repérer les dérives.",
        "steps": [{"text": "Relever les index", "url": "https://example.org/index"}],
        "questions": [{"code": "ENE-01", "up_to_step": 2}],
        "co2_tonnes_per_year": 1.5,
    }
    action = ActionFactory(
        code="ENE-A90",
        origin=Origin.NATIONAL,
        title=national["title"],
        promise=national["promise"],
        co2_tonnes_per_year=Decimal("1.50"),
        co2_source="ADEME",
        national_data=national,
        **fields,
    )
    ActionStepFactory(action=action, order=0, text="Relever les index", url="https://example.org/index")
    ActionQuestionFactory(action=action, question_code="ENE-01", up_to_step=2)
    return action


def main_form_data(action, **changes):
    """What the main form posts when staff change nothing but `changes`."""
    data = {
        "title": action.title,
        "promise": action.promise,
        "body": action.body,
        "main_theme": action.main_theme,
        "themes": action.themes,
        "levels": [str(rank) for rank in action.levels],
        "organisation_kinds": action.organisation_kinds,
        "headcount_bands": action.headcount_bands,
        "naf_codes": ", ".join(action.naf_codes),
        "cost": action.cost,
        "duration": action.duration,
        "impact": action.impact,
        "co2_tonnes_per_year": "" if action.co2_tonnes_per_year is None else str(action.co2_tonnes_per_year),
        "co2_source": action.co2_source,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in (None, [])}


def formset_data(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def snapshot(action):
    action = Action.objects.get(pk=action.pk)
    return (
        {
            field.name: getattr(action, field.name)
            for field in Action._meta.concrete_fields
            if field.name != "updated_at"
        },
        list(action.steps.values_list("order", "text", "url")),
        list(action.question_links.values_list("question_code", "up_to_step")),
        sorted(action.prerequisites.values_list("code", flat=True)),
    )


# ---- the adaptation rule -------------------------------------------------------------------------


def test_editing_a_national_title_records_it_as_adapted(staff_client):
    action = national_action()

    response = staff_client.post(f"{BASE}/actions/{action.pk}/", main_form_data(action, title="Suivre son énergie"))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Suivre son énergie"
    assert action.adapted_fields == ["title"]


def test_saving_the_form_unchanged_adapts_nothing(staff_client):
    action = national_action(levels=[1, 2], naf_codes=["C", "10"], organisation_kinds=["entreprise"])

    response = staff_client.post(f"{BASE}/actions/{action.pk}/", main_form_data(action))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.adapted_fields == []


def test_ticked_boxes_in_another_order_are_no_change(staff_client):
    action = national_action(themes=["DEC", "PIL"], levels=[2, 1], organisation_kinds=["association", "entreprise"])

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/",
        main_form_data(
            action, themes=["PIL", "DEC"], levels=["1", "2"], organisation_kinds=["entreprise", "association"]
        ),
    )

    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).adapted_fields == []


def test_local_fields_never_count_as_adaptations(staff_client):
    action = national_action()
    other = ActionFactory(main_theme=action.main_theme, order=action.order + 1)
    partner, scheme = PartnerFactory(), SchemeFactory()

    staff_client.post(f"{BASE}/actions/{action.pk}/visibilite/", {"hidden": "1"})
    staff_client.post(f"{BASE}/actions/{other.pk}/deplacer/", {"direction": "up"})
    staff_client.post(f"{BASE}/actions/{action.pk}/liens/", {"partners": [partner.pk], "schemes": [scheme.pk]})

    action.refresh_from_db()
    assert action.hidden
    assert list(action.partners.all()) == [partner] and list(action.schemes.all()) == [scheme]
    assert Action.objects.get(pk=other.pk).order < action.order
    assert action.adapted_fields == []


def test_steps_questions_and_prerequisites_are_national_fields(staff):
    action = national_action()
    prerequisite = ActionFactory(code="PIL-A90")

    authoring.update_steps(action, [("Relever les index chaque mois", "")])
    authoring.update_questions(action, [("ENE-01", 3)])
    authoring.update_links(action, prerequisites=[prerequisite], partners=[], schemes=[])

    action.refresh_from_db()
    assert action.adapted_fields == ["steps", "questions", "prerequisites"]


def test_a_local_action_adapts_nothing(staff):
    action = ActionFactory(origin=Origin.LOCAL)

    authoring.update_action(action, title="Un autre titre")

    action.refresh_from_db()
    assert action.title == "Un autre titre"
    assert action.adapted_fields == []


def test_editing_back_to_the_national_value_is_no_adaptation(staff):
    action = national_action()
    authoring.update_action(action, title="Autre titre", co2_tonnes_per_year=Decimal("3"))
    assert Action.objects.get(pk=action.pk).adapted_fields == ["title", "co2_tonnes_per_year"]

    # national_data holds 1.5 (a float, as read from the YAML file): the same as the Decimal 1.50.
    authoring.update_action(action, title=action.national_data["title"], co2_tonnes_per_year=Decimal("1.5"))

    assert Action.objects.get(pk=action.pk).adapted_fields == []


def test_revert_restores_the_national_value_and_forgets_the_adaptation(staff_client):
    action = national_action()
    authoring.update_action(action, title="Suivre son énergie")
    authoring.update_steps(action, [("Une étape à nous", "")])

    for field in ("title", "steps"):
        response = staff_client.post(f"{BASE}/actions/{action.pk}/version-nationale/", {"field": field})
        assert response.status_code == 302

    action.refresh_from_db()
    assert action.title == "Suivre ses consommations d'énergie chaque mois"
    assert list(action.steps.values_list("text", "url")) == [("Relever les index", "https://example.org/index")]
    assert action.adapted_fields == []


def test_revert_without_a_known_national_value_is_refused(staff):
    action = national_action()
    authoring.update_action(action, body="Notre texte")

    with pytest.raises(ToolboxError, match="pas connue"):
        authoring.revert_field(action, "body")

    action.refresh_from_db()
    assert action.body == "Notre texte" and action.adapted_fields == ["body"]


def test_the_form_marks_adapted_fields_and_shows_the_national_value(staff_client):
    action = national_action()
    authoring.update_action(action, title="Suivre son énergie")

    content = staff_client.get(f"{BASE}/actions/{action.pk}/").content.decode()

    assert "adapté localement" in content
    assert "Version nationale de « Titre »" in content
    assert "Suivre ses consommations d&#x27;énergie chaque mois" in content
    assert 'name="field" value="title"' in content
    assert 'value="promise"' not in content  # not adapted: no way back to offer


# ---- validation: nothing changes on bad input ----------------------------------------------------


def test_invalid_main_form_says_why_in_french_and_changes_nothing(staff_client):
    action = national_action()
    before = snapshot(action)

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/",
        main_form_data(action, title="", naf_codes="C, ZZ", co2_source="", main_theme="XYZ"),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire n'est pas enregistré" in content
    assert "« ZZ » n&#x27;est ni une section NAF" in content
    assert "Indiquez d&#x27;où vient l&#x27;estimation du gain en CO2." in content
    assert snapshot(action) == before


def test_naf_sections_and_divisions_are_checked_against_the_naf_list(staff):
    action = ActionFactory()

    authoring.update_action(action, naf_codes=["C", "10"])
    with pytest.raises(ToolboxError, match="NAF"):
        authoring.update_action(action, naf_codes=["C", "40"])  # no division 40 in NAF rév. 2

    assert Action.objects.get(pk=action.pk).naf_codes == ["C", "10"]


@pytest.mark.parametrize("step", ["0", "4", "9"])
def test_up_to_step_must_be_at_least_one_and_below_the_top_step(staff_client, step):
    action = national_action()
    before = snapshot(action)

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/questions/",
        formset_data("questions", [{"question_code": "ENE-01", "up_to_step": step}], initial=1),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'est enregistré" in content
    if step != "0":
        assert "l&#x27;échelon doit être compris entre 1 et 3 : elle compte 4 échelons" in content
    assert snapshot(action) == before


def test_question_links_are_saved_when_valid(staff_client):
    action = national_action()

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/questions/",
        formset_data(
            "questions",
            [{"question_code": "ENE-01", "up_to_step": "3"}, {"question_code": "PIL-01", "up_to_step": "1"}],
            initial=1,
        ),
    )

    assert response.status_code == 302
    assert sorted(action.question_links.values_list("question_code", "up_to_step")) == [("ENE-01", 3), ("PIL-01", 1)]


def test_a_question_outside_the_published_referential_or_twice_is_refused(staff):
    action = national_action()

    with pytest.raises(ToolboxError, match="pas dans le référentiel publié"):
        authoring.update_questions(action, [("NOPE-01", 1)])
    with pytest.raises(ToolboxError, match="liée deux fois"):
        authoring.update_questions(action, [("ENE-01", 1), ("ENE-01", 2)])
    with pytest.raises(ToolboxError, match="au moins une question"):
        authoring.update_questions(action, [])

    assert list(action.question_links.values_list("question_code", "up_to_step")) == [("ENE-01", 2)]


def test_steps_are_added_reordered_and_removed(staff_client):
    action = national_action()
    ActionStepFactory(action=action, order=1, text="Comparer d'un mois à l'autre")

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/etapes/",
        formset_data(
            "etapes",
            [
                {"text": "Relever les index", "url": "https://example.org/index", "ORDER": "2"},
                {"text": "Comparer d'un mois à l'autre", "ORDER": "3", "DELETE": "on"},
                {"text": "Choisir un référent", "url": "", "ORDER": "1"},
                {"text": "", "url": "", "ORDER": ""},
            ],
            initial=2,
        ),
    )

    assert response.status_code == 302
    assert list(action.steps.values_list("order", "text")) == [(0, "Choisir un référent"), (1, "Relever les index")]


def test_a_prerequisite_cycle_is_refused(staff):
    first, second = ActionFactory(), ActionFactory()
    authoring.update_links(first, prerequisites=[second], partners=[], schemes=[])

    with pytest.raises(ToolboxError, match="cercle"):
        authoring.update_links(second, prerequisites=[first], partners=[], schemes=[])
    with pytest.raises(ToolboxError, match="propre prérequis"):
        authoring.update_links(first, prerequisites=[first], partners=[], schemes=[])

    assert list(second.prerequisites.all()) == []


# ---- creating, previewing, hiding, ordering ------------------------------------------------------


def test_staff_create_a_local_action_with_a_code_of_its_own(staff_client):
    data = main_form_data(
        ActionFactory.build(main_theme="ENE", body=""),
        title="Installer des détecteurs",
        question_code="ENE-04",
        up_to_step="2",
    )
    refused = staff_client.post(f"{BASE}/actions/ajouter/", {**data, "up_to_step": "4"})
    assert refused.status_code == 200 and "compris entre 1 et 3" in refused.content.decode()
    assert not Action.objects.filter(title="Installer des détecteurs").exists()

    first = staff_client.post(f"{BASE}/actions/ajouter/", data)
    second = staff_client.post(f"{BASE}/actions/ajouter/", {**data, "title": "Éteindre la nuit"})

    created = list(Action.objects.filter(title__in=["Installer des détecteurs", "Éteindre la nuit"]).order_by("pk"))
    assert [action.code for action in created] == ["ENE-L01", "ENE-L02"]
    assert all(action.origin == Origin.LOCAL for action in created)
    assert first["Location"] == f"{BASE}/actions/{created[0].pk}/etapes/"
    assert list(created[0].question_links.values_list("question_code", "up_to_step")) == [("ENE-04", 2)]
    assert second.status_code == 302


def test_preview_renders_the_markdown_safely_and_saves_nothing(staff_client):
    action = national_action()
    before = snapshot(action)

    response = staff_client.post(
        f"{BASE}/actions/{action.pk}/",
        main_form_data(action, body="**Gras** <script>alert(1)</script>", apercu="1"),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Gras</strong>" in content
    assert "<script>alert(1)</script>" not in content
    assert snapshot(action) == before


def test_a_hidden_action_stays_in_the_plans_and_is_marked_in_the_list(staff_client):
    action = national_action()
    owner = make_user("proprietaire@a.example", Role.PARTICIPANT)
    organisation = organisation_of(owner)
    PlanItemFactory(organisation=organisation, action=action, created_by=owner)

    staff_client.post(f"{BASE}/actions/{action.pk}/visibilite/", {"hidden": "1"})

    action.refresh_from_db()
    assert action.hidden
    assert PlanItem.objects.filter(action=action, organisation=organisation).count() == 1
    content = staff_client.get(f"{BASE}/").content.decode()
    assert "masquée" in content and action.title.replace("'", "&#x27;") in content

    staff_client.post(f"{BASE}/actions/{action.pk}/visibilite/", {"hidden": "0"})
    assert not Action.objects.get(pk=action.pk).hidden


def test_the_list_offers_keyboard_buttons_to_reorder_unless_filtered(staff_client):
    # A theme of their own: the territory also holds the national toolbox.
    first, second = ActionFactory(main_theme="TST", order=1), ActionFactory(main_theme="TST", order=2)

    content = staff_client.get(f"{BASE}/").content.decode()
    assert f'action="{BASE}/actions/{second.pk}/deplacer/"' in content
    assert f'Monter<span class="fr-sr-only"> {second.code}</span>' in content
    assert f'action="{BASE}/actions/{first.pk}/deplacer/"' in content
    filtered = staff_client.get(f"{BASE}/", {"origin": "local"}).content.decode()
    assert "/deplacer/" not in filtered and "Pour changer l&#x27;ordre" not in filtered
    assert "Pour changer l'ordre des actions" in filtered

    staff_client.post(f"{BASE}/actions/{second.pk}/deplacer/", {"direction": "up"})
    assert list(Action.objects.filter(main_theme="TST").order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_moving_swaps_an_action_with_its_neighbour_in_its_theme(staff):
    first, second, third = (ActionFactory(main_theme="TST", order=order) for order in (5, 6, 7))
    elsewhere = ActionFactory(main_theme="TSU", order=6)

    authoring.move_action(third, authoring.UP)

    assert list(Action.objects.filter(main_theme="TST").order_by("order").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    assert Action.objects.get(pk=elsewhere.pk).order == 6
    with pytest.raises(ToolboxError):
        authoring.move_action(first, "sideways")


# ---- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_theme_origin_adaptation_and_visibility(staff_client):
    adapted = national_action()
    authoring.update_action(adapted, title="Adaptée ici")
    ActionFactory(title="Locale de déchets", main_theme="DEC")
    ActionFactory(title="Locale masquée", main_theme="ENE", hidden=True)

    def titles(query):
        content = staff_client.get(f"{BASE}/", query).content.decode()
        return {title for title in ("Adaptée ici", "Locale de déchets", "Locale masquée") if title in content}

    assert titles({}) == {"Adaptée ici", "Locale de déchets", "Locale masquée"}
    assert titles({"theme": "DEC"}) == {"Locale de déchets"}
    assert titles({"origin": "national"}) == {"Adaptée ici"}
    assert titles({"adapted": "oui"}) == {"Adaptée ici"}
    assert titles({"adapted": "non"}) == {"Locale de déchets", "Locale masquée"}
    assert titles({"hidden": "oui"}) == {"Locale masquée"}


def test_the_list_query_count_does_not_grow_with_the_actions(staff_client):
    def queries():
        staff_client.get(f"{BASE}/")  # warm the referential's cache
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(f"{BASE}/").status_code == 200
        return len(captured)

    ActionFactory.create_batch(2)
    few = queries()
    for action in ActionFactory.create_batch(10, adapted_fields=["title"]):
        action.partners.add(PartnerFactory())

    assert queries() == few


# ---- partners and schemes ------------------------------------------------------------------------


def test_partner_codes_come_from_the_name_and_stay_unique(staff_client):
    for _ in range(2):
        response = staff_client.post(f"{BASE}/partenaires/ajouter/", {"name": "CCI de la Vienne", "role": "Conseil"})
        assert response.status_code == 302

    assert sorted(Partner.objects.filter(name="CCI de la Vienne").values_list("code", flat=True)) == [
        "cci-de-la-vienne",
        "cci-de-la-vienne-2",
    ]
    # The file format's row code: lower-case letters, digits and single dashes.
    assert authoring.code_from_name(Partner, "Réseau_Éco  (Vienne) !") == "reseau-eco-vienne"


def test_deleting_an_attached_partner_or_scheme_is_refused_and_says_how_many(staff_client):
    partner, scheme = PartnerFactory(), SchemeFactory()
    for action in ActionFactory.create_batch(2):
        action.partners.add(partner)
        action.schemes.add(scheme)

    page = staff_client.get(f"{BASE}/partenaires/{partner.pk}/supprimer/").content.decode()
    assert "Rattaché à 2 actions : la suppression est refusée" in page
    staff_client.post(f"{BASE}/partenaires/{partner.pk}/supprimer/")
    staff_client.post(f"{BASE}/dispositifs/{scheme.pk}/supprimer/")
    with pytest.raises(ToolboxError, match="rattaché à 2 actions : retirez-le d'abord de ces actions."):
        authoring.delete_scheme(scheme)
    action = scheme.actions.first()
    action.partners.remove(partner)
    action.schemes.remove(scheme)
    with pytest.raises(ToolboxError, match="rattaché à 1 action : retirez-le d'abord de cette action."):
        authoring.delete_partner(partner)

    assert Partner.objects.filter(pk=partner.pk).exists() and Scheme.objects.filter(pk=scheme.pk).exists()


def test_an_unattached_scheme_is_deleted(staff_client):
    scheme = SchemeFactory()

    response = staff_client.post(f"{BASE}/dispositifs/{scheme.pk}/supprimer/")

    assert response.status_code == 302
    assert not Scheme.objects.filter(pk=scheme.pk).exists()


def test_an_expired_scheme_is_marked_for_staff(staff_client):
    SchemeFactory(name="Prime passée", valid_until=timezone.localdate() - timedelta(days=1))
    SchemeFactory(name="Prime en cours", valid_until=timezone.localdate() + timedelta(days=30))

    content = staff_client.get(f"{BASE}/dispositifs/").content.decode()

    badge = 'fr-badge--error">expiré'
    assert content.count(badge) == 1
    # Listed by name: the badge follows « Prime passée », after « Prime en cours ».
    assert content.index("Prime en cours") < content.index("Prime passée") < content.index(badge)


def test_a_scheme_is_created_with_its_facts(staff_client):
    response = staff_client.post(
        f"{BASE}/dispositifs/ajouter/",
        {
            "name": "Diag Éco-Flux de Vienne",
            "provider": "ADEME et Bpifrance",
            "kind": "free_support",
            "url": "https://example.org/diag",
            "conditions": "De 20 à 250 salariés.",
            "valid_until": "2027-12-31",
            "source_url": "https://example.org/source",
            "checked_on": "2026-11-30",
        },
    )

    assert response.status_code == 302
    scheme = Scheme.objects.get(name="Diag Éco-Flux de Vienne")
    assert (scheme.code, scheme.origin, str(scheme.valid_until)) == (
        "diag-eco-flux-de-vienne",
        Origin.LOCAL,
        "2027-12-31",
    )


# ---- isolation -----------------------------------------------------------------------------------


def test_staff_of_another_territory_reach_only_their_own_action_of_the_same_id(
    client_b, staff, territory_a, territory_b
):
    align_next_ids([Action], territory_a, territory_b)
    victim = national_action()
    authoring.update_action(victim, title="Titre adapté par A")
    before = snapshot(victim)
    connection.set_tenant(territory_b)
    twin = ActionFactory(code="ENE-A90", title="Action de B")
    assert twin.pk == victim.pk
    client_b.force_login(make_user("charge.climat@b.example"))

    assert "Titre adapté par A" not in client_b.get(f"{BASE}/").content.decode()
    assert "Titre adapté par A" not in client_b.get(f"{BASE}/actions/{twin.pk}/").content.decode()
    response = client_b.post(f"{BASE}/actions/{twin.pk}/", main_form_data(twin, title="Écrit par B"))
    assert response.status_code == 302
    client_b.post(f"{BASE}/actions/{twin.pk}/version-nationale/", {"field": "title"})
    client_b.post(f"{BASE}/actions/{twin.pk}/visibilite/", {"hidden": "1"})

    connection.set_tenant(territory_b)
    assert Action.objects.get(pk=twin.pk).title == "Écrit par B"
    connection.set_tenant(territory_a)
    assert snapshot(victim) == before


def test_a_territory_a_staff_session_is_worthless_on_territory_b(staff_client, client_b, staff, territory_a):
    action = national_action()
    client_b.cookies = staff_client.cookies

    response = client_b.post(f"{BASE}/actions/{action.pk}/visibilite/", {"hidden": "1"})

    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    connection.set_tenant(territory_a)
    assert not Action.objects.get(pk=action.pk).hidden


def test_participants_get_404(client_a, in_a):
    client_a.force_login(make_user("participant@a.example", Role.PARTICIPANT))
    action = ActionFactory()

    assert client_a.get(f"{BASE}/actions/{action.pk}/").status_code == 404
    assert client_a.post(f"{BASE}/actions/{action.pk}/visibilite/", {"hidden": "1"}).status_code == 404
    assert not Action.objects.get(pk=action.pk).hidden


def test_question_link_rows_keep_their_model_constraint(staff):
    """The service replaces links wholesale: the unique (action, question) constraint never trips."""
    action = national_action()
    authoring.update_questions(action, [("ENE-01", 1), ("PIL-01", 2)])
    authoring.update_questions(action, [("PIL-01", 1), ("ENE-01", 3)])

    assert ActionQuestion.objects.filter(action=action).count() == 2


def test_revert_of_questions_and_prerequisites_uses_the_national_codes(staff):
    action = national_action()
    pil = ActionFactory(code="PIL-A90")
    action.national_data = {**action.national_data, "prerequisites": ["PIL-A90", "ABSENT-A99"]}
    action.save()
    authoring.update_questions(action, [("PIL-01", 1)])
    authoring.update_links(action, prerequisites=[], partners=[], schemes=[])
    authoring.update_links(action, prerequisites=[ActionFactory()], partners=[], schemes=[])

    authoring.revert_field(action, "questions")
    authoring.revert_field(action, "prerequisites")

    action.refresh_from_db()
    assert list(action.question_links.values_list("question_code", "up_to_step")) == [("ENE-01", 2)]
    assert list(action.prerequisites.all()) == [pil]  # a code the territory lacks is skipped
    assert action.adapted_fields == []


def test_a_local_action_code_follows_the_highest_of_its_theme(staff):
    ActionFactory(code="MOB-L07")
    ActionFactory(code="MOB-A12")  # a national code does not count

    action = authoring.create_action(
        question_links=[("MOB-01", 1)],
        title="Covoiturer",
        promise="Moins de voitures.",
        main_theme="MOB",
        cost="free",
        duration="days",
        impact="low",
    )

    assert action.code == "MOB-L08"


def test_a_partner_is_edited_and_its_code_kept(staff_client):
    partner = PartnerFactory(code="ale", name="ALE")

    response = staff_client.post(
        f"{BASE}/partenaires/{partner.pk}/",
        {"name": "Agence locale de l'énergie", "role": "Conseil", "contact": "", "website": "pas une adresse"},
    )
    assert response.status_code == 200
    assert Partner.objects.get(pk=partner.pk).name == "ALE"

    response = staff_client.post(
        f"{BASE}/partenaires/{partner.pk}/",
        {"name": "Agence locale de l'énergie", "role": "Conseil", "contact": "", "website": "https://ale.example"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.code, partner.name, partner.website) == ("ale", "Agence locale de l'énergie", "https://ale.example")


def test_the_imported_national_toolbox_reads_as_unadapted(staff):
    """national_data as the loader writes it and the rows it writes compare equal, field by field."""
    actions = Action.objects.filter(origin=Origin.NATIONAL).prefetch_related("steps", "question_links", "prerequisites")
    assert len(actions) > 10
    for action in actions:
        for name in NATIONAL_ACTION_FIELDS:
            assert adaptation.current_value(action, name) == adaptation.national_value(action, name), (action, name)


def test_saving_an_imported_national_action_unchanged_adapts_nothing(staff_client):
    action = Action.objects.get(code="ENE-A01")
    # What the pages post when staff change nothing (orders are numbered from 1, as the page shows them).
    steps = [
        {"text": step.text, "url": step.url, "ORDER": str(index)} for index, step in enumerate(action.steps.all(), 1)
    ]
    before = list(action.steps.values_list("text", "url"))
    assert before and action.question_links.exists()
    links = [
        {"question_code": link.question_code, "up_to_step": str(link.up_to_step)}
        for link in action.question_links.all()
    ]

    responses = [
        staff_client.post(f"{BASE}/actions/{action.pk}/", main_form_data(action)),
        staff_client.post(f"{BASE}/actions/{action.pk}/etapes/", formset_data("etapes", steps, initial=len(steps))),
        staff_client.post(
            f"{BASE}/actions/{action.pk}/questions/", formset_data("questions", links, initial=len(links))
        ),
        staff_client.post(
            f"{BASE}/actions/{action.pk}/liens/",
            {"prerequisites": [other.pk for other in action.prerequisites.all()]},
        ),
    ]

    assert [response.status_code for response in responses] == [302] * 4
    assert Action.objects.get(pk=action.pk).adapted_fields == []
    assert list(action.steps.values_list("text", "url")) == before
    assert [(link["question_code"], int(link["up_to_step"])) for link in links] == list(
        action.question_links.values_list("question_code", "up_to_step")
    )
