"""Referential ⇄ Excel workbook, for territory staff who edit the referential in a spreadsheet.

The workbook holds exactly the plain data of referentiel/loader.py (`dump_referential`
gives it, `load_referential` takes it), one sheet per kind of item, one row per item,
columns named like the YAML keys; docs/referential-format.md describes it.

Reading reports every problem with its sheet and row: those of the workbook itself
(a missing sheet, an unreadable cell, a question of an unknown theme) and those of
`validate_referential`, whose locations (« question ENE-03, choix 2 ») are mapped back to
the row they came from. Text cells are written as text, so that Excel keeps the
leading zero of headcount band « 01 » and never turns a label into a formula or a date.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
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

from .enums import QuestionKind
from .loader import (
    ReferentialFormatError,
    band_location,
    choice_location,
    level_location,
    question_location,
    theme_location,
    validate_referential,
)

TEXT, NUMBER, LIST, CODES, BOOLEAN, BANDS = "text", "number", "list", "codes", "boolean", "bands"


@dataclass(frozen=True)
class Column:
    key: str
    kind: str = TEXT
    required: bool = False  # a column the sheet cannot do without (the YAML key is required)
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple

    def column(self, key):
        return next(column for column in self.columns if column.key == key)


REFERENTIAL = Sheet(
    "Référentiel",
    (Column("title", required=True, width=40), Column("version", required=True), Column("description", width=100)),
)
LEVELS = Sheet(
    "Niveaux",
    (
        Column("rank", NUMBER, required=True, width=8),
        Column("name", required=True, width=20),
        Column("description", width=80),
        Column("threshold", NUMBER, required=True, width=10),
    ),
)
THEMES = Sheet(
    "Thèmes",
    (
        Column("code", required=True, width=10),
        Column("title", required=True, width=40),
        Column("description", width=80),
        Column("color", width=10),
        Column("icon", width=28),
    ),
)
QUESTIONS = Sheet(
    "Questions",
    (
        Column("theme", required=True, width=8),
        Column("code", required=True, width=14),
        Column("text", required=True, width=60),
        Column("help_text", width=80),
        Column("kind", width=10),
        Column("weight", NUMBER, width=8),
        Column("organisation_kinds", LIST, width=24),
        Column("headcount_bands", CODES, width=18),
        Column("allow_not_applicable", BOOLEAN, width=10),
        Column("unit", width=10),
        Column("bands", BANDS, width=30),
    ),
)
CHOICES = Sheet(
    "Choix",
    (
        Column("question", required=True, width=14),
        Column("label", required=True, width=100),
        Column("points", NUMBER, required=True, width=8),
    ),
)
SHEETS = (REFERENTIAL, LEVELS, THEMES, QUESTIONS, CHOICES)

# Long texts wrap in their cell; the others stay on one line.
WRAPPED = {"description", "text", "help_text", "label"}


# ---- writing -----------------------------------------------------------------------------------


def write_workbook(data, target):
    """Write the plain referential `data` (as dump_referential returns it) to a path or binary stream."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = {sheet.title: [] for sheet in SHEETS}
    rows[REFERENTIAL.title].append(data)
    rows[LEVELS.title] += data["levels"]
    for theme in data["themes"]:
        rows[THEMES.title].append(theme)
        for question in theme["questions"]:
            rows[QUESTIONS.title].append({**question, "theme": theme["code"]})
            rows[CHOICES.title] += [
                {**choice, "question": question["code"]} for choice in question.get("choices") or []
            ]
    for sheet in SHEETS:
        _write_sheet(workbook.create_sheet(sheet.title), sheet, rows[sheet.title])
    workbook.save(target)


def workbook_bytes(data):
    buffer = io.BytesIO()
    write_workbook(data, buffer)
    return buffer.getvalue()


def _write_sheet(worksheet, sheet, items):
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E3E3FD")
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.key)
        cell.font, cell.fill = bold, fill
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.kind not in (NUMBER, BOOLEAN):
            # Rows added later in Excel are text too: « 01 » keeps its zero, « 41,42 » is no decimal.
            dimension.number_format = TEXT_FORMAT
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row, item in enumerate(items, start=2):
        for index, column in enumerate(sheet.columns, start=1):
            value = _cell_value(column, item.get(column.key))
            cell = worksheet.cell(row=row, column=index, value=value)
            cell.alignment = wrap if column.key in WRAPPED else top
            if isinstance(value, str):
                cell.data_type = "s"  # a label starting with « = » stays a label, not a formula
            if column.kind not in (NUMBER, BOOLEAN):
                cell.number_format = TEXT_FORMAT
    worksheet.freeze_panes = "A2"
    if sheet is QUESTIONS:
        kinds = DataValidation(type="list", formula1=f'"{",".join(QuestionKind.values)}"', allow_blank=True)
        kinds.error = "Types possibles : " + ", ".join(QuestionKind.values)
        worksheet.add_data_validation(kinds)
        letter = get_column_letter(sheet.columns.index(sheet.column("kind")) + 1)
        kinds.add(f"{letter}2:{letter}{max(len(items) + 1, 2) + 500}")


