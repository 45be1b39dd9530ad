"""The spreadsheet format and the export_referential / import_referential commands."""

import copy
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from organisations.enums import OrganisationKind
from organisations.models import Organisation
from referentiel.enums import AssessmentStatus, VersionStatus
from referentiel.loader import (
    NATIONAL_REFERENTIAL,
    ReferentialFormatError,
    dump_referential,
    load_referential,
    read_yaml,
)
from referentiel.management import referential_yaml
from referentiel.models import Assessment, ReferentialVersion
from referentiel.services import current_version
from referentiel.spreadsheet import read_workbook, workbook_bytes

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def national():
    return read_yaml(NATIONAL_REFERENTIAL)


def question(data, code):
    return next(q for theme in data["themes"] for q in theme["questions"] if q["code"] == code)


def reopened(content, edit=None):
    """The workbook as a spreadsheet program gives it back: opened, maybe edited, saved again."""
    workbook = load_workbook(io.BytesIO(content))
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column(sheet, key):
    header = [cell.value for cell in sheet[1]]
    return header.index(key) + 1


def row_of(sheet, key, value):
    index = column(sheet, key)
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, index).value == value)


def set_cell(workbook, title, code_key, code, key, value):
    sheet = workbook[title]
    sheet.cell(row_of(sheet, code_key, code), column(sheet, key), value)


def problems_of(content):
    with pytest.raises(ReferentialFormatError) as error:
        read_workbook(io.BytesIO(content))
    return [str(problem) for problem in error.value.problems]


def versions_in(territory):
    with schema_context(territory.schema_name):
        return list(ReferentialVersion.objects.order_by("pk").values_list("label", "status"))


# ---- workbook ⇄ data ---------------------------------------------------------------------------------


def test_workbook_round_trip_is_identical(national):
    assert read_workbook(io.BytesIO(workbook_bytes(national))) == national


def test_workbook_round_trip_through_the_database_is_identical(in_a):
    first = dump_referential(current_version())
    data = read_workbook(io.BytesIO(reopened(workbook_bytes(first))))

    assert dump_referential(load_referential(data)) == first


def test_workbook_has_one_sheet_per_item_with_yaml_keys_as_headers(national):
    workbook = load_workbook(io.BytesIO(workbook_bytes(national)))

    assert workbook.sheetnames == ["Référentiel", "Niveaux", "Thèmes", "Questions", "Choix"]
    assert [cell.value for cell in workbook["Questions"][1]] == [
        "theme",
        "code",
        "text",
        "help_text",
        "kind",
        "weight",
        "organisation_kinds",
        "headcount_bands",
        "allow_not_applicable",
        "unit",
        "bands",
    ]
    questions = workbook["Questions"]
    dec03 = row_of(questions, "code", "DEC-03")
    assert questions.cell(dec03, column(questions, "bands")).value == "..25:0; 25..50:1; 50..75:2; 75..:3"
    pil04 = row_of(questions, "code", "PIL-04")
    headcount = questions.cell(pil04, column(questions, "headcount_bands"))
    assert headcount.value == "41, 42, 51, 52, 53"
    assert headcount.data_type == "s" and headcount.number_format == "@"
    assert workbook["Référentiel"]["B2"].value == "2026.1"
    assert workbook["Choix"].max_row - 1 == sum(
        len(q["choices"]) for theme in national["themes"] for q in theme["questions"]
    )


def test_saved_workbook_keeps_leading_zero_bands_decimals_and_formula_like_labels(national):
    data = copy.deepcopy(national)
    data["levels"][1]["threshold"] = 33.33
    ladder = question(data, "ENE-01")
    ladder["headcount_bands"] = ["00", "01", "02", "NN"]
    ladder["choices"][1]["points"] = 0.5
    ladder["choices"][2]["points"] = 1.25
    ladder["choices"][3]["label"] = "=SOMME(A1) n'est pas une formule"
    question(data, "ENE-02")["bands"] = [
        {"min": None, "max": 0.125, "points": 0},
        {"min": 0.125, "max": 12345678901.125, "points": 1.5},
        {"min": 12345678901.125, "max": None, "points": 3},
    ]

    assert read_workbook(io.BytesIO(reopened(workbook_bytes(data)))) == data


