"""The YAML toolbox: validation with locations, the lossless dump ⇄ load round trip, the national re-import."""

import copy
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.toolbox.factories import ActionFactory, PcaetActionFactory
from toolbox.enums import Origin
from toolbox.loader import (
    NATIONAL_TOOLBOX,
    ToolboxFormatError,
    dump_toolbox,
    install_national_toolbox,
    load_toolbox,
    national_values,
    read_yaml,
)
from toolbox.management import toolbox_yaml
from toolbox.models import Action, ActionQuestion, ActionStep, Partner, Scheme
from toolbox.referential_links import PublishedReferential, published_referential
from toolbox.revisions import toolbox_revision
from toolbox.validation import (
    ACTION_KEYS,
    QUESTION_KEYS,
    SCHEME_KEYS,
    STEP_KEYS,
    TERRITORY_ACTION_KEYS,
    validate_toolbox,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def national_v1():
    return read_yaml(DATA / "national_v1.yaml")


@pytest.fixture(scope="module")
def national_v2():
    return read_yaml(DATA / "national_v2.yaml")


@pytest.fixture(scope="module")
def territory_file():
    return read_yaml(DATA / "territory.yaml")


def action(data, code):
    return next(item for item in data["actions"] if item["code"] == code)


def messages(data, national=True):
    return [str(problem) for problem in validate_toolbox(data, national=national)]


def counts():
    return tuple(model.objects.count() for model in (Action, ActionStep, ActionQuestion, Scheme, Partner))


# ---- the national file and the provisioning hook ------------------------------------------------------


def test_every_action_of_the_national_file_is_in_a_new_territory(db, territory_b):
    """Territory B was provisioned for this session: the hook loaded the repository's national file."""
    national = read_yaml(NATIONAL_TOOLBOX)
    connection.set_tenant(territory_b)

    actions = Action.objects.filter(origin=Origin.NATIONAL).in_bulk(field_name="code")

    assert {item["code"] for item in national["actions"]} == set(actions)
    # Only what the national import alone writes: staff may have hidden or adapted actions since.
    for item in national["actions"]:
        assert actions[item["code"]].national_data == national_values(item)
    assert set(Scheme.objects.values_list("code", flat=True)) >= {item["code"] for item in national["schemes"]}


def test_the_hook_run_again_changes_nothing(in_a):
    before = dump_toolbox()

    summary = install_national_toolbox(in_a)

    assert dump_toolbox() == before
    assert summary.created == [] and summary.hidden == []


# ---- round trip ---------------------------------------------------------------------------------------


def test_a_national_file_loads_every_field(in_a, national_v1):
    summary = load_toolbox(national_v1, national=True)

    assert summary.created == ["PIL-A90", "ENE-A90", "MOB-A90"]
    ene = Action.objects.get(code="ENE-A90")
    assert (ene.origin, ene.title, ene.main_theme, ene.themes) == (
        Origin.NATIONAL,
        "Suivre ses consommations",
        "ENE",
        ["PIL"],
    )
    assert ene.body == "Pourquoi suivre ?\n\nParce que **mesurer** précède réduire."
    assert (ene.levels, ene.organisation_kinds) == ([1, 2], ["entreprise", "association"])
    assert (ene.headcount_bands, ene.naf_codes) == (["11", "12"], ["C", "10"])
    assert (str(ene.co2_tonnes_per_year), ene.co2_source) == ("1.50", "ADEME, base d'essai")
    assert [p.code for p in ene.prerequisites.all()] == ["PIL-A90"]
    assert list(ene.question_links.order_by("pk").values_list("question_code", "up_to_step")) == [
        ("ENE-01", 2),
        ("ENE-04", 3),
    ]
    assert [s.code for s in ene.schemes.all()] == ["aide-essai"]
    assert [p.code for p in ene.partners.all()] == ["cci-essai"]
    pil = Action.objects.get(code="PIL-A90")
    assert list(pil.steps.values_list("order", "text", "url")) == [
        (0, "Choisir la personne.", ""),
        (1, "L'annoncer aux équipes.", "https://example.org/annonce"),
    ]
    scheme = Scheme.objects.get(code="aide-essai")
    assert (scheme.origin, str(scheme.valid_until), str(scheme.checked_on)) == ("national", "2027-12-31", "2026-11-30")
    assert Partner.objects.get(code="cci-essai").origin == Origin.NATIONAL


def test_dump_load_dump_is_identical(in_a, territory_b, national_v1, territory_file):
    load_toolbox(national_v1, national=True)
    load_toolbox(territory_file)
    ene = Action.objects.get(code="ENE-A90")
    ene.title, ene.adapted_fields, ene.order = "Suivre l'énergie", ["title"], 7
    ene.save()
    first = dump_toolbox()

    load_toolbox(copy.deepcopy(first))
    assert dump_toolbox() == first

    # Into another territory: the same toolbox, row for row.
    connection.set_tenant(territory_b)
    load_toolbox(copy.deepcopy(first))
    again = dump_toolbox()
    assert [item for item in again["actions"] if item["code"] in {"ENE-A90", "LOC-01", "LOC-02"}] == [
        item for item in first["actions"] if item["code"] in {"ENE-A90", "LOC-01", "LOC-02"}
    ]


def test_a_territory_file_round_trips_exactly(in_a, territory_file):
    load_toolbox(territory_file)

    dumped = dump_toolbox()

    for key in ("schemes", "partners"):
        assert [item for item in dumped[key] if item["origin"] == "local"] == territory_file[key]
    assert [item for item in dumped["actions"] if item["code"].startswith("LOC-")] == territory_file["actions"]


def test_yaml_text_round_trip_is_identical(in_a, national_v1, territory_file, tmp_path):
    load_toolbox(national_v1, national=True)
    load_toolbox(territory_file)
    data = dump_toolbox()
    path = tmp_path / "boite.yaml"
    path.write_text(toolbox_yaml(data), encoding="utf-8")

    reread = read_yaml(path)

    assert reread == data
    assert list(reread) == ["schemes", "partners", "actions"]
    load_toolbox(reread)
    assert toolbox_yaml(dump_toolbox()) == toolbox_yaml(data)


# ---- the national re-import ---------------------------------------------------------------------------


def test_national_reimport_keeps_adaptations_adds_hides_and_leaves_local_rows_alone(in_a, national_v1, national_v2):
    load_toolbox(national_v1, national=True)
    ene = Action.objects.get(code="ENE-A90")
    ene.title, ene.adapted_fields = "Notre suivi de l'énergie", ["title"]
    ene.save()
    pil = Action.objects.get(code="PIL-A90")
    pil.hidden, pil.order = True, 5
    pil.save()
    pcaet = PcaetActionFactory()
    pcaet.toolbox_actions.add(ene)
    local = ActionFactory(code="LOC-09", title="Action du territoire")
    local_partner = Partner.objects.create(code="partenaire-local", name="Réseau local")
    ene.partners.add(local_partner)

    summary = load_toolbox(national_v2, national=True)

    ene.refresh_from_db()
    assert ene.title == "Notre suivi de l'énergie"  # adapted: kept
    assert ene.promise == "Repérer les dérives et les gisements d'économies en 10 minutes par mois."  # updated
    assert (ene.cost, ene.impact, ene.themes, ene.co2_tonnes_per_year) == ("free", "high", [], None)
    assert list(ene.steps.values_list("text", flat=True)) == [
        "Relever les index chaque mois.",
        "Comparer au même mois de l'année précédente.",
    ]
    assert list(ene.question_links.values_list("question_code", "up_to_step")) == [("ENE-01", 3)]
    assert ene.national_data["title"] == "Suivre ses consommations d'énergie chaque mois"
    assert ene.national_data == national_values(action(national_v2, "ENE-A90"))
    assert ene.adapted_fields == ["title"]
    assert summary.adapted_kept == {"ENE-A90": ["title"]}
    # Local choices stay: partners and schemes of an existing action, PCAET links, hidden and order.
    assert set(ene.partners.values_list("code", flat=True)) == {"cci-essai", "partenaire-local"}
    assert list(pcaet.toolbox_actions.all()) == [ene]
    pil.refresh_from_db()
    assert (pil.hidden, pil.order) == (True, 5)
    # A new national action arrives; a withdrawn one is hidden, not deleted.
    dec = Action.objects.get(code="DEC-A90")
    assert (dec.origin, dec.hidden) == (Origin.NATIONAL, False)
    assert [p.code for p in dec.prerequisites.all()] == ["PIL-A90"]
    assert Action.objects.get(code="MOB-A90").hidden
    assert "MOB-A90" in summary.hidden and summary.created == ["DEC-A90"]
    local.refresh_from_db()
    assert (local.title, local.hidden, local.origin) == ("Action du territoire", False, Origin.LOCAL)
    assert Scheme.objects.get(code="aide-essai").name == "Aide d'essai (nouvelle édition)"
    assert Partner.objects.get(code="cci-essai").name == "CCI d'essai"  # not in v2: kept


def test_national_import_never_overwrites_a_local_row_of_the_same_code(in_a, national_v1):
    Partner.objects.create(code="cci-essai", name="Notre CCI", role="Locale")
    ActionFactory(code="MOB-A90", title="Notre forfait vélo")

    summary = load_toolbox(national_v1, national=True)

    assert Partner.objects.get(code="cci-essai").name == "Notre CCI"
    assert Action.objects.get(code="MOB-A90").title == "Notre forfait vélo"
    assert Action.objects.get(code="MOB-A90").origin == Origin.LOCAL
    assert sorted(summary.kept_local) == ["MOB-A90", "cci-essai"]
    assert [p.code for p in Action.objects.get(code="ENE-A90").partners.all()] == ["cci-essai"]


def test_a_national_reimport_of_the_same_file_changes_nothing(in_a, national_v1):
    load_toolbox(national_v1, national=True)
    before = dump_toolbox()

    with CaptureQueriesContext(connection) as queries:
        summary = load_toolbox(national_v1, national=True)

    assert dump_toolbox() == before
    assert summary.created == [] and summary.hidden == []
    # seed_demo re-runs the hook on every territory: unchanged rows are not rewritten.
    assert not [query for query in queries if query["sql"].startswith('UPDATE "toolbox_action"')]


def test_a_territory_file_updates_by_code_and_writes_the_territory_fields(in_a, national_v1):
    load_toolbox(national_v1, national=True)
    data = {
        "schemes": copy.deepcopy(national_v1["schemes"]),
        "partners": copy.deepcopy(national_v1["partners"]),
        "actions": [copy.deepcopy(action(national_v1, "ENE-A90"))],
    }
    data["actions"][0].update(
        title="Titre adapté", origin="national", hidden=True, order=3, adapted_fields=["title"], prerequisites=[]
    )

    summary = load_toolbox(data)

    ene = Action.objects.get(code="ENE-A90")
    assert (ene.title, ene.hidden, ene.order, ene.adapted_fields) == ("Titre adapté", True, 3, ["title"])
    assert ene.national_data["title"] == "Suivre ses consommations"  # the national record is the national import's
    assert summary.updated == ["ENE-A90"]
    # A file names what it links to: a partner it does not list is refused, not looked up in the territory.
    del data["partners"]
    with pytest.raises(ToolboxFormatError, match="le partenaire « cci-essai » n'est pas dans la liste"):
        load_toolbox(data)


# ---- validation: every problem, with its location ------------------------------------------------------


def set_key(code, key, value):
    def mutate(data):
        action(data, code)[key] = value

    return mutate


def set_link(action_code, index, **values):
    def mutate(data):
        action(data, action_code)["questions"][index].update(values)

    return mutate


def drop_co2_source(data):
    del action(data, "ENE-A90")["co2_source"]


def source_without_figure(data):
    del action(data, "ENE-A90")["co2_tonnes_per_year"]


def prerequisite_cycle(data):
    action(data, "PIL-A90")["prerequisites"] = ["ENE-A90"]


def scheme_without_source(data):
    del data["schemes"][0]["source_url"]


def scheme_of_unknown_kind(data):
    data["schemes"][0]["kind"] = "pret"


def scheme_with_bad_date(data):
    data["schemes"][0]["valid_until"] = "fin 2027"


def partner_with_bad_code(data):
    data["partners"][0]["code"] = "CCI Essai"


def duplicate_action(data):
    data["actions"].append(copy.deepcopy(action(data, "MOB-A90")))


def step_without_text(data):
    action(data, "PIL-A90")["steps"][0]["text"] = " "


def step_with_bad_url(data):
    action(data, "PIL-A90")["steps"][1]["url"] = "example.org/annonce"


def territory_key_in_national_file(data):
    action(data, "ENE-A90")["hidden"] = True


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (set_key("ENE-A90", "cost", "cheap"), "action ENE-A90 : « cost » : « cheap » inconnu (attendus : free, low"),
        (
            set_key("ENE-A90", "duration", None),
            "action ENE-A90 : « duration » est obligatoire (valeurs possibles : days",
        ),
        (set_key("ENE-A90", "main_theme", "CLI"), "action ENE-A90 : thème principal « CLI » inconnu du référentiel"),
        (set_key("ENE-A90", "themes", ["ENE"]), "action ENE-A90 : le thème « ENE » est déjà le thème principal."),
        (
            set_key("ENE-A90", "levels", [1, 5]),
            "action ENE-A90 : niveau « 5 » inconnu (rangs des niveaux : 1, 2, 3, 4)",
        ),
        (
            set_key("ENE-A90", "organisation_kinds", ["collectivite"]),
            "action ENE-A90 : type d'organisation « collectivite »",
        ),
        (
            set_key("ENE-A90", "headcount_bands", [11]),
            "action ENE-A90 : tranche d'effectif INSEE « 11 » inconnue : mettez",
        ),
        (set_key("ENE-A90", "naf_codes", ["10.71"]), "action ENE-A90 : code NAF « 10.71 » illisible"),
        (set_key("ENE-A90", "title", "T" * 201), "action ENE-A90 : « title » dépasse 200 caractères."),
        (set_key("ENE-A90", "promise", ""), "action ENE-A90 : « promise » est obligatoire."),
        (set_key("ENE-A90", "promise", "Une\nou deux lignes"), "action ENE-A90 : la promesse tient en une ligne."),
        (set_key("ENE-A90", "body", "Voir <div>ceci</div>"), "action ENE-A90 : « body » contient du HTML brut"),
        (set_key("ENE-A90", "co2_tonnes_per_year", 1.255), "action ENE-A90 : « co2_tonnes_per_year » a au plus 2 déc"),
        (set_key("ENE-A90", "co2_tonnes_per_year", -1), "action ENE-A90 : « co2_tonnes_per_year » doit être un nombre"),
        (drop_co2_source, "action ENE-A90 : un gain de CO2 s'accompagne de sa source"),
        (source_without_figure, "action ENE-A90 : « co2_source » sans « co2_tonnes_per_year »"),
        (set_key("ENE-A90", "prerequisites", ["PIL-A99"]), "action ENE-A90 : le prérequis « PIL-A99 » n'est pas une"),
        (set_key("ENE-A90", "prerequisites", ["ENE-A90"]), "action ENE-A90 : une action ne peut pas être son propre"),
        (prerequisite_cycle, "action PIL-A90 : les prérequis forment une boucle (PIL-A90 → ENE-A90 → PIL-A90)"),
        (
            set_key("ENE-A90", "schemes", ["aide-x"]),
            "action ENE-A90 : le dispositif « aide-x » n'est pas dans la liste",
        ),
        (set_key("ENE-A90", "partners", ["cci"]), "action ENE-A90 : le partenaire « cci » n'est pas dans la liste"),
        (set_key("ENE-A90", "questions", []), "action ENE-A90 : il faut au moins une question liée"),
        (
            set_link("ENE-A90", 0, code="ENE-99"),
            "action ENE-A90, question liée 1 : la question « ENE-99 » n'existe pas",
        ),
        (
            set_link("ENE-A90", 1, up_to_step=4),
            "action ENE-A90, question liée 2 : « up_to_step » doit être un entier de 1 à 3",
        ),
        (
            set_link("ENE-A90", 0, up_to_step=0),
            "action ENE-A90, question liée 1 : « up_to_step » doit être un entier de 1",
        ),
        (
            set_link("MOB-A90", 0, up_to_step=2),
            "action MOB-A90, question liée 1 : « up_to_step » doit être un entier de 1 à 1",
        ),
        (
            set_link("ENE-A90", 1, code="ENE-01"),
            "action ENE-A90, question liée 2 : la question « ENE-01 » est déjà liée",
        ),
        (set_key("ENE-A90", "resume", "?"), "action ENE-A90 : clé « resume » inconnue"),
        (set_key("ENE-A90", "code", "ENERGIE-1"), "action ENERGIE-1 : le code d'une action nationale s'écrit"),
        (set_key("ENE-A90", "code", "ene-a90"), "action ene-a90 : le code ne peut contenir que des majuscules"),
        (duplicate_action, "action MOB-A90 : ce code d'action est utilisé deux fois."),
        (step_without_text, "action PIL-A90, étape 1 : le texte de l'étape est obligatoire."),
        (step_with_bad_url, "action PIL-A90, étape 2 : « url » n'est pas une adresse web valide"),
        (
            territory_key_in_national_file,
            "action ENE-A90 : « hidden » n'a pas sa place dans la boîte à outils nationale",
        ),
        (scheme_without_source, "dispositif aide-essai : « source_url » est obligatoire pour un dispositif national"),
        (scheme_of_unknown_kind, "dispositif aide-essai : nature « pret » inconnue"),
        (scheme_with_bad_date, "dispositif aide-essai : « valid_until » doit être une date AAAA-MM-JJ."),
        (partner_with_bad_code, "partenaire CCI Essai : le code ne peut contenir que des minuscules"),
    ],
)
def test_each_problem_is_reported_with_its_location(in_a, national_v1, mutate, expected):
    data = copy.deepcopy(national_v1)
    mutate(data)

    found = messages(data)

    assert any(message.startswith(expected) for message in found), found


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            set_key("LOC-01", "adapted_fields", ["title"]),
            "action LOC-01 : « adapted_fields » ne concerne qu'une action",
        ),
        (set_key("LOC-01", "origin", "regionale"), "action LOC-01 : origine « regionale » inconnue"),
        (set_key("LOC-02", "hidden", "oui"), "action LOC-02 : « hidden » doit valoir true ou false."),
        (set_key("LOC-02", "order", -1), "action LOC-02 : « order » doit être un entier positif ou nul."),
        (set_key("LOC-01", "code", "LOC 01"), "action LOC 01 : le code ne peut contenir que des majuscules"),
    ],
)
def test_each_problem_of_a_territory_file_is_reported_with_its_location(in_a, territory_file, mutate, expected):
    data = copy.deepcopy(territory_file)
    mutate(data)

    found = messages(data, national=False)

    assert any(message.startswith(expected) for message in found), found