def _cell_value(column, value):
    if value is None:
        return None
    if column.kind in (LIST, CODES):
        return ", ".join(str(item) for item in value) or None
    if column.kind == BANDS:
        return (
            "; ".join(
                f"{number_text(band.get('min'))}..{number_text(band.get('max'))}:{number_text(band.get('points'))}"
                for band in value
            )
            or None
        )
    if column.kind == TEXT:
        return str(value) or None
    return value


# ---- reading -----------------------------------------------------------------------------------


def read_workbook(source):
    """The plain referential data of a workbook (path or binary stream), validated.

    Raises ReferentialFormatError listing every problem: missing sheets or columns alone
    (the rest would be noise), otherwise the problems of the cells and of the content.
    """
    return _WorkbookReader().read(source)


class _Row:
    """One row of a sheet: its cells by column key, and where it is for the messages."""

    def __init__(self, reader, sheet, line, values):
        self.reader, self.sheet, self.line, self.values = reader, sheet, line, values
        self.context = ""

    @property
    def base(self):
        return f"feuille {self.sheet.title}, ligne {self.line}"

    @property
    def location(self):
        return f"{self.base} ({self.context})" if self.context else self.base

    def report(self, message):
        self.reader.problems.append(Problem(self.location, message))

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
        if isinstance(raw, (datetime, date, time)):
            self.report(
                f"« {key} » : Excel a transformé la saisie en date ; "
                "mettez la cellule au format Texte et ressaisissez-la."
            )
            return ""
        return str(raw).strip()

    def number(self, key):
        """A number as dump_referential writes it (int when whole); an unreadable value is kept for the validator."""
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

    def codes(self, key):
        """INSEE headcount codes: two characters, so Excel's « 1 » for « 01 » is read back as « 01 »."""
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

    def bands(self, key):
        raw = self.values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return []
        if not isinstance(raw, str):
            self.report(
                f"« {key} » : écrivez les tranches min..max:points séparées par « ; », par exemple ..25:0; 25..:1."
            )
            return []
        bands = []
        for part in (part.strip() for part in raw.split(";")):
            if not part:
                continue
            match = BAND_PATTERN.match(part)
            values = [parse_number(value) for value in match.groups()] if match else []
            if not match or None in values or values[2] is EMPTY:
                self.report(
                    f"« {key} » : tranche « {part} » illisible ; écrivez min..max:points, par exemple 25..50:1 "
                    "(côté vide = sans limite)."
                )
                continue
            low, high, points = (None if value is EMPTY else value for value in values)
            bands.append({"min": low, "max": high, "points": points})
        return bands


BAND_PATTERN = re.compile(r"^(.*?)\.\.(.*):(.*)$")


