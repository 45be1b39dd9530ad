"""Toolbox ⇄ Excel workbook, for territory staff who review or edit their toolbox in a spreadsheet.

The workbook holds exactly the plain data of toolbox/loader.py (`dump_toolbox` gives it,
`load_toolbox` takes it): one sheet per table (actions, étapes, questions liées, dispositifs,
partenaires), one row per item, French column titles; docs/toolbox-format.md lists them.

Reading reports every problem with its sheet and row: those of the workbook itself (a missing
sheet or column, an unreadable cell, a step of an action the Actions sheet lacks) and those of
`validate_toolbox`, whose locations (« action ENE-A01, étape 2 ») are mapped back to their row.
"""

from assett.workbook import (
    BOOLEAN,
    CODES,
    DATE,
    INTEGERS,
    LIST,
    NUMBER,
    TEXT,
    Column,
    Sheet,
    WorkbookReader,
    save_workbook,
)
from assett.workbook import workbook_bytes as _workbook_bytes

from .enums import CostBand, Duration, ImpactTier, Origin, SchemeKind
from .loader import ToolboxFormatError
from .validation import (
    action_location,
    partner_location,
    question_link_location,
    scheme_location,
    step_location,
    validate_toolbox,
)

ACTIONS = Sheet(
    "Actions",
    (
        Column("code", "code", required=True, width=12),
        Column("origin", "origine", choices=tuple(Origin.values), width=10),
        Column("hidden", "masquée", BOOLEAN, width=9),
        Column("order", "ordre", NUMBER, width=7),
        Column("adapted_fields", "champs adaptés", LIST, width=18),
        Column("title", "titre", required=True, width=40),
        Column("promise", "promesse", required=True, width=50),
        Column("body", "description", width=80),
        Column("main_theme", "thème principal", required=True, width=10),
        Column("themes", "autres thèmes", LIST, width=12),
        Column("levels", "niveaux", INTEGERS, width=9),
        Column("organisation_kinds", "types d'organisation", LIST, width=24),
        Column("headcount_bands", "tranches d'effectif", CODES, width=16),
        Column("naf_codes", "codes NAF", CODES, width=12),
        Column("cost", "coût", required=True, choices=tuple(CostBand.values), width=9),
        Column("duration", "durée", required=True, choices=tuple(Duration.values), width=9),
        Column("impact", "impact", required=True, choices=tuple(ImpactTier.values), width=9),
        Column("co2_tonnes_per_year", "gain CO2 (t/an)", NUMBER, width=10),
        Column("co2_source", "source du gain CO2", width=30),
        Column("prerequisites", "prérequis", LIST, width=14),
        Column("schemes", "dispositifs", LIST, width=18),
        Column("partners", "partenaires", LIST, width=18),
    ),
)
STEPS = Sheet(
    "Étapes",
    (
        Column("action", "action", required=True, width=12),
        Column("text", "texte", required=True, width=80),
        Column("url", "lien", width=40),
    ),
)
QUESTIONS = Sheet(
    "Questions liées",
    (
        Column("action", "action", required=True, width=12),
        Column("code", "question", required=True, width=14),
        Column("up_to_step", "jusqu'à l'échelon", NUMBER, required=True, width=10),
    ),
)
SCHEMES = Sheet(
    "Dispositifs",
    (
        Column("code", "code", required=True, width=20),
        Column("origin", "origine", choices=tuple(Origin.values), width=10),
        Column("name", "nom", required=True, width=30),
        Column("provider", "porteur", width=24),
        Column("kind", "nature", required=True, choices=tuple(SchemeKind.values), width=14),
        Column("url", "lien", width=36),
        Column("conditions", "conditions", width=60),
        Column("valid_until", "valable jusqu'au", DATE, width=12),
        Column("source_url", "source", width=36),
        Column("checked_on", "vérifié le", DATE, width=12),
    ),
)
PARTNERS = Sheet(
    "Partenaires",
    (
        Column("code", "code", required=True, width=20),
        Column("origin", "origine", choices=tuple(Origin.values), width=10),
        Column("name", "nom", required=True, width=30),
        Column("role", "rôle", width=50),
        Column("contact", "contact", width=30),
        Column("website", "site internet", width=36),
    ),
)
SHEETS = (ACTIONS, STEPS, QUESTIONS, SCHEMES, PARTNERS)
# A territory's export carries these; a national workbook leaves them out (or blank).
TERRITORY_KEYS = ("origin", "hidden", "order", "adapted_fields")
WRAPPED = {"body", "text", "conditions", "role", "promise"}