def test_values_typed_in_excel_are_read_as_meant(national):
    """What Excel does to typed values: numbers for codes and versions, TRUE, decimal commas."""

    def edit(workbook):
        set_cell(workbook, "Questions", "code", "ENE-01", "headcount_bands", 1)  # « 01 » typed in a General cell
        set_cell(workbook, "Questions", "code", "ENE-01", "allow_not_applicable", "oui")
        set_cell(workbook, "Questions", "code", "ENE-04", "allow_not_applicable", True)
        set_cell(workbook, "Questions", "code", "ENE-05", "weight", "2")
        set_cell(workbook, "Questions", "code", "DEC-03", "bands", "..25:0;25..50:1,5; 50..75:2;75..:3;")
        workbook["Référentiel"]["B2"] = 2027.1  # Excel turned the version into a number
        choices = workbook["Choix"]
        choices.cell(row_of(choices, "question", "ENE-01") + 1, column(choices, "points"), "0,5")

    data = read_workbook(io.BytesIO(reopened(workbook_bytes(national), edit)))

    assert data["version"] == "2027.1"
    assert question(data, "ENE-01")["headcount_bands"] == ["01"]
    assert question(data, "ENE-01")["allow_not_applicable"] is True
    assert question(data, "ENE-04")["allow_not_applicable"] is True
    assert question(data, "ENE-05")["weight"] == 2
    assert question(data, "ENE-01")["choices"][1]["points"] == 0.5
    assert question(data, "DEC-03")["bands"][1] == {"min": 25, "max": 50, "points": 1.5}


def test_blank_rows_are_ignored_and_row_order_is_display_order(national):
    def edit(workbook):
        questions = workbook["Questions"]
        questions.insert_rows(3, amount=2)
        # Move PIL-02 to the end of the sheet: it becomes PIL's last question.
        row = row_of(questions, "code", "PIL-02")
        values = [cell.value for cell in questions[row]]
        questions.delete_rows(row)
        questions.append(values)

    data = read_workbook(io.BytesIO(reopened(workbook_bytes(national), edit)))

    codes = [q["code"] for q in data["themes"][0]["questions"]]
    assert codes[-1] == "PIL-02"
    assert sorted(codes) == sorted(q["code"] for q in national["themes"][0]["questions"])


# ---- workbook problems, with their sheet and row -----------------------------------------------------------


def test_missing_sheet_and_missing_column_are_reported_alone(national):
    def edit(workbook):
        del workbook["Choix"]
        workbook["Questions"].delete_cols(column(workbook["Questions"], "code"))

    assert problems_of(reopened(workbook_bytes(national), edit)) == [
        "feuille Questions : la colonne « code » manque (ligne 1).",
        "feuille Choix : cette feuille manque dans le classeur.",
    ]


