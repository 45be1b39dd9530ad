"""Toolbox ⇄ Excel workbook, for territory staff who review or edit their toolbox in a spreadsheet.

The workbook holds exactly the plain data of toolbox/loader.py (`dump_toolbox` gives it,
`load_toolbox` takes it): one sheet per table (actions, étapes, questions liées, dispositifs,
partenaires), one row per item, French column titles; docs/toolbox-format.md lists them.

Reading reports every problem with its sheet and row: those of the workbook itself (a missing
sheet or column, an unreadable cell, a step of an action the Actions sheet lacks) and those of
`validate_toolbox`, whose locations (« action ENE-A01, étape 2 ») are mapped back to their row.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from assett.problems import Problem
from assett.workbook import (
    EMPTY,
    FALSE_WORDS,
    TEXT_FORMAT,
    TRUE_WORDS,
    blank,
    cell_number,
    normalise_name,
    number_text,
    parse_number,
)

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

TEXT, NUMBER, LIST, INTEGERS, CODES, BOOLEAN, DATE = "text", "number", "list", "integers", "codes", "boolean", "date"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    key: str  # the YAML key
    title: str  # the French column title
    kind: str = TEXT
    required: bool = False  # a column the sheet cannot do without
    width: int = 14
    choices: tuple = ()  # offered as a drop-down list


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple


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


def write_workbook(data, target):
    """Write the plain toolbox `data` (as dump_toolbox returns it) to a path or binary stream."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = {
        ACTIONS.title: data["actions"],
        STEPS.title: [{**step, "action": item["code"]} for item in data["actions"] for step in item.get("steps") or []],
        QUESTIONS.title: [
            {**link, "action": item["code"]} for item in data["actions"] for link in item.get("questions") or []
        ],
        SCHEMES.title: data.get("schemes") or [],
        PARTNERS.title: data.get("partners") or [],
    }
    for sheet in SHEETS:
        _write_sheet(workbook.create_sheet(sheet.title), sheet, rows[sheet.title])
    workbook.save(target)


def workbook_bytes(data):
    buffer = io.BytesIO()
    write_workbook(data, buffer)
    return buffer.getvalue()


def _write_sheet(worksheet, sheet, items):
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E3E3FD")
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.title)
        cell.font, cell.fill = bold, fill
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.kind not in (NUMBER, BOOLEAN, DATE):
            # Rows added later in Excel are text too: « 01 » keeps its zero, « 1, 2 » is no decimal.
            dimension.number_format = TEXT_FORMAT
    for row, item in enumerate(items, start=2):
        for index, column in enumerate(sheet.columns, start=1):
            value = _cell_value(column, item.get(column.key))
            cell = worksheet.cell(row=row, column=index, value=value)
            cell.alignment = wrap if column.key in WRAPPED else top
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with « = » stays a text, not a formula
            if column.kind == DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind not in (NUMBER, BOOLEAN):
                cell.number_format = TEXT_FORMAT
    worksheet.freeze_panes = "A2"
    last = max(len(items) + 1, 2) + 500
    for index, column in enumerate(sheet.columns, start=1):
        if column.choices:
            choices = DataValidation(type="list", formula1=f'"{",".join(column.choices)}"', allow_blank=True)
            choices.error = f"Valeurs possibles : {', '.join(column.choices)}"
            worksheet.add_data_validation(choices)
            letter = get_column_letter(index)
            choices.add(f"{letter}2:{letter}{last}")


def _cell_value(column, value):
    if value is None:
        return None
    if column.kind in (LIST, INTEGERS, CODES):
        return ", ".join(str(item) for item in value) or None
    if column.kind == TEXT:
        return str(value) or None
    return value


# ---- reading -----------------------------------------------------------------------------------


def read_workbook(source, *, national=False, referential=None):
    """The plain toolbox data of a workbook (path or binary stream), validated like a YAML file.

    Raises ToolboxFormatError listing every problem: missing sheets or columns alone (the rest
    would be noise), otherwise the problems of the cells and of the content, by sheet and row.
    """
    return _WorkbookReader(national, referential).read(source)


