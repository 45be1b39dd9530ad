"""Importing a territory's PCAET from a spreadsheet's CSV or XLSX: every problem at once, all or nothing, by code."""

import csv
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django_tenants.utils import schema_context
from openpyxl import Workbook

from accounts.enums import Role
from accounts.models import User
from assett.problems import Problem
from toolbox.demo_pcaet import DEMO_NOTE, ILLUSTRATIVE_PCAET, demo_themes, seed_demo_pcaet
from toolbox.models import Action, PcaetAction, PcaetProgramme
from toolbox.pcaet import current_programme, import_pcaet, plan_import
from toolbox.pcaet_file import MAX_FILE_BYTES, MAX_ROWS, PcaetFileError, PcaetProblem, read_pcaet_file

from .factories import ActionFactory, PcaetActionFactory

HEADERS = ["code", "intitulé", "axe / enjeu"]
ROWS = [
    ["1.1.1", "Créer un guichet de la rénovation", "1. Sobriété"],
    ["1.1.2", "Rénover les copropriétés, en priorité", "1. Sobriété"],
    ["2.1.1", "Cadastre solaire", "2. Énergies renouvelables"],
]


def csv_file(rows, delimiter=";", bom=False, headers=HEADERS, name="pcaet.csv"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([headers, *rows])
    data = ("\ufeff" if bom else "") + buffer.getvalue()
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, headers=HEADERS, name="pcaet.xlsx", extra_sheet_first=False):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Programme"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def problems_of(uploaded):
    with pytest.raises(PcaetFileError) as caught:
        read_pcaet_file(uploaded)
    return caught.value.problems


def as_tuples(rows):
    return [(row.code, row.title, row.axis) for row in rows]


def snapshot():
    return sorted(
        (
            action.code,
            action.title,
            action.axis,
            action.order,
            tuple(sorted(a.pk for a in action.toolbox_actions.all())),
        )
        for action in PcaetAction.objects.prefetch_related("toolbox_actions")
    ), list(PcaetProgramme.objects.values_list("title", "note"))


# ---- reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (";", False), (",", True), (",", False)])
def test_reads_csv_with_either_separator_with_or_without_bom(delimiter, bom):
    rows = read_pcaet_file(csv_file(ROWS, delimiter=delimiter, bom=bom))

    assert as_tuples(rows) == [tuple(row) for row in ROWS]  # the comma inside a title survives
    assert [row.line for row in rows] == [2, 3, 4]


def test_headers_are_tolerant_of_case_accents_spacing_and_other_columns():
    headers = ["Pilote", " CODE ", "Intitule", "Axe / Enjeu", "Calendrier"]
    rows = read_pcaet_file(csv_file([["Service énergie", *ROWS[0], "2026"]], headers=headers))

    assert as_tuples(rows) == [tuple(ROWS[0])]


def test_the_axis_column_is_optional_and_blank_lines_are_skipped():
    rows = read_pcaet_file(csv_file([["A1", "Première"], ["", ""], ["A2", "Seconde"]], headers=["code", "titre"]))

    assert [(row.line, row.code, row.axis) for row in rows] == [(2, "A1", ""), (4, "A2", "")]


def test_reads_the_first_sheet_of_a_workbook_with_numbers_as_typed():
    rows = read_pcaet_file(xlsx_file([[1.1, "Code lu comme un nombre", "Axe 1"], [12, "Entier", None], *ROWS]))

    assert as_tuples(rows)[:2] == [("1.1", "Code lu comme un nombre", "Axe 1"), ("12", "Entier", "")]
    assert as_tuples(rows)[2:] == [tuple(row) for row in ROWS]


def test_reports_every_problem_at_once_with_its_row_and_column():
    rows = [
        ["1.1", "Correcte", "Axe"],
        ["", "Sans code", "Axe"],
        ["1 2", "Code avec espace", "Axe"],
        ["1.1", "Code en double", "Axe"],
        ["1.5", "", "x" * 301],
        ["1.6", "Caractère\x07invisible", "Axe"],
    ]

    problems = problems_of(csv_file(rows))

    assert {(problem.row, problem.column) for problem in problems} == {
        (3, "code"),
        (4, "code"),
        (5, "code"),
        (6, "title"),
        (6, "axis"),
        (7, "title"),
    }
    duplicate = next(problem for problem in problems if problem.row == 5)
    assert str(duplicate) == "ligne 5, colonne « code » : le code « 1.1 » figure déjà ligne 2."