def test_cell_and_content_problems_are_reported_together_with_sheet_row_and_code(national):
    def edit(workbook):
        questions, choices, levels = workbook["Questions"], workbook["Choix"], workbook["Niveaux"]
        set_cell(workbook, "Questions", "code", "ENE-04", "weight", 500)
        set_cell(workbook, "Questions", "code", "ENE-05", "allow_not_applicable", "peut-être")
        set_cell(workbook, "Questions", "code", "DEC-03", "bands", "..25:0; 20..50:1; 50..:deux")
        set_cell(workbook, "Questions", "code", "ENE-06", "theme", "ENR")
        set_cell(workbook, "Questions", "code", "ENE-07", "organisation_kinds", "entreprise, collectivite")
        ladder = row_of(choices, "question", "PIL-01")
        choices.cell(ladder, column(choices, "points"), 5)  # decreasing ladder
        choices.cell(ladder + 1, column(choices, "points"), "beaucoup")
        choices.cell(row_of(choices, "question", "EAU-01"), column(choices, "question"), "EAU-99")
        levels.cell(4, column(levels, "threshold"), 20)
        questions["L1"] = "commentaire"

    content = reopened(workbook_bytes(national), edit)
    found = problems_of(content)

    workbook = load_workbook(io.BytesIO(content))
    questions, choices = workbook["Questions"], workbook["Choix"]
    ene05 = row_of(questions, "code", "ENE-05")
    dec03 = row_of(questions, "code", "DEC-03")
    ene06 = row_of(questions, "code", "ENE-06")
    ene07 = row_of(questions, "code", "ENE-07")
    ene04 = row_of(questions, "code", "ENE-04")
    pil01 = row_of(questions, "code", "PIL-01")
    pil01_choice = row_of(choices, "question", "PIL-01")
    eau99 = row_of(choices, "question", "EAU-99")
    expected = [
        # the workbook's own problems
        "feuille Questions, colonne L : colonne « commentaire » inconnue",
        f"feuille Questions, ligne {ene05} (question ENE-05) : « allow_not_applicable » : « peut-être » n'est pas",
        f"feuille Questions, ligne {dec03} (question DEC-03) : « bands » : tranche « 50..:deux » illisible",
        f"feuille Questions, ligne {ene06} (question ENE-06) : le thème « ENR » n'existe pas dans la feuille Thèmes.",
        f"feuille Choix, ligne {eau99} (question EAU-99) : la question « EAU-99 » n'existe pas",
        # the content's problems, mapped to their rows
        "feuille Niveaux, ligne 4 (niveau 3) : les seuils doivent être strictement croissants.",
        f"feuille Questions, ligne {pil01} (question PIL-01) : les choix d'une échelle vont du moins au plus mature",
        f"feuille Choix, ligne {pil01_choice + 1} (question PIL-01, choix 2) : les points doivent être un nombre",
        f"feuille Questions, ligne {ene04} (question ENE-04) : le poids doit être un entier entre 0 et 100.",
        f"feuille Questions, ligne {ene07} (question ENE-07) : type d'organisation « collectivite » inconnu",
        f"feuille Questions, ligne {dec03} (question DEC-03, tranche 2) : cette tranche chevauche la précédente.",
    ]
    for message in expected:
        assert any(problem.startswith(message) for problem in found), (message, found)
    assert len(found) == len(expected), found


def test_duplicate_question_row_is_reported_on_the_copy(national):
    def edit(workbook):
        questions = workbook["Questions"]
        questions.append([cell.value for cell in questions[row_of(questions, "code", "ENE-01")]])

    content = reopened(workbook_bytes(national), edit)
    last = load_workbook(io.BytesIO(content))["Questions"].max_row

    assert problems_of(content) == [
        f"feuille Questions, ligne {last} (question ENE-01) : ce code de question est utilisé deux fois.",
        f"feuille Questions, ligne {last} (question ENE-01) : il faut au moins deux choix.",
    ]


def test_a_file_that_is_not_a_workbook_is_reported():
    assert problems_of(b"title: pas un classeur\n")[0].startswith("fichier : ce n'est pas un classeur Excel")


# ---- export_referential ------------------------------------------------------------------------------------


def test_export_writes_the_published_version_as_yaml_to_standard_output(db, territory_a, national):
    out = io.StringIO()

    call_command("export_referential", "--territory", "territoire-a", stdout=out)
    connection.set_schema_to_public()

    assert out.getvalue().startswith("title: Référentiel national ASSETT\n")
    assert yaml.safe_load(out.getvalue()) == national


def test_export_writes_xlsx_bytes_to_standard_output_buffer(db, territory_a, national):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")

    call_command("export_referential", "--territory", "territoire-a", "--format", "xlsx", stdout=out)
    connection.set_schema_to_public()

    assert read_workbook(io.BytesIO(raw.getvalue())) == national


def test_export_xlsx_to_a_text_only_output_asks_for_a_file(db, territory_a):
    with pytest.raises(CommandError, match="précisez --output"):
        call_command("export_referential", "--territory", "territoire-a", "--format", "xlsx", stdout=io.StringIO())


def test_export_to_a_file_takes_the_format_from_its_extension(db, territory_a, national, tmp_path):
    path = tmp_path / "referentiel.xlsx"
    out = io.StringIO()

    call_command("export_referential", "--territory", "territoire-a", "--output", str(path), stdout=out)
    connection.set_schema_to_public()

    assert read_workbook(path) == national
    assert "exportée dans" in out.getvalue()


