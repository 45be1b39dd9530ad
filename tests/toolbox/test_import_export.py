"""The toolbox workbook and the export_toolbox / import_toolbox commands."""

import copy
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from tenants.services import TerritorySpec, provision_territory
from toolbox.enums import Origin
from toolbox.loader import (
    NATIONAL_TOOLBOX,
    ToolboxFormatError,
    dump_toolbox,
    load_toolbox,
    national_values,
    read_yaml,
)
from toolbox.management import toolbox_yaml
from toolbox.models import Action, ActionQuestion, ActionStep, Partner, Scheme
from toolbox.spreadsheet import read_workbook, workbook_bytes

BASE_DIR = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def national_v1():
    return read_yaml(DATA / "national_v1.yaml")


@pytest.fixture(scope="module")
def territory_file():
    return read_yaml(DATA / "territory.yaml")


@pytest.fixture
def loaded(in_a, national_v1, territory_file):
    """Territory A with the test national toolbox and a territory file on top of its own."""
    load_toolbox(national_v1, national=True)
    load_toolbox(territory_file)
    return dump_toolbox()


def reopened(content, edit=None):
    """The workbook as a spreadsheet program gives it back: opened, maybe edited, saved again."""
    workbook = load_workbook(io.BytesIO(content))
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column(sheet, title):
    return [cell.value for cell in sheet[1]].index(title) + 1


def row_of(sheet, title, value):
    index = column(sheet, title)
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, index).value == value)


def set_cell(workbook, sheet_title, code, title, value, code_title="code"):
    sheet = workbook[sheet_title]
    sheet.cell(row_of(sheet, code_title, code), column(sheet, title), value)


def problems_of(content, national=False):
    with pytest.raises(ToolboxFormatError) as error:
        read_workbook(io.BytesIO(content), national=national)
    return [str(problem) for problem in error.value.problems]


def dump_of(territory):
    with schema_context(territory.schema_name):
        return dump_toolbox()


def action(data, code):
    return next(item for item in data["actions"] if item["code"] == code)


# ---- workbook ⇄ data ------------------------------------------------------------------------------------


def test_workbook_round_trip_is_identical(loaded):
    assert read_workbook(io.BytesIO(reopened(workbook_bytes(loaded)))) == loaded


def test_workbook_round_trip_through_the_database_is_identical(loaded):
    data = read_workbook(io.BytesIO(reopened(workbook_bytes(loaded))))

    load_toolbox(data)

    assert dump_toolbox() == loaded


def test_workbook_has_one_sheet_per_table_with_french_titles(loaded):
    workbook = load_workbook(io.BytesIO(workbook_bytes(loaded)))

    assert workbook.sheetnames == ["Actions", "Étapes", "Questions liées", "Dispositifs", "Partenaires"]
    assert [cell.value for cell in workbook["Étapes"][1]] == ["action", "texte", "lien"]
    assert [cell.value for cell in workbook["Questions liées"][1]] == ["action", "question", "jusqu'à l'échelon"]
    actions = workbook["Actions"]
    ene = row_of(actions, "code", "ENE-A90")
    assert actions.cell(ene, column(actions, "titre")).value == "Suivre ses consommations"
    assert actions.cell(ene, column(actions, "gain CO2 (t/an)")).value == 1.5
    bands = actions.cell(ene, column(actions, "tranches d'effectif"))
    assert (bands.value, bands.data_type, bands.number_format) == ("11, 12", "s", "@")
    assert actions.max_row - 1 == len(loaded["actions"])
    schemes = workbook["Dispositifs"]
    assert schemes.cell(row_of(schemes, "code", "aide-essai"), column(schemes, "valable jusqu'au")).value.date() == (
        date(2027, 12, 31)
    )


def test_values_typed_in_excel_are_read_as_meant(loaded):
    """What Excel does to typed values: numbers for codes, TRUE, decimal commas, oui/non."""

    def edit(workbook):
        set_cell(workbook, "Actions", "ENE-A90", "tranches d'effectif", 1)  # « 01 » typed in a General cell
        set_cell(workbook, "Actions", "ENE-A90", "niveaux", 2)
        set_cell(workbook, "Actions", "ENE-A90", "gain CO2 (t/an)", "2,5")
        set_cell(workbook, "Actions", "LOC-01", "masquée", "oui")
        set_cell(workbook, "Actions", "LOC-01", "ordre", "4")
        set_cell(workbook, "Dispositifs", "aide-essai", "vérifié le", "2026-12-01")
        links = workbook["Questions liées"]
        links.cell(row_of(links, "action", "ENE-A90"), column(links, "jusqu'à l'échelon"), "1")

    data = read_workbook(io.BytesIO(reopened(workbook_bytes(loaded), edit)))

    ene = action(data, "ENE-A90")
    assert (ene["headcount_bands"], ene["levels"], ene["co2_tonnes_per_year"]) == (["01"], [2], 2.5)
    assert ene["questions"][0] == {"code": "ENE-01", "up_to_step": 1}
    assert (action(data, "LOC-01")["hidden"], action(data, "LOC-01")["order"]) == (True, 4)
    assert next(s for s in data["schemes"] if s["code"] == "aide-essai")["checked_on"] == date(2026, 12, 1)