def test_missing_columns_are_reported_alone():
    problems = problems_of(csv_file([["1.1", "Axe"]], headers=["numéro", "axe"]))

    assert problems == [
        PcaetProblem(
            "ligne 1",
            "la colonne « intitulé » manque à la ligne 1 (titres attendus : code ; intitulé ; axe / enjeu).",
            row=1,
        )
    ]
    assert isinstance(problems[0], Problem)  # the shared type of every importer


def test_a_duplicated_column_is_refused():
    problems = problems_of(csv_file([["1.1", "A", "B"]], headers=["code", "intitulé", "titre"]))

    assert [(problem.row, problem.column) for problem in problems] == [(1, "title")]


def test_workbook_formulas_and_dates_are_refused_not_evaluated():
    from datetime import date

    problems = problems_of(xlsx_file([["1.1", '="Calcul"&A1', "Axe"], ["1.2", "Date", date(2026, 1, 2)]]))

    assert [(problem.row, problem.column) for problem in problems] == [(2, "title"), (3, "axis")]
    assert "formule" in problems[0].message


def test_size_limit_row_limit_and_foreign_files():
    too_big = SimpleUploadedFile("gros.csv", b"code;intitule\n" + b"x" * MAX_FILE_BYTES)
    assert "dépasse" in problems_of(too_big)[0].message

    many = [[f"A{index}", f"Action {index}", ""] for index in range(MAX_ROWS + 1)]
    assert problems_of(csv_file(many))[0].message == f"le fichier compte plus de {MAX_ROWS} lignes d'actions."
    assert len(read_pcaet_file(csv_file(many[:MAX_ROWS]))) == MAX_ROWS

    latin1 = SimpleUploadedFile("pcaet.csv", "code;intitulé\n1;Rénover\n".encode("latin-1"))
    [problem] = problems_of(latin1)
    assert problem.row == 1 and "UTF-8" in problem.message  # the « é » of « intitulé »
    assert "Excel" in problems_of(SimpleUploadedFile("pcaet.xlsx", b"PK\x03\x04 pas un zip"))[0].message
    assert "format" in problems_of(SimpleUploadedFile("pcaet.pdf", b"%PDF-1.4"))[0].message
    assert ".xlsx ou en CSV" in problems_of(SimpleUploadedFile("pcaet.xls", b"\xd0\xcf\x11\xe0"))[0].message
    assert problems_of(SimpleUploadedFile("pcaet.csv", b"code;intitule\n"))[0].message.startswith("le fichier ne")


def test_the_illustrative_file_reads_without_problem():
    with ILLUSTRATIVE_PCAET.open("rb") as file:
        rows = read_pcaet_file(file, name=ILLUSTRATIVE_PCAET.name)

    assert 90 <= len(rows) <= 120
    assert len({row.axis for row in rows}) == 10
    assert rows[0].code == "1.1.1"


# ---- importing ------------------------------------------------------------------------------------


@pytest.fixture
def staff(in_a):
    user = User.objects.create_user("climat@a.example", "Mot-de-passe-42", role=Role.STAFF)
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def test_import_keeps_the_order_of_the_file(staff):
    rows = read_pcaet_file(csv_file(list(reversed(ROWS))))

    result = import_pcaet(rows, title="PCAET 2025-2030", note="Adopté en 2025", user=staff)

    assert (result.added, result.updated, result.removed) == (3, 0, 0)
    assert list(PcaetAction.objects.values_list("code", "order")) == [("2.1.1", 1), ("1.1.2", 2), ("1.1.1", 3)]
    programme = current_programme()
    assert (programme.title, programme.note, programme.imported_by) == ("PCAET 2025-2030", "Adopté en 2025", staff)


