"""The national library of workshop formats: the file's own quality, its validation (French, with
locations, all or nothing), its loading into each territory and its re-import, which updates the
national formats and leaves the territories' copies alone."""

import copy

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection

from events.enums import WorkshopPhase
from events.format_services import copy_format
from events.formats_loader import (
    NATIONAL_FORMATS,
    FormatsFileError,
    load_national_formats,
    read_formats_file,
    validate_formats,
)
from events.models import FormatStep, WorkshopFormat
from toolbox.enums import Origin
from toolbox.loader import NATIONAL_TOOLBOX

from .format_factories import WorkshopFormatFactory


def national_data():
    return read_formats_file(NATIONAL_FORMATS)


def national_action_codes():
    with open(NATIONAL_TOOLBOX, encoding="utf-8") as handle:
        return {action["code"] for action in yaml.safe_load(handle)["actions"]}


# ---- the national file alone ---------------------------------------------------------------------


def test_the_national_file_is_valid_against_the_national_toolbox():
    assert validate_formats(national_data(), action_codes=national_action_codes()) == []


def test_the_national_library_has_the_formats_the_programme_needs():
    formats = national_data()["formats"]
    codes = {item["code"] for item in formats}
    assert len(formats) >= 6
    assert {"world-cafe", "un-deux-quatre-tous", "codeveloppement", "speed-meeting", "debriefing-visite"} <= codes
    assert "atelier-engagement" in codes
    # Every phase of a cycle of workshops has at least one format.
    assert {item["phase"] for item in formats} == set(WorkshopPhase.values)


@pytest.mark.parametrize("item", national_data()["formats"], ids=lambda item: item["code"])
def test_each_national_format_is_complete_and_its_minutes_add_up(item):
    assert sum(step["minutes"] for step in item["steps"]) == item["duration_minutes"]
    assert item["phase"] in WorkshopPhase.values
    assert 1 <= item["group_min"] <= item["group_max"]
    assert len(item["steps"]) >= 4
    assert item["materials"] and item["facilitator_roles"] and item["actions"]
    assert set(item["actions"]) <= national_action_codes()
    for step in item["steps"]:
        # Instructions for the facilitator, not a title repeated.
        assert len(step["instructions"]) >= 80, step["title"]
    assert len(item["objective"]) >= 120


def test_the_commitment_workshop_ends_with_each_organisation_s_next_action():
    item = next(item for item in national_data()["formats"] if item["code"] == "atelier-engagement")
    assert item["phase"] == WorkshopPhase.COMMIT
    assert "plan" in item["steps"][-1]["instructions"]


# ---- validation ----------------------------------------------------------------------------------


def broken_data():
    data = copy.deepcopy(national_data())
    world_cafe = next(item for item in data["formats"] if item["code"] == "world-cafe")
    world_cafe["phase"] = "reflechir"
    world_cafe["steps"][1]["minutes"] = 25  # five minutes too many
    world_cafe["actions"].append("ZZZ-A99")
    world_cafe["durée"] = 90
    speed = next(item for item in data["formats"] if item["code"] == "speed-meeting")
    speed["group_max"] = 6
    speed["steps"][0]["minutes"] = "dix"
    del speed["steps"][2]["title"]
    data["formats"].append({**copy.deepcopy(world_cafe), "phase": "explore"})  # the same code twice
    data["formats"].append({"code": "Pas Un Code", "name": "", "phase": "open", "steps": []})
    return data


def test_every_problem_is_reported_in_french_with_its_location():
    problems = validate_formats(broken_data(), action_codes=national_action_codes())
    found = {(problem.location, problem.message) for problem in problems}

    assert (
        "déroulé world-cafe",
        "clé « durée » inconnue (clés possibles : code, name, objective, phase, "
        "duration_minutes, group_min, group_max, materials, facilitator_roles, actions, steps).",
    ) in found
    assert (
        "déroulé world-cafe",
        "phase « reflechir » inconnue (phases possibles : open (Ouvrir), explore (Explorer), converge (Converger), "
        "commit (S'engager)).",
    ) in found
    assert ("déroulé world-cafe", "l’action ZZZ-A99 n’existe pas dans la boîte à outils.") in found
    assert (
        "déroulé world-cafe",
        "les étapes durent 95 min, soit 5 min de plus que la durée du déroulé (90 min).",
    ) in found
    assert ("déroulé speed-meeting", "« group_max » (6) est inférieur à « group_min » (12) : inversez-les ?") in found
    assert ("déroulé speed-meeting, étape 1", "« minutes » doit être un nombre entier d’au moins 1.") in found
    assert ("déroulé speed-meeting, étape 3", "« title » est obligatoire.") in found
    assert ("déroulé world-cafe", "ce code de déroulé est utilisé deux fois.") in found
    locations = {problem.location for problem in problems}
    assert "déroulé Pas Un Code" in locations
    messages = [problem.message for problem in problems if problem.location == "déroulé Pas Un Code"]
    assert any(message.startswith("code « Pas Un Code » invalide") for message in messages)
    assert "« name » est obligatoire." in messages
    assert "un déroulé a au moins une étape (« steps »)." in messages
    assert "« duration_minutes » est obligatoire." in messages


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "le contenu doit être un dictionnaire avec une liste « formats »."),
        ({"title": "Sans formats"}, "la liste « formats » est obligatoire."),
        ({"formats": []}, "la liste « formats » est vide."),
        ({"formats": "world-cafe"}, "« formats » doit être une liste."),
    ],
)
def test_a_file_without_formats_is_refused(data, message):
    assert [problem.message for problem in validate_formats(data, action_codes=set())] == [message]