def test_a_national_workbook_needs_no_territory_columns(in_a, national_v1):
    def edit(workbook):
        for title in ("origine", "masquée", "ordre", "champs adaptés"):
            workbook["Actions"].delete_cols(column(workbook["Actions"], title))

    content = reopened(workbook_bytes(national_v1), edit)
    data = read_workbook(io.BytesIO(content), national=True)

    # The same national content (texts stripped of the YAML block's final newline).
    assert [national_values(item) for item in data["actions"]] == [national_values(i) for i in national_v1["actions"]]
    assert (data["schemes"], data["partners"]) == (national_v1["schemes"], national_v1["partners"])
    assert load_toolbox(data, national=True).created == ["PIL-A90", "ENE-A90", "MOB-A90"]


# ---- workbook problems, with their sheet and row -----------------------------------------------------------


def test_missing_sheet_and_missing_column_are_reported_alone(loaded):
    def edit(workbook):
        del workbook["Partenaires"]
        workbook["Actions"].delete_cols(column(workbook["Actions"], "promesse"))

    assert problems_of(reopened(workbook_bytes(loaded), edit)) == [
        "feuille Actions : la colonne « promesse » manque (ligne 1).",
        "feuille Partenaires : cette feuille manque dans le classeur.",
    ]


def test_cell_and_content_problems_are_reported_together_with_sheet_row_and_code(loaded):
    def edit(workbook):
        set_cell(workbook, "Actions", "ENE-A90", "coût", "gratuit")
        set_cell(workbook, "Actions", "LOC-02", "masquée", "peut-être")
        set_cell(workbook, "Actions", "MOB-A90", "prérequis", "MOB-A99")
        set_cell(workbook, "Dispositifs", "aide-locale", "nature", "prime")
        steps, links = workbook["Étapes"], workbook["Questions liées"]
        steps.cell(row_of(steps, "action", "PIL-A90") + 1, column(steps, "lien"), "pas un lien")
        steps.cell(row_of(steps, "action", "LOC-01"), column(steps, "action"), "LOC-99")
        links.cell(row_of(links, "action", "ENE-A90") + 1, column(links, "jusqu'à l'échelon"), 9)
        workbook["Actions"]["Z1"] = "commentaire"

    content = reopened(workbook_bytes(loaded), edit)
    found = problems_of(content)

    workbook = load_workbook(io.BytesIO(content))
    actions, steps, links, schemes = (
        workbook[title] for title in ("Actions", "Étapes", "Questions liées", "Dispositifs")
    )
    ene, loc02, mob = (row_of(actions, "code", code) for code in ("ENE-A90", "LOC-02", "MOB-A90"))
    pil_step = row_of(steps, "action", "PIL-A90") + 1
    expected = [
        # the workbook's own problems
        "feuille Actions, colonne Z : colonne « commentaire » inconnue",
        f"feuille Actions, ligne {loc02} (action LOC-02) : « hidden » : « peut-être » n'est pas une valeur oui/non",
        f"feuille Étapes, ligne {row_of(steps, 'action', 'LOC-99')} (action LOC-99) : l'action « LOC-99 » n'existe pas",
        # the content's problems, mapped to their rows
        f"feuille Dispositifs, ligne {row_of(schemes, 'code', 'aide-locale')} (dispositif aide-locale) : "
        "nature « prime »",
        f"feuille Actions, ligne {ene} (action ENE-A90) : « cost » : « gratuit » inconnu",
        f"feuille Questions liées, ligne {row_of(links, 'action', 'ENE-A90') + 1} (action ENE-A90, question liée 2) : "
        "« up_to_step » doit être un entier de 1 à 3",
        f"feuille Étapes, ligne {pil_step} (action PIL-A90, étape 2) : « url » n'est pas une adresse web valide",
        f"feuille Actions, ligne {mob} (action MOB-A90) : le prérequis « MOB-A99 » n'est pas une action du fichier.",
    ]
    for message in expected:
        assert any(problem.startswith(message) for problem in found), (message, found)
    assert len(found) == len(expected), found


def test_a_file_that_is_not_a_workbook_is_reported():
    assert problems_of(b"not a zip")[0].startswith("fichier : ce n'est pas un classeur Excel (.xlsx) lisible")


# ---- the commands ----------------------------------------------------------------------------------------------