def test_reimport_updates_by_code_keeps_links_adds_new_and_keeps_missing_by_default(staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="PCAET", user=staff)
    kept_link, missing_link = ActionFactory(), ActionFactory()
    PcaetAction.objects.get(code="1.1.1").toolbox_actions.add(kept_link)
    PcaetAction.objects.get(code="1.1.2").toolbox_actions.add(missing_link)
    first_pk = PcaetAction.objects.get(code="1.1.1").pk
    new_rows = [["1.1.1", "Guichet unique de la rénovation", "Axe A"], ["3.1.1", "Vélo", "Axe B"], ROWS[2]]

    rows = read_pcaet_file(csv_file(new_rows))
    plan = plan_import(rows)
    result = import_pcaet(rows, title="PCAET révisé", user=staff)

    assert (plan.added, plan.updated, plan.unchanged) == (["3.1.1"], ["1.1.1"], ["2.1.1"])
    assert [(action.code, action.link_count) for action in plan.missing] == [("1.1.2", 1)]
    assert (result.added, result.updated, result.unchanged, result.removed, result.kept) == (1, 1, 1, 0, 1)
    updated = PcaetAction.objects.get(code="1.1.1")
    assert (updated.pk, updated.title, updated.axis) == (first_pk, "Guichet unique de la rénovation", "Axe A")
    assert list(updated.toolbox_actions.all()) == [kept_link]
    # The missing action is kept with its link, after the file's actions.
    assert list(PcaetAction.objects.values_list("code", "order")) == [
        ("1.1.1", 1),
        ("3.1.1", 2),
        ("2.1.1", 3),
        ("1.1.2", 4),
    ]
    assert list(PcaetAction.objects.get(code="1.1.2").toolbox_actions.all()) == [missing_link]
    assert current_programme().title == "PCAET révisé" and PcaetProgramme.objects.count() == 1


def test_reimport_removes_missing_actions_when_asked(staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="PCAET", user=staff)
    PcaetAction.objects.get(code="1.1.2").toolbox_actions.add(ActionFactory())

    result = import_pcaet(read_pcaet_file(csv_file([ROWS[0]])), title="PCAET", user=staff, remove_missing=True)

    assert (result.removed, result.kept, result.unchanged) == (2, 0, 1)
    assert list(PcaetAction.objects.values_list("code", flat=True)) == ["1.1.1"]