def test_steps_short_of_the_duration_say_how_much_is_missing():
    data = copy.deepcopy(national_data())
    data["formats"][0]["steps"][0]["minutes"] -= 4
    problems = validate_formats(data, action_codes=national_action_codes())
    assert [str(problem) for problem in problems] == [
        "déroulé speed-meeting : les étapes durent 56 min, soit 4 min de moins que la durée du déroulé (60 min)."
    ]


def test_unreadable_yaml_is_refused_with_its_line(tmp_path):
    path = tmp_path / "deroules.yaml"
    path.write_text("formats:\n  - code: [world-cafe\n", encoding="utf-8")
    with pytest.raises(FormatsFileError) as error:
        read_formats_file(path)
    assert error.value.problems[0].location.startswith("ligne ")


# ---- loading into a territory --------------------------------------------------------------------


def test_a_new_territory_gets_the_national_library(in_a):
    data = national_data()
    formats = WorkshopFormat.objects.filter(origin=Origin.NATIONAL).prefetch_related("steps", "actions")
    assert {row.code for row in formats} == {item["code"] for item in data["formats"]}
    by_code = {row.code: row for row in formats}
    for item in data["formats"]:
        row = by_code[item["code"]]
        assert [step.title for step in row.steps.all()] == [step["title"] for step in item["steps"]]
        assert sum(step.minutes for step in row.steps.all()) == row.duration_minutes == item["duration_minutes"]
        assert sorted(action.code for action in row.actions.all()) == sorted(item["actions"])
        assert row.materials.splitlines() == item["materials"]
        assert not row.hidden


def test_an_invalid_file_changes_nothing(in_a):
    before = list(WorkshopFormat.objects.order_by("code").values_list("code", "name", "hidden"))
    steps = FormatStep.objects.count()
    data = copy.deepcopy(national_data())
    data["formats"][0]["name"] = "Nouveau nom"
    data["formats"].append({**copy.deepcopy(data["formats"][1]), "code": "nouveau", "phase": "debattre"})

    with pytest.raises(FormatsFileError) as error:
        load_national_formats(data)

    assert [str(problem) for problem in error.value.problems] == [
        "déroulé nouveau : phase « debattre » inconnue (phases possibles : open (Ouvrir), explore (Explorer), "
        "converge (Converger), commit (S'engager))."
    ]
    assert list(WorkshopFormat.objects.order_by("code").values_list("code", "name", "hidden")) == before
    assert FormatStep.objects.count() == steps


def test_a_format_may_only_name_the_territory_s_actions(in_a):
    data = copy.deepcopy(national_data())
    data["formats"][0]["actions"] = ["ROLES-INCONNUE"]
    with pytest.raises(FormatsFileError) as error:
        load_national_formats(data)
    assert [problem.message for problem in error.value.problems] == [
        "l’action ROLES-INCONNUE n’existe pas dans la boîte à outils."
    ]