def test_export_writes_yaml_with_a_top_level_actions_list(loaded, territory_a):
    out = io.StringIO()

    call_command("export_toolbox", "--territory", territory_a.slug, stdout=out)

    data = yaml.safe_load(out.getvalue())
    assert data == loaded
    assert list(data) == ["schemes", "partners", "actions"]
    assert out.getvalue() == toolbox_yaml(loaded)


def test_export_to_a_file_takes_the_format_from_its_extension(loaded, territory_a, tmp_path):
    out = io.StringIO()
    path = tmp_path / "boite.xlsx"

    call_command("export_toolbox", "--territory", territory_a.slug, "--output", str(path), stdout=out)

    assert read_workbook(path) == loaded
    assert f"exportée dans {path}" in out.getvalue()


def test_import_of_a_territory_yaml_creates_and_updates_by_code(in_a, territory_a, territory_file, tmp_path):
    data = copy.deepcopy(territory_file)
    path = tmp_path / "boite.yaml"
    path.write_text(toolbox_yaml(data), encoding="utf-8")
    out = io.StringIO()

    call_command("import_toolbox", "--territory", territory_a.slug, str(path), stdout=out)
    action(data, "LOC-01")["title"] = "Rejoindre le club climat"
    path.write_text(toolbox_yaml(data), encoding="utf-8")
    call_command("import_toolbox", "--territory", territory_a.slug, str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "Boîte à outils importée dans « Territoire A » : 2 actions créées, 0 mise à jour.",
        "Boîte à outils importée dans « Territoire A » : 0 action créée, 2 mises à jour.",
    ]
    connection.set_tenant(territory_a)
    assert Action.objects.get(code="LOC-01").title == "Rejoindre le club climat"
    assert Action.objects.get(code="LOC-02").hidden


def test_exported_workbook_imports_back_without_loss(loaded, territory_a, tmp_path):
    path = tmp_path / "boite.xlsx"
    call_command("export_toolbox", "--territory", territory_a.slug, "--output", str(path), stdout=io.StringIO())

    call_command("import_toolbox", "--territory", territory_a.slug, str(path), stdout=io.StringIO())

    assert dump_of(territory_a) == loaded