def test_a_territory_file_is_valid_and_needs_no_national_code_pattern(in_a, territory_file):
    assert messages(territory_file, national=False) == []
    assert any("obligatoire pour un dispositif national" in message for message in messages(territory_file))


def test_every_problem_is_reported_at_once(in_a, national_v1):
    data = copy.deepcopy(national_v1)
    for mutate in (
        set_key("ENE-A90", "cost", "cheap"),
        set_link("ENE-A90", 1, up_to_step=4),
        scheme_without_source,
        step_with_bad_url,
        prerequisite_cycle,
    ):
        mutate(data)

    found = validate_toolbox(data, national=True)

    assert [problem.location for problem in found] == [
        "dispositif aide-essai",
        "action PIL-A90, étape 2",
        "action ENE-A90",
        "action ENE-A90, question liée 2",
        "action PIL-A90",
    ], found


def test_an_action_that_is_its_own_prerequisite_is_reported_once(in_a, national_v1):
    data = copy.deepcopy(national_v1)
    set_key("ENE-A90", "prerequisites", ["ENE-A90"])(data)

    assert messages(data) == ["action ENE-A90 : une action ne peut pas être son propre prérequis."]


def test_a_file_that_is_not_a_toolbox_is_reported(in_a):
    assert messages(["a", "list"]) == ["fichier : le contenu doit être un dictionnaire avec une liste « actions »."]
    assert messages({"title": "Boîte", "version": "1"}) == ["boîte à outils : la liste « actions » est obligatoire."]