def test_export_of_an_unknown_territory_or_a_missing_draft_is_refused(db, territory_a):
    with pytest.raises(CommandError, match="Territoire « nulle-part » inconnu. Territoires existants : .*territoire-a"):
        call_command("export_referential", "--territory", "nulle-part")
    with pytest.raises(CommandError, match="n'a pas de brouillon"):
        call_command("export_referential", "--territory", "territoire-a", "--draft")
    with pytest.raises(CommandError, match="n'a pas de version n° 999999"):
        call_command("export_referential", "--territory", "territoire-a", "--version-id", "999999")


# ---- import_referential ------------------------------------------------------------------------------------


def new_edition(data, label="2026.2"):
    data = copy.deepcopy(data)
    data["version"] = label
    question(data, "ENE-01")["text"] = "Comment suivez-vous vos consommations d'énergie, site par site ?"
    return data


def test_import_yaml_creates_a_draft_identical_to_the_file(db, territory_a, national, tmp_path):
    data = new_edition(national)
    path = tmp_path / "referentiel.yml"
    path.write_text(referential_yaml(data), encoding="utf-8")
    out = io.StringIO()

    call_command("import_referential", "--territory", "territoire-a", str(path), stdout=out)
    connection.set_schema_to_public()

    assert versions_in(territory_a) == [("2026.1", "published"), ("2026.2", "draft")]
    with schema_context(territory_a.schema_name):
        assert dump_referential(ReferentialVersion.objects.get(status=VersionStatus.DRAFT)) == data
    assert "en brouillon" in out.getvalue()


def test_exported_workbook_imports_back_without_loss(db, territory_a, tmp_path):
    path = tmp_path / "referentiel.xlsx"
    call_command("export_referential", "--territory", "territoire-a", "--output", str(path), stdout=io.StringIO())
    workbook = load_workbook(path)
    workbook["Référentiel"]["B2"] = "2026.2"
    workbook.save(path)

    call_command("import_referential", "--territory", "territoire-a", str(path), stdout=io.StringIO())
    connection.set_schema_to_public()

    with schema_context(territory_a.schema_name):
        published = dump_referential(current_version())
        draft = dump_referential(ReferentialVersion.objects.get(status=VersionStatus.DRAFT))
    assert draft == {**published, "version": "2026.2"}


def test_import_publish_archives_the_previous_version_and_keeps_assessments_on_theirs(
    db, territory_a, national, tmp_path
):
    with schema_context(territory_a.schema_name):
        previous = current_version()
        organisation = Organisation.objects.create(
            name="Boulangerie du Clain", kind=OrganisationKind.ENTREPRISE, headcount_band="02", commune="Poitiers"
        )
        assessment = Assessment.objects.create(organisation=organisation, version=previous)
    path = tmp_path / "referentiel.yaml"
    path.write_text(referential_yaml(new_edition(national)), encoding="utf-8")
    out = io.StringIO()

    call_command("import_referential", "--territory", "territoire-a", str(path), "--publish", stdout=out)
    connection.set_schema_to_public()

    assert versions_in(territory_a) == [("2026.1", "archived"), ("2026.2", "published")]
    with schema_context(territory_a.schema_name):
        assessment.refresh_from_db()
        assert assessment.version_id == previous.pk
        assert assessment.status == AssessmentStatus.IN_PROGRESS
        assert ReferentialVersion.objects.get(pk=previous.pk).archived_at is not None
    assert "la version 2026.1 est archivée" in out.getvalue()


def test_invalid_file_is_refused_with_every_problem_and_changes_nothing(db, territory_a, national, tmp_path):
    data = new_edition(national)
    question(data, "ENE-04")["code"] = "ENE-01"
    del question(data, "MOB-04")["choices"][1:]
    path = tmp_path / "referentiel.yaml"
    path.write_text(referential_yaml(data), encoding="utf-8")
    before = versions_in(territory_a)

    with pytest.raises(CommandError) as error:
        call_command("import_referential", "--territory", "territoire-a", str(path), "--publish")
    connection.set_schema_to_public()

    message = str(error.value)
    assert "n'a pas été importé, rien n'a changé (2 problèmes)" in message
    assert "- question ENE-01 : ce code de question est utilisé deux fois." in message
    assert "- question MOB-04 : il faut au moins deux choix." in message
    assert versions_in(territory_a) == before