def test_national_import_reports_what_it_kept_and_hid(in_a, territory_a, national_v1, tmp_path):
    load_toolbox(national_v1, national=True)
    ene = Action.objects.get(code="ENE-A90")
    ene.title, ene.adapted_fields = "Notre titre", ["title"]
    ene.save()
    out = io.StringIO()

    call_command(
        "import_toolbox", "--territory", territory_a.slug, "--national", str(DATA / "national_v2.yaml"), stdout=out
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == "Boîte à outils nationale importée dans « Territoire A » : 1 action créée, 2 mises à jour."
    assert lines[1].startswith("Retirées du fichier national, donc masquées (pas supprimées) : ")
    assert "MOB-A90" in lines[1]
    assert lines[2] == "Champs adaptés par le territoire, laissés tels quels : ENE-A90 (title)."
    connection.set_tenant(territory_a)
    assert Action.objects.get(code="ENE-A90").title == "Notre titre"


def test_invalid_file_is_refused_with_every_problem_and_changes_nothing(loaded, territory_a, tmp_path):
    data = copy.deepcopy(loaded)
    action(data, "LOC-02")["questions"][0]["up_to_step"] = 7
    action(data, "ENE-A90")["cost"] = "cheap"
    path = tmp_path / "boite.yaml"
    path.write_text(toolbox_yaml(data), encoding="utf-8")
    counts = [model.objects.count() for model in (Action, ActionStep, ActionQuestion, Scheme, Partner)]

    with pytest.raises(CommandError) as error:
        call_command("import_toolbox", "--territory", territory_a.slug, str(path))

    assert str(error.value).splitlines() == [
        f"« {path} » n'a pas été importé, rien n'a changé (2 problèmes) :",
        "- action ENE-A90 : « cost » : « cheap » inconnu (attendus : free, low, medium, high).",
        "- action LOC-02, question liée 1 : « up_to_step » doit être un entier de 1 à 6 pour la question « MOB-03 » "
        "(échelon le plus haut : 7, où l'action n'est plus recommandée).",
    ]
    connection.set_tenant(territory_a)
    assert [model.objects.count() for model in (Action, ActionStep, ActionQuestion, Scheme, Partner)] == counts
    assert dump_toolbox() == loaded


def test_invalid_workbook_is_refused_with_sheet_and_row(loaded, territory_a, tmp_path):
    def edit(workbook):
        set_cell(workbook, "Actions", "LOC-01", "thème principal", "CLIMAT")

    path = tmp_path / "boite.xlsx"
    path.write_bytes(reopened(workbook_bytes(loaded), edit))
    line = row_of(load_workbook(path)["Actions"], "code", "LOC-01")

    with pytest.raises(CommandError) as error:
        call_command("import_toolbox", "--territory", territory_a.slug, str(path))

    assert f"- feuille Actions, ligne {line} (action LOC-01) : thème principal « CLIMAT » inconnu" in str(error.value)
    assert dump_of(territory_a) == loaded


def test_unreadable_yaml_is_refused_with_its_line(db, territory_a, tmp_path):
    path = tmp_path / "casse.yaml"
    path.write_text("actions:\n  - code: [ENE\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"rien n'a changé \(1 problème\) :\n- ligne \d+ : YAML illisible"):
        call_command("import_toolbox", "--territory", territory_a.slug, str(path))


def test_commands_refuse_unknown_territory_missing_file_and_unknown_extension(db, territory_a, tmp_path):
    with pytest.raises(CommandError, match="Territoire « nulle-part » inconnu. Territoires existants : "):
        call_command("export_toolbox", "--territory", "nulle-part")
    with pytest.raises(CommandError, match="Le fichier « .*absent.yaml » est introuvable."):
        call_command("import_toolbox", "--territory", territory_a.slug, str(tmp_path / "absent.yaml"))
    with pytest.raises(CommandError, match="l'extension doit être .yaml, .yml ou .xlsx"):
        call_command("import_toolbox", "--territory", territory_a.slug, str(tmp_path / "boite.csv"))


# ---- isolation and provisioning ------------------------------------------------------------------------------------


def test_import_into_one_territory_leaves_the_other_unchanged(db, territory_a, territory_b, tmp_path):
    before = dump_of(territory_b)

    call_command("import_toolbox", "--territory", territory_a.slug, str(DATA / "territory.yaml"), stdout=io.StringIO())
    call_command(
        "import_toolbox",
        "--territory",
        territory_a.slug,
        "--national",
        str(DATA / "national_v2.yaml"),
        stdout=io.StringIO(),
    )

    assert dump_of(territory_b) == before
    assert "LOC-01" in {item["code"] for item in dump_of(territory_a)["actions"]}
    with schema_context(territory_b.schema_name):
        assert not Action.objects.filter(code__in=["LOC-01", "DEC-A90"]).exists()


def test_a_new_territory_gets_the_national_toolbox(db, territories):
    national = read_yaml(NATIONAL_TOOLBOX)

    territory = provision_territory(
        TerritorySpec(
            name="CC d'essai",
            slug="toolbox-essai",
            domain="toolbox-essai.localhost",
            admin_email="admin@toolbox-essai.example",
            kind="cc",
            siren="200070118",
        )
    ).territory

    with schema_context(territory.schema_name):
        actions = Action.objects.in_bulk(field_name="code")
        assert set(actions) == {item["code"] for item in national["actions"]}
        assert all(row.origin == Origin.NATIONAL and not row.hidden for row in actions.values())
        for item in national["actions"]:
            row = actions[item["code"]]
            assert row.national_data == national_values(item)
            assert list(row.question_links.order_by("pk").values_list("question_code", "up_to_step")) == [
                (link["code"], link["up_to_step"]) for link in item["questions"]
            ]
            assert list(row.steps.values_list("text", flat=True)) == [
                step["text"].strip() for step in item.get("steps", [])
            ]
        assert set(Scheme.objects.values_list("code", flat=True)) == {
            item["code"] for item in national.get("schemes", [])
        }


def manage(*args):
    """Run manage.py in a child process on the test database (it sees the committed session territories)."""
    db = connection.settings_dict
    if db["HOST"].startswith("/"):
        url = f"postgresql://{db['USER']}@/{db['NAME']}?host={db['HOST']}"
    else:
        url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "ASSETT_TESTING": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, timeout=120, check=False
    )


def test_command_line_pipes_a_workbook_and_a_refused_import_says_why_and_exits_non_zero(db, territory_a, tmp_path):
    exported = manage("export_toolbox", "--territory", territory_a.slug, "--format", "xlsx")

    assert exported.returncode == 0, exported.stderr.decode()
    with schema_context(territory_a.schema_name):
        assert read_workbook(io.BytesIO(exported.stdout)) == dump_toolbox()

    path = tmp_path / "boite.yaml"
    path.write_text(toolbox_yaml({"actions": [{"code": "X-1", "title": "Sans rien"}]}), encoding="utf-8")
    before = dump_of(territory_a)

    refused = manage("import_toolbox", "--territory", territory_a.slug, str(path))

    assert refused.returncode == 1
    error = refused.stderr.decode()
    assert f"CommandError: « {path} » n'a pas été importé, rien n'a changé (" in error
    assert "- action X-1 : « promise » est obligatoire." in error
    assert "- action X-1 : il faut au moins une question liée" in error
    assert dump_of(territory_a) == before