class _WorkbookReader:
    # Validator locations that name a whole sheet, or the one row of « Référentiel »: no need to repeat them.
    PLAIN = ("référentiel", "niveaux", "thèmes")

    def __init__(self):
        self.problems = []
        self.missing = []  # sheets or columns the workbook cannot be read without
        # loader location (« question ENE-03, choix 2 ») → « feuille Choix, ligne 14 », for the validator's problems.
        self.places = {}

    def read(self, source):
        try:
            workbook = load_workbook(source, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
            raise ReferentialFormatError(
                [Problem("fichier", f"ce n'est pas un classeur Excel (.xlsx) lisible ({error}).")]
            ) from error
        try:
            sheets = self._sheets(workbook)
        finally:
            workbook.close()
        if self.missing:
            # Reporting every question as empty would bury the real problem.
            raise ReferentialFormatError(self.missing + self.problems)
        data = self._assemble(sheets)
        problems = self.problems + [
            Problem(self._place(problem.location), problem.message) for problem in validate_referential(data)
        ]
        if problems:
            raise ReferentialFormatError(problems)
        return data

    def _place(self, location):
        place = self.places.get(location)
        if place is None:
            return location
        return place if location in self.PLAIN else f"{place} ({location})"

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
        known = {normalise_name(column.key): column.key for column in sheet.columns}
        columns, seen = {}, set()
        for index, name in enumerate(header):
            if name is None or not str(name).strip():
                continue
            key = known.get(normalise_name(name))
            where = f"feuille {sheet.title}, colonne {get_column_letter(index + 1)}"
            if key is None:
                self.problems.append(
                    Problem(where, f"colonne « {name} » inconnue (colonnes possibles : {', '.join(known.values())}).")
                )
            elif key in seen:
                self.problems.append(Problem(where, f"la colonne « {key} » est en double."))
            else:
                columns[index] = key
                seen.add(key)
        for column in sheet.columns:
            if column.required and column.key not in seen:
                self.missing.append(Problem(f"feuille {sheet.title}", f"la colonne « {column.key} » manque (ligne 1)."))
        rows = []
        untitled = set()
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
            cells = {columns[index]: value for index, value in enumerate(values) if index in columns}
            rows.append(_Row(self, sheet, line, cells))
        return rows

    # -- the plain data, in the shape of dump_referential

    def _assemble(self, sheets):
        data = {"title": "", "version": "", "description": ""}
        referential_rows = sheets[REFERENTIAL.title]
        self.places["référentiel"] = (
            f"feuille {REFERENTIAL.title}, ligne {referential_rows[0].line if referential_rows else 2}"
        )
        if referential_rows:
            row = referential_rows[0]
            data = {key: row.text(key) for key in ("title", "version", "description")}
        for row in referential_rows[1:]:
            row.report("une seule ligne est attendue : le titre, la version et la description du référentiel.")

        data["levels"] = []
        self.places["niveaux"] = f"feuille {LEVELS.title}"
        for index, row in enumerate(sheets[LEVELS.title], start=1):
            row.context = level_location(index)
            self.places[level_location(index)] = row.base
            data["levels"].append(
                {
                    "rank": row.number("rank"),
                    "name": row.text("name"),
                    "description": row.text("description"),
                    "threshold": row.number("threshold"),
                }
            )

        data["themes"] = []
        self.places["thèmes"] = f"feuille {THEMES.title}"
        themes_by_code, wheres = {}, {}
        for index, row in enumerate(sheets[THEMES.title], start=1):
            code = row.text("code")
            row.context = theme_location(code, index)
            self.places[row.context] = row.base
            theme = {"code": code, "title": row.text("title"), "description": row.text("description")}
            for key in ("color", "icon"):
                if value := row.text(key):
                    theme[key] = value
            theme["questions"] = []
            data["themes"].append(theme)
            wheres[id(theme)] = row.context
            if code:
                themes_by_code.setdefault(code, theme)

        questions_by_code, dropped = {}, set()
        for row in sheets[QUESTIONS.title]:
            code = row.text("code")
            row.context = f"question {code}" if code else ""
            theme_code = row.text("theme")
            theme = themes_by_code.get(theme_code)
            if theme is None:
                row.report(
                    f"le thème « {theme_code} » n'existe pas dans la feuille {THEMES.title}."
                    if theme_code
                    else "la colonne « theme » (code du thème) est obligatoire."
                )
                dropped.add(code)
                continue
            question = self._question(row)
            theme["questions"].append(question)
            where = question_location(code, wheres[id(theme)], len(theme["questions"]))
            wheres[id(question)] = where
            self.places[where] = row.base
            for b_index in range(1, len(question.get("bands", ())) + 1):
                self.places[band_location(where, b_index)] = row.base
            if code:
                questions_by_code.setdefault(code, question)

        for row in sheets[CHOICES.title]:
            code = row.text("question")
            row.context = f"question {code}" if code else ""
            question = questions_by_code.get(code)
            if question is None:
                if code not in dropped:  # its question row is already reported
                    row.report(
                        f"la question « {code} » n'existe pas dans la feuille {QUESTIONS.title}."
                        if code
                        else "la colonne « question » (code de la question) est obligatoire."
                    )
                continue
            question["choices"].append({"label": row.text("label"), "points": row.number("points")})
            self.places[choice_location(wheres[id(question)], len(question["choices"]))] = row.base
        return data

    def _question(self, row):
        question = {"code": row.text("code"), "text": row.text("text")}
        if help_text := row.text("help_text"):
            question["help_text"] = help_text
        question["kind"] = row.text("kind") or QuestionKind.LADDER.value
        weight = row.number("weight")
        question["weight"] = 1 if weight is None else weight
        for key, read in (("organisation_kinds", row.items), ("headcount_bands", row.codes)):
            if values := read(key):
                question[key] = values
        question["allow_not_applicable"] = row.boolean("allow_not_applicable")
        if unit := row.text("unit"):
            question["unit"] = unit
        question["choices"] = []
        if bands := row.bands("bands"):
            question["bands"] = bands
        return question