def test_invalid_workbook_is_refused_with_sheet_and_row(db, territory_a, national, tmp_path):
    def edit(workbook):
        workbook["Référentiel"]["B2"] = "2026.2"
        set_cell(workbook, "Questions", "code", "ENE-01", "kind", "echelle")

    path = tmp_path / "referentiel.xlsx"
    path.write_bytes(reopened(workbook_bytes(national), edit))
    row = row_of(load_workbook(path)["Questions"], "code", "ENE-01")
    before = versions_in(territory_a)

    with pytest.raises(CommandError, match=rf"- feuille Questions, ligne {row} \(question ENE-01\) : type « echelle »"):
        call_command("import_referential", "--territory", "territoire-a", str(path))
    connection.set_schema_to_public()

    assert versions_in(territory_a) == before


def test_import_refuses_a_second_draft_and_a_version_number_already_used(db, territory_a, national, tmp_path):
    path = tmp_path / "referentiel.yaml"
    path.write_text(referential_yaml(new_edition(national)), encoding="utf-8")
    call_command("import_referential", "--territory", "territoire-a", str(path), stdout=io.StringIO())
    before = versions_in(territory_a)

    with pytest.raises(CommandError) as error:
        call_command("import_referential", "--territory", "territoire-a", str(path))
    connection.set_schema_to_public()

    message = str(error.value)
    assert "- territoire : un brouillon du référentiel existe déjà" in message
    assert "- référentiel : la version « 2026.2 » existe déjà dans ce territoire" in message
    assert versions_in(territory_a) == before


def test_unreadable_yaml_is_refused_with_its_line(db, territory_a, tmp_path):
    path = tmp_path / "referentiel.yaml"
    path.write_text("title: [non fermé\nversion: '1'\n", encoding="utf-8")
    before = versions_in(territory_a)

    with pytest.raises(CommandError, match=r"- ligne \d+ : YAML illisible"):
        call_command("import_referential", "--territory", "territoire-a", str(path))
    connection.set_schema_to_public()

    assert versions_in(territory_a) == before


def test_import_refuses_unknown_territory_missing_file_and_unknown_extension(db, territory_a, tmp_path):
    csv = tmp_path / "referentiel.csv"
    csv.write_text("code;text\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Territoire « nulle-part » inconnu"):
        call_command("import_referential", "--territory", "nulle-part", str(csv))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_referential", "--territory", "territoire-a", str(tmp_path / "absent.yaml"))
    with pytest.raises(CommandError, match="l'extension doit être .yaml, .yml ou .xlsx"):
        call_command("import_referential", "--territory", "territoire-a", str(csv))


def test_import_into_one_territory_leaves_the_other_unchanged(db, territory_a, territory_b, national, tmp_path):
    path = tmp_path / "referentiel.yaml"
    path.write_text(referential_yaml(new_edition(national)), encoding="utf-8")
    before = versions_in(territory_b)

    call_command("import_referential", "--territory", "territoire-a", str(path), "--publish", stdout=io.StringIO())
    connection.set_schema_to_public()

    assert versions_in(territory_b) == before


# ---- the real command line: bytes on a pipe, exit codes -----------------------------------------------------


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


def test_command_line_export_pipes_a_workbook_and_a_refused_import_exits_non_zero(db, territory_a, tmp_path):
    exported = manage("export_referential", "--territory", "territoire-a", "--format", "xlsx")

    assert exported.returncode == 0, exported.stderr.decode()
    data = read_workbook(io.BytesIO(exported.stdout))
    assert data["version"] == "2026.1"

    del data["themes"][0]["questions"][0]["choices"][1:]
    data["version"] = "2026.2"
    path = tmp_path / "referentiel.xlsx"
    path.write_bytes(workbook_bytes(data))
    before = versions_in(territory_a)

    refused = manage("import_referential", "--territory", "territoire-a", str(path), "--publish")

    assert refused.returncode == 1
    assert "(question PIL-01) : il faut au moins deux choix." in refused.stderr.decode()
    assert versions_in(territory_a) == before