def test_without_a_published_referential_every_link_is_refused(national_v1):
    found = validate_toolbox(national_v1, national=True, referential=PublishedReferential(published=False))

    assert str(found[0]) == (
        "territoire : aucun référentiel n'est publié : les actions ne peuvent être liées à aucune question."
    )


@pytest.mark.parametrize("national", [True, False])
def test_an_invalid_file_changes_nothing(in_a, national_v1, national, territory_file):
    load_toolbox(territory_file)
    data = copy.deepcopy(national_v1)
    set_link("MOB-A90", 0, up_to_step=2)(data)  # the last action: everything before it would be written
    if not national:
        for item in data["schemes"]:
            item.pop("source_url")
    before, dumped = counts(), dump_toolbox()

    with pytest.raises(ToolboxFormatError) as error:
        load_toolbox(data, national=national)

    assert [problem.location for problem in error.value.problems] == ["action MOB-A90, question liée 1"]
    assert counts() == before
    assert dump_toolbox() == dumped


ODD_VALUES = [None, "", "texte", 3, 2.5, True, [], [None], [{}], [[1]], {}, {"a": 1}]


def _odd_places():
    yield from (("action", key) for key in ACTION_KEYS + TERRITORY_ACTION_KEYS)
    yield from (("scheme", key) for key in SCHEME_KEYS + ("origin",))
    yield from (("step", key) for key in STEP_KEYS)
    yield from (("question", key) for key in QUESTION_KEYS)