class _Row:
    """One row of a sheet: its cells by column key, and where it is for the messages."""

    def __init__(self, reader, sheet, line, values):
        self.reader, self.sheet, self.line, self.values = reader, sheet, line, values
        self.context = ""

    @property
    def base(self):
        return f"feuille {self.sheet.title}, ligne {self.line}"

    def report(self, message):
        where = f"{self.base} ({self.context})" if self.context else self.base
        self.reader.problems.append(Problem(where, message))

    def given(self, key):
        return not blank(self.values.get(key))

    def text(self, key):
        raw = self.values.get(key)
        if raw is None:
            return ""
        if isinstance(raw, str):
            return raw.strip()
        if isinstance(raw, bool):
            self.report(f"« {key} » : une valeur vrai/faux a été saisie là où du texte est attendu.")
            return ""
        if isinstance(raw, (int, float)):
            return number_text(cell_number(raw))
        if isinstance(raw, (datetime, date)):
            self.report(
                f"« {key} » : Excel a transformé la saisie en date ; "
                "mettez la cellule au format Texte et ressaisissez-la."
            )
            return ""
        return str(raw).strip()

    def number(self, key):
        """A number as the dump writes it (int when whole); an unreadable value is kept for the validator."""
        raw = self.values.get(key)
        if raw is None or isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)):
            return cell_number(raw)
        if isinstance(raw, str):
            parsed = parse_number(raw)
            if parsed is EMPTY:
                return None
            return raw.strip() if parsed is None else parsed
        return str(raw)

    def items(self, key):
        raw = self.values.get(key)
        if raw is None:
            return []
        if isinstance(raw, str):
            return [item.strip() for item in re.split(r"[,;\n]", raw) if item.strip()]
        text = self.text(key)
        return [text] if text else []

    def integers(self, key):
        """Maturity level ranks, « 1, 2 »; a value that is no integer is kept for the validator to name."""
        raw = self.values.get(key)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return [cell_number(raw)]
        values = []
        for item in self.items(key):
            parsed = parse_number(item)
            values.append(parsed if isinstance(parsed, int) else item)
        return values

    def codes(self, key):
        """Two-character codes (headcount bands, NAF divisions): Excel's « 1 » for « 01 » is read back as « 01 »."""
        raw = self.values.get(key)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return [f"{raw:02d}"]
        if isinstance(raw, float):
            self.report(
                f"« {key} » : Excel a lu « {raw} » comme un nombre décimal ; mettez la cellule au format Texte "
                "et séparez les codes par des virgules (41, 42)."
            )
            return []
        return [f"0{item}" if len(item) == 1 and item.isdigit() else item for item in self.items(key)]

    def boolean(self, key):
        raw = self.values.get(key)
        if isinstance(raw, bool):
            return raw
        if raw is None:
            return False
        word = str(raw).strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.report(f"« {key} » : « {raw} » n'est pas une valeur oui/non (TRUE/FALSE, oui/non).")
        return False

    def date(self, key):
        raw = self.values.get(key)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date) or raw is None:
            return raw
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw.strip())
            except ValueError:
                pass
        self.report(f"« {key} » : « {raw} » n'est pas une date (AAAA-MM-JJ).")
        return None


class _WorkbookReader:
    def __init__(self, national, referential):
        self.national, self.referential = national, referential
        self.problems = []
        self.missing = []  # sheets or columns the workbook cannot be read without
        # loader location (« action ENE-A01, étape 2 ») → « feuille Étapes, ligne 14 », for the validator's problems.
        self.places = {}

    def read(self, source):
        try:
            workbook = load_workbook(source, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
            raise ToolboxFormatError(
                [Problem("fichier", f"ce n'est pas un classeur Excel (.xlsx) lisible ({error}).")]
            ) from error
        try:
            sheets = self._sheets(workbook)
        finally:
            workbook.close()
        if self.missing:
            raise ToolboxFormatError(self.missing + self.problems)
        data = self._assemble(sheets)
        problems = self.problems + [
            Problem(self._place(problem.location), problem.message)
            for problem in validate_toolbox(data, national=self.national, referential=self.referential)
        ]
        if problems:
            raise ToolboxFormatError(problems)
        return data

    def _place(self, location):
        place = self.places.get(location)
        return location if place is None else f"{place} ({location})"

    # -- sheets and columns

    def _sheets(self, workbook):
        by_name = {normalise_name(worksheet.title): worksheet for worksheet in workbook.worksheets}
        result = {}
        for sheet in SHEETS:
            worksheet = by_name.get(normalise_name(sheet.title))
            if worksheet is None:
                self.missing.append(Problem(f"feuille {sheet.title}", "cette feuille manque dans le classeur."))
                continue
            result[sheet.title] = self._rows(sheet, worksheet)
        return result

    def _rows(self, sheet, worksheet):
        # From A1 whatever the first filled cell, so that row numbers and column letters are Excel's.
        lines = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)
        header = next(lines, ())
        # The French title, or the YAML key (a sheet written by hand from the format's documentation).
        known = {normalise_name(column.title): column.key for column in sheet.columns}
        known.update({normalise_name(column.key): column.key for column in sheet.columns})
        titles = ", ".join(column.title for column in sheet.columns)
        columns, seen = {}, set()
        for index, name in enumerate(header):
            if blank(name):
                continue
            key = known.get(normalise_name(name))
            where = f"feuille {sheet.title}, colonne {get_column_letter(index + 1)}"
            if key is None:
                self.problems.append(Problem(where, f"colonne « {name} » inconnue (colonnes possibles : {titles})."))
            elif key in seen:
                self.problems.append(Problem(where, f"la colonne « {name} » est en double."))
            else:
                columns[index] = key
                seen.add(key)
        for column in sheet.columns:
            if column.required and column.key not in seen:
                self.missing.append(
                    Problem(f"feuille {sheet.title}", f"la colonne « {column.title} » manque (ligne 1).")
                )
        rows, untitled = [], set()
        for line, values in enumerate(lines, start=2):
            if all(blank(value) for value in values):
                continue
            for index, value in enumerate(values):
                titled = index < len(header) and not blank(header[index])
                if not titled and index not in untitled and not blank(value):
                    untitled.add(index)
                    self.problems.append(
                        Problem(
                            f"feuille {sheet.title}, colonne {get_column_letter(index + 1)}",
                            "des valeurs sont saisies dans une colonne sans titre : elles seraient perdues.",
                        )
                    )
            rows.append(_Row(self, sheet, line, {columns[i]: value for i, value in enumerate(values) if i in columns}))
        return rows

    # -- the plain data, in the shape of dump_toolbox

    def _assemble(self, sheets):
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
                        f"l'action « {code} » n'existe pas dans la feuille {ACTIONS.title}."
                        if code
                        else "la colonne « action » (code de l'action) est obligatoire."
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