# ---- writing -----------------------------------------------------------------------------------


def _rows_by_sheet(data):
    return {
        ACTIONS: data["actions"],
        STEPS: [{**step, "action": item["code"]} for item in data["actions"] for step in item.get("steps") or []],
        QUESTIONS: [
            {**link, "action": item["code"]} for item in data["actions"] for link in item.get("questions") or []
        ],
        SCHEMES: data.get("schemes") or [],
        PARTNERS: data.get("partners") or [],
    }


def write_workbook(data, target):
    """Write the plain toolbox `data` (as dump_toolbox returns it) to a path or binary stream."""
    save_workbook(_rows_by_sheet(data), target, wrapped=WRAPPED)


def workbook_bytes(data):
    return _workbook_bytes(_rows_by_sheet(data), wrapped=WRAPPED)


# ---- reading -----------------------------------------------------------------------------------


def read_workbook(source, *, national=False, referential=None):
    """The plain toolbox data of a workbook (path or binary stream), validated like a YAML file.

    Raises ToolboxFormatError listing every problem: missing sheets or columns alone (the rest
    would be noise), otherwise the problems of the cells and of the content, by sheet and row.
    """
    return _WorkbookReader(national, referential).read(source)


class _WorkbookReader(WorkbookReader):
    sheets = SHEETS
    error = ToolboxFormatError

    def __init__(self, national, referential):
        super().__init__()
        self.national, self.referential = national, referential

    def validate(self, data):
        return validate_toolbox(data, national=self.national, referential=self.referential)

    # -- the plain data, in the shape of dump_toolbox

    def assemble(self, sheets):
        data = {}
        schemes = [
            self._row_item(row, SCHEMES, index, scheme_location) for index, row in enumerate(sheets[SCHEMES.title], 1)
        ]
        partners = [
            self._row_item(row, PARTNERS, index, partner_location)
            for index, row in enumerate(sheets[PARTNERS.title], 1)
        ]
        if schemes:
            data["schemes"] = schemes
        if partners:
            data["partners"] = partners
        actions, by_code = [], {}
        for index, row in enumerate(sheets[ACTIONS.title], start=1):
            where = row.context = action_location(row.text("code"), index)
            self.places[where] = row.base
            item = self._action(row)
            actions.append(item)
            if item["code"]:
                by_code.setdefault(item["code"], (item, where))
        data["actions"] = actions
        for sheet, key, location, read in (
            (STEPS, "steps", step_location, self._step),
            (QUESTIONS, "questions", question_link_location, self._question_link),
        ):
            for row in sheets[sheet.title]:
                code = row.text("action")
                row.context = f"action {code}" if code else ""
                if code not in by_code:
                    row.report(
                        f"l'action « {code} » n'existe pas dans la feuille {ACTIONS.title}."
                        if code
                        else "la colonne « action » (code de l'action) est obligatoire."
                    )
                    continue
                item, where = by_code[code]
                item.setdefault(key, []).append(read(row))
                self.places[location(where, len(item[key]))] = row.base
        return data

    def _row_item(self, row, sheet, index, location):
        """A scheme or partner: the dump's keys, empty cells left out."""
        row.context = location(row.text("code"), index)
        self.places[row.context] = row.base
        item = {}
        for column in sheet.columns:
            value = row.date(column.key) if column.kind == DATE else row.text(column.key)
            if value not in (None, ""):
                item[column.key] = value
        return item

    def _action(self, row):
        item = {"code": row.text("code")}
        # A territory's workbook has them all, as its dump; in a national one, only what is typed (and refused).
        given = [key for key in TERRITORY_KEYS if not self.national or row.given(key)]
        if "origin" in given and row.given("origin"):
            item["origin"] = row.text("origin")
        if "hidden" in given:
            item["hidden"] = row.boolean("hidden")
        if "order" in given:
            order = row.number("order")
            item["order"] = 0 if order is None else order
        if "adapted_fields" in given:
            item["adapted_fields"] = row.items("adapted_fields")
        for column in ACTIONS.columns:
            if column.key in item or column.key in TERRITORY_KEYS:
                continue
            read = {
                TEXT: row.text,
                NUMBER: row.number,
                LIST: row.items,
                INTEGERS: row.integers,
                CODES: row.codes,
            }[column.kind]
            value = read(column.key)
            if value not in (None, "", []):
                item[column.key] = value
        return item

    def _step(self, row):
        step = {"text": row.text("text")}
        if url := row.text("url"):
            step["url"] = url
        return step

    def _question_link(self, row):
        return {"code": row.text("code"), "up_to_step": row.number("up_to_step")}