def test_a_new_edition_updates_national_formats_and_leaves_the_territory_s_copies_alone(
    in_a, django_assert_max_num_queries
):
    world_cafe = WorkshopFormat.objects.get(code="world-cafe")
    world_cafe_copy = copy_format(world_cafe)
    world_cafe_copy.name = "Notre world café"
    world_cafe_copy.save()
    copy_steps = list(world_cafe_copy.steps.values_list("title", "minutes"))
    own = WorkshopFormatFactory(code="notre-format", name="Notre format")
    clash = WorkshopFormatFactory(code="nouveau-national", name="Déjà pris localement")
    WorkshopFormat.objects.filter(code="codeveloppement").update(hidden=True)  # staff hid it

    edition = copy.deepcopy(national_data())
    cafe = next(item for item in edition["formats"] if item["code"] == "world-cafe")
    cafe["name"] = "World café (édition 2027)"
    cafe["steps"][0]["title"] = "Accueil"
    cafe["actions"] = ["DEC-A06"]
    edition["formats"] = [item for item in edition["formats"] if item["code"] != "speed-meeting"]
    edition["formats"].append({**copy.deepcopy(cafe), "code": "nouveau-national", "name": "Nouveau"})
    with django_assert_max_num_queries(30):
        summary = load_national_formats(edition)

    world_cafe.refresh_from_db()
    assert world_cafe.name == "World café (édition 2027)"
    assert world_cafe.steps.first().title == "Accueil"
    assert list(world_cafe.actions.values_list("code", flat=True)) == ["DEC-A06"]
    # The territory's copy, its own format and the local row of the same code as a new national one: untouched.
    world_cafe_copy.refresh_from_db()
    assert world_cafe_copy.name == "Notre world café"
    assert world_cafe_copy.copied_from == world_cafe
    assert list(world_cafe_copy.steps.values_list("title", "minutes")) == copy_steps
    assert world_cafe_copy.actions.count() == 4
    own.refresh_from_db(), clash.refresh_from_db()
    assert (own.name, clash.name, clash.origin) == ("Notre format", "Déjà pris localement", Origin.LOCAL)
    # A national format that left the file is hidden, not deleted; one staff hid stays hidden.
    assert WorkshopFormat.objects.get(code="speed-meeting").hidden
    assert WorkshopFormat.objects.get(code="codeveloppement").hidden
    assert summary.hidden == ["speed-meeting"]
    assert summary.kept_local == ["nouveau-national"]
    assert summary.created == []


def test_loading_the_same_edition_twice_changes_nothing(in_a, django_assert_num_queries):
    def state():
        return (
            list(WorkshopFormat.objects.order_by("code").values_list("code", "name", "hidden", "duration_minutes")),
            list(FormatStep.objects.order_by("format__code", "order").values_list("format__code", "title", "minutes")),
            sorted(WorkshopFormat.actions.through.objects.values_list("workshopformat__code", "action__code")),
        )

    before = state()
    step_ids = sorted(FormatStep.objects.values_list("pk", flat=True))
    data = national_data()
    # The savepoint and its release, the actions' codes, the lock, the formats with their steps and actions:
    # no write.
    with django_assert_num_queries(7):
        summary = load_national_formats(data)
    assert state() == before
    assert sorted(FormatStep.objects.values_list("pk", flat=True)) == step_ids
    assert summary.created == summary.updated == summary.hidden == []
    assert len(summary.unchanged) == 7


def test_another_territory_s_edition_stays_in_its_schema(in_a, territory_b):
    edition = copy.deepcopy(national_data())
    edition["formats"][0]["name"] = "Speed-meeting à la mode de A"
    load_national_formats(edition)
    copy_format(WorkshopFormat.objects.get(code="world-cafe"))

    connection.set_tenant(territory_b)
    assert WorkshopFormat.objects.get(code="speed-meeting").name == "Speed-meeting entre organisations engagées"
    assert not WorkshopFormat.objects.filter(origin=Origin.LOCAL).exists()


# ---- the command ---------------------------------------------------------------------------------


def test_the_command_imports_an_edition_into_one_territory(in_a, tmp_path, capsys):
    edition = copy.deepcopy(national_data())
    edition["formats"][0]["name"] = "Speed-meeting (nouvelle édition)"
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(edition, allow_unicode=True), encoding="utf-8")
    connection.set_schema_to_public()

    call_command("import_formats", "--territory", in_a.slug, str(path))

    out = capsys.readouterr().out
    assert "Déroulés nationaux importés dans « Territoire A » : 0 créé, 1 mis à jour, 6 inchangés." in out
    connection.set_tenant(in_a)
    assert WorkshopFormat.objects.get(code="speed-meeting").name == "Speed-meeting (nouvelle édition)"


def test_the_command_refuses_an_invalid_file_and_says_why(in_a, tmp_path):
    data = copy.deepcopy(national_data())
    data["formats"][0]["duration_minutes"] = 61
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    connection.set_schema_to_public()

    with pytest.raises(CommandError) as error:
        call_command("import_formats", "--all", str(path))

    assert str(error.value) == (
        f"« {path} » n'a pas été importé dans « Territoire A », rien n'y a changé (1 problème) :\n"
        "- déroulé speed-meeting : les étapes durent 60 min, soit 1 min de moins que la durée du déroulé (61 min)."
    )