def test_a_file_with_problems_changes_nothing_through_the_page(client_a, staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="PCAET en place", note="", user=staff)
    PcaetAction.objects.get(code="1.1.1").toolbox_actions.add(ActionFactory())
    before = snapshot()
    client_a.force_login(staff)

    bad = csv_file([["1.1.1", "Nouvel intitulé", "Axe"], ["", "Sans code", "Axe"], ["4.1", "", "Axe"]])
    response = client_a.post("/gestion/pcaet/importer/", {"file": bad, "title": "Autre titre", "note": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Le fichier comporte 2 problèmes : rien n'a été importé." in page
    assert "Ligne 3, colonne « code »" in page and "Ligne 4, colonne « intitulé »" in page
    assert client_a.get("/gestion/pcaet/importer/confirmer/").status_code == 302  # nothing waits
    assert snapshot() == before


def test_upload_then_confirm_through_the_pages(client_a, staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="PCAET", user=staff)
    PcaetAction.objects.get(code="1.1.2").toolbox_actions.add(ActionFactory())
    before = snapshot()
    client_a.force_login(staff)

    response = client_a.post(
        "/gestion/pcaet/importer/",
        {"file": xlsx_file([ROWS[0], ["9.9", "Nouvelle action", "Axe 9"]]), "title": "PCAET révisé", "note": "Note"},
    )
    assert response.status_code == 302 and response["Location"] == "/gestion/pcaet/importer/confirmer/"
    page = client_a.get("/gestion/pcaet/importer/confirmer/").content.decode()
    assert "2 actions du programme actuel ne sont plus dans le fichier" in page
    assert snapshot() == before  # checked, not written

    response = client_a.post("/gestion/pcaet/importer/confirmer/", {"missing": "remove"}, follow=True)

    assert response.redirect_chain == [("/gestion/pcaet/", 302)]
    assert (
        "Le programme est importé : 1 action ajoutée, 0 mise à jour, 1 inchangée, 2 supprimées, "
        "0 conservée hors fichier." in response.content.decode()
    )
    assert list(PcaetAction.objects.values_list("code", flat=True)) == ["1.1.1", "9.9"]
    assert (current_programme().title, current_programme().note) == ("PCAET révisé", "Note")
    assert client_a.get("/gestion/pcaet/importer/confirmer/").status_code == 302  # done once


def test_confirming_without_choosing_for_missing_actions_keeps_asking(client_a, staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="PCAET", user=staff)
    client_a.force_login(staff)
    client_a.post("/gestion/pcaet/importer/", {"file": csv_file([ROWS[0]]), "title": "PCAET", "note": ""})

    response = client_a.post("/gestion/pcaet/importer/confirmer/", {"missing": "peut-être"})

    assert response.status_code == 200
    assert PcaetAction.objects.count() == 3


def test_seed_demo_pcaet_links_the_national_toolbox_by_main_theme(in_a):
    assert Action.objects.exists()  # the national toolbox, installed by the provisioning hook

    seed_demo_pcaet(in_a, [])

    themes = demo_themes()
    linked_somewhere = set()
    for pcaet in PcaetAction.objects.prefetch_related("toolbox_actions"):
        actions = list(pcaet.toolbox_actions.all())
        theme = themes.get(pcaet.code)
        if theme is None:
            assert not actions, pcaet.code
        elif Action.objects.filter(main_theme=theme).exists():
            assert actions and {action.main_theme for action in actions} == {theme}, pcaet.code
        linked_somewhere.update(action.pk for action in actions)
    served = Action.objects.filter(main_theme__in=set(themes.values()))
    assert set(served.values_list("pk", flat=True)) == linked_somewhere


def test_seed_demo_pcaet_imports_the_illustrative_plan_once_and_links_by_theme(in_a):
    Action.objects.all().delete()
    seed_demo_pcaet(in_a, [])  # an empty toolbox: no link yet
    assert not PcaetAction.toolbox_actions.through.objects.exists()
    energy = [ActionFactory(main_theme="ENE") for _ in range(3)]
    ActionFactory(main_theme="MOB", hidden=True)

    seed_demo_pcaet(in_a, [])  # the toolbox is there now: the links are made
    links = set(PcaetAction.toolbox_actions.through.objects.values_list("pcaetaction", "action"))
    seed_demo_pcaet(in_a, [])  # idempotent

    assert set(PcaetAction.toolbox_actions.through.objects.values_list("pcaetaction", "action")) == links

    assert 90 <= PcaetAction.objects.count() <= 120
    assert current_programme().note == DEMO_NOTE
    energy_lines = PcaetAction.objects.filter(toolbox_actions__main_theme="ENE").distinct()
    assert energy_lines.count() >= 3
    assert set(
        PcaetAction.toolbox_actions.through.objects.filter(action__in=energy).values_list("action", flat=True)
    ) == {action.pk for action in energy}
    assert PcaetAction.objects.filter(toolbox_actions__main_theme="MOB").exists()
    assert not PcaetAction.objects.filter(axis__startswith="9.", toolbox_actions__main_theme="ENE").exists()


def test_a_territory_own_pcaet_is_never_replaced_by_the_demo(staff):
    import_pcaet(read_pcaet_file(csv_file(ROWS)), title="Notre PCAET", user=staff)

    seed_demo_pcaet(None, [])

    assert PcaetAction.objects.count() == 3 and current_programme().title == "Notre PCAET"
    assert not PcaetAction.toolbox_actions.through.objects.exists()


def test_demo_note_is_shown_on_the_pages(client_a, staff):
    seed_demo_pcaet(None, [])
    client_a.force_login(staff)
    action = PcaetActionFactory()

    for url in ("/gestion/pcaet/", "/gestion/pcaet/contribution/", f"/gestion/pcaet/actions/{action.pk}/"):
        assert "Programme illustratif, pour la démonstration" in client_a.get(url).content.decode(), url


def _in_own_connection(territory, work):
    """`work()` in the territory's schema on a connection of its own (autocommit): what it commits stays."""
    try:
        with schema_context(territory.schema_name):
            return work()
    finally:
        connections.close_all()


def test_two_first_imports_at_once_run_one_after_the_other(db, territory_a):
    """The second import waits for the first and updates its rows, instead of colliding on the codes."""
    first_done, pool = threading.Event(), ThreadPoolExecutor(max_workers=2)

    def first():
        with transaction.atomic():
            import_pcaet(read_pcaet_file(csv_file(ROWS)), title="Premier")
            first_done.set()
            time.sleep(0.5)  # still uncommitted while the second starts

    def second():
        first_done.wait(10)
        return import_pcaet(read_pcaet_file(csv_file([ROWS[0]])), title="Second")

    def state():
        return list(PcaetAction.objects.values_list("code", flat=True)), current_programme().title

    def clean():
        PcaetAction.objects.all().delete()
        PcaetProgramme.objects.all().delete()

    try:
        runs = [pool.submit(_in_own_connection, territory_a, work) for work in (first, second)]
        result = runs[1].result(timeout=30)
        runs[0].result(timeout=30)
        codes, title = pool.submit(_in_own_connection, territory_a, state).result()
    finally:
        pool.submit(_in_own_connection, territory_a, clean).result()
        pool.shutdown()

    assert (result.added, result.unchanged, result.kept) == (0, 1, 2)
    assert sorted(codes) == sorted(row[0] for row in ROWS) and title == "Second"