@pytest.mark.parametrize(("item", "key"), list(_odd_places()))
def test_odd_values_are_reported_never_raised(in_a, national_v1, item, key):
    """Whatever a hand-edited file puts under a key, validation answers with problems, not an exception."""
    referential = published_referential()
    for value in ODD_VALUES:
        data = copy.deepcopy(national_v1)
        ene = action(data, "ENE-A90")
        target = {
            "action": ene,
            "scheme": data["schemes"][0],
            "step": ene["steps"][0],
            "question": ene["questions"][0],
        }[item]
        target[key] = value
        data["schemes"].append(value)
        data["actions"].append(value)

        for national in (True, False):
            assert validate_toolbox(data, national=national, referential=referential), (key, value)


def with_new_actions(data, count):
    """`data` plus `count` national actions, each with steps, a question link, a prerequisite, a scheme, a partner."""
    data = copy.deepcopy(data)
    for index in range(count):
        item = copy.deepcopy(action(data, "ENE-A90"))
        item["code"] = f"ENE-A{50 + index}"
        data["actions"].append(item)
    return data


def test_a_national_load_costs_the_same_statements_for_few_or_many_new_actions(in_a, national_v1):
    def statements(count):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            load_toolbox(with_new_actions(national_v1, count), national=True)
            transaction.set_rollback(True)
        return len(queries)

    assert statements(2) == statements(20)


def test_a_load_moves_the_toolbox_revision_that_keys_the_rankings(in_a, national_v1, territory_file):
    """Bulk inserts send no post_save: the statement triggers move the revision (migration 0005) that the
    cached rankings and fragments are keyed on (toolbox/recommendations.py)."""
    load_toolbox(national_v1, national=True)
    before = toolbox_revision()

    load_toolbox(territory_file)  # new local actions only: bulk-created

    assert toolbox_revision() > before
