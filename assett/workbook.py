"""The .xlsx workbooks that staff edit (referential, toolbox): sheets declared once, written and read.

Shared by referentiel/spreadsheet.py and toolbox/spreadsheet.py, which declare their sheets
(`Sheet`, `Column`) and assemble their rows into the plain data of their loader. Here: writing a
sheet (text cells stay text, drop-down lists), reading one (columns found by title or key, every
problem located by sheet, row and column), and what Excel does to typed values (numbers with a
French decimal comma, codes that lost their leading zero, yes/no words, dates).
"""

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .problems import Problem

# Text cells stay text: « 01 » keeps its zero, « 41,42 » is no decimal, « =x » is no formula.
TEXT_FORMAT = "@"
TRUE_WORDS = {"true", "vrai", "oui", "o", "yes", "1"}
FALSE_WORDS = {"false", "faux", "non", "n", "no", "0", ""}
EMPTY = object()  # parse_number()'s answer for a blank text

# Far beyond any column of ours: such a value is refused, and never turned into a huge int.
_MAX_MAGNITUDE = 30


def normalise_name(name):
    """« Thèmes », « themes » and « THEMES » name the same sheet."""
    decomposed = unicodedata.normalize("NFKD", str(name or "").strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def number_text(number):
    if number is None:
        return ""
    if isinstance(number, float):
        return repr(number)
    return str(number)


def _plain(value):
    """A Decimal as the dumps write numbers: int when whole, float otherwise; None if absurd."""
    if not value.is_finite() or value.adjusted() > _MAX_MAGNITUDE:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def cell_number(number):
    """An int or float read from a cell, as the dumps write it (int when whole)."""
    # repr() is the shortest text that gives back the same float: 0.1 stays 0.1, not 0.1000000000000000055...
    value = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    plain = _plain(value)
    return repr(number) if plain is None else plain


def parse_number(text):
    """A number typed as text, French decimal comma and spaces accepted; EMPTY if blank, None if unreadable."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    if not cleaned:
        return EMPTY
    try:
        return _plain(Decimal(cleaned))
    except InvalidOperation:
        return None


# ---- sheets and columns --------------------------------------------------------------------------

TEXT, NUMBER, LIST, INTEGERS, CODES, BOOLEAN, DATE = "text", "number", "list", "integers", "codes", "boolean", "date"
DATE_FORMAT = "yyyy-mm-dd"
# Kinds whose cells keep Excel's own type; every other cell is text.
TYPED = (NUMBER, BOOLEAN, DATE)


@dataclass(frozen=True)
class Column:
    key: str  # the YAML key
    title: str = ""  # the column's title in the sheet; the key when empty
    kind: str = TEXT
    required: bool = False  # a column the sheet cannot do without (the YAML key is required)
    width: int = 14
    choices: tuple = ()  # offered as a drop-down list

    @property
    def heading(self):
        return self.title or self.key


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple

    def column(self, key):
        return next(column for column in self.columns if column.key == key)


def list_cell(column, value):
    """A cell's value as the sheet shows it: lists joined by commas, empty texts left empty."""
    if value is None:
        return None
    if column.kind in (LIST, INTEGERS, CODES):
        return ", ".join(str(item) for item in value) or None
    if column.kind == TEXT:
        return str(value) or None
    return value


def workbook_bytes(rows_by_sheet, *, wrapped=(), cell_value=list_cell):
    """An .xlsx file of `rows_by_sheet` ({Sheet: [item dicts]}, in sheet order), as bytes."""
    buffer = io.BytesIO()
    save_workbook(rows_by_sheet, buffer, wrapped=wrapped, cell_value=cell_value)
    return buffer.getvalue()


def save_workbook(rows_by_sheet, target, *, wrapped=(), cell_value=list_cell):
    """Write `rows_by_sheet` to a path or binary stream; columns named `wrapped` wrap their text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, items in rows_by_sheet.items():
        write_sheet(workbook.create_sheet(sheet.title), sheet, items, wrapped, cell_value)
    workbook.save(target)


def write_sheet(worksheet, sheet, items, wrapped, cell_value):
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E3E3FD")
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.heading)
        cell.font, cell.fill = bold, fill
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.kind not in TYPED:
            # Rows added later in Excel are text too: « 01 » keeps its zero, « 41,42 » is no decimal.
            dimension.number_format = TEXT_FORMAT
    for row, item in enumerate(items, start=2):
        for index, column in enumerate(sheet.columns, start=1):
            value = cell_value(column, item.get(column.key))
            cell = worksheet.cell(row=row, column=index, value=value)
            cell.alignment = wrap if column.key in wrapped else top
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with « = » stays a text, not a formula
            if column.kind == DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind not in TYPED:
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


# ---- reading ---------------------------------------------------------------------------------------


class Row:
    """One row of a sheet: its cells by column key, read by kind, and where it is for the messages."""

    def __init__(self, reader, sheet, line, values):
        self.reader, self.sheet, self.line, self.values = reader, sheet, line, values
        self.context = ""  # the loader's location of the item (« action ENE-A01 »), once known

    @property
    def base(self):
        return f"feuille {self.sheet.title}, ligne {self.line}"

    @property
    def location(self):
        return f"{self.base} ({self.context})" if self.context else self.base

    def report(self, message):
        self.reader.problems.append(Problem(self.location, message))

    def given(self, key):
        return not blank(self.values.get(key))

    def text(self, key):
        raw = self.values.get(key)
        if raw is None:
            return ""
        if isinstance(raw, str):
            return raw.strip()
        if isinstance(raw, bool):
            self.report(f"« {key} » : une valeur vrai/faux a été saisie là où du texte est attendu.")
            return ""
        if isinstance(raw, (int, float)):
            return number_text(cell_number(raw))
        if isinstance(raw, (datetime, date, time)):
            self.report(
                f"« {key} » : Excel a transformé la saisie en date ; "
                "mettez la cellule au format Texte et ressaisissez-la."
            )
            return ""
        return str(raw).strip()

    def number(self, key):
        """A number as the dumps write it (int when whole); an unreadable value is kept for the validator."""
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
        """Ranks, « 1, 2 »; a value that is no integer is kept for the validator to name."""
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
                f"« {key} » : Excel a lu « {raw} » comme un nombre décimal ; mettez la cellule au format Texte "
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
        self.report(f"« {key} » : « {raw} » n'est pas une valeur oui/non (TRUE/FALSE, oui/non).")
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
        self.report(f"« {key} » : « {raw} » n'est pas une date (AAAA-MM-JJ).")
        return None


class WorkbookReader:
    """Reads a workbook of `sheets` into plain data, validated, or raises `error` with every problem.

    A subclass assembles the rows (`assemble`) and validates the data (`validate`, whose problems'
    locations are mapped back to rows through `places`). Missing sheets or columns are reported
    alone: every item reported empty would bury the real problem.
    """

    sheets = ()
    error = Exception  # the loader's format error, raised with a list of Problem
    row_class = Row
    # Validator locations that name a whole sheet (or its single row): no need to repeat them.
    plain_locations = ()

    def __init__(self):
        self.problems = []
        self.missing = []  # sheets or columns the workbook cannot be read without
        # loader location (« question ENE-03, choix 2 ») → « feuille Choix, ligne 14 ».
        self.places = {}

    def assemble(self, rows_by_title):
        raise NotImplementedError

    def validate(self, data):
        raise NotImplementedError

    def read(self, source):
        try:
            workbook = load_workbook(source, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
            raise self.error(
                [Problem("fichier", f"ce n'est pas un classeur Excel (.xlsx) lisible ({error}).")]
            ) from error
        try:
            sheets = self._sheets(workbook)
        finally:
            workbook.close()
        if self.missing:
            raise self.error(self.missing + self.problems)
        data = self.assemble(sheets)
        problems = self.problems + [
            Problem(self._place(problem.location), problem.message) for problem in self.validate(data)
        ]
        if problems:
            raise self.error(problems)
        return data

    def _place(self, location):
        place = self.places.get(location)
        if place is None:
            return location
        return place if location in self.plain_locations else f"{place} ({location})"

    def _sheets(self, workbook):
        by_name = {normalise_name(worksheet.title): worksheet for worksheet in workbook.worksheets}
        result = {}
        for sheet in self.sheets:
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
        columns = self._columns(sheet, header)
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
            cells = {columns[index]: value for index, value in enumerate(values) if index in columns}
            rows.append(self.row_class(self, sheet, line, cells))
        return rows

    def _columns(self, sheet, header):
        """Column index → key, from the header row: the column's title or its YAML key (a sheet written
        by hand from the format's documentation), compared without accents or case."""
        known = {normalise_name(column.heading): column.key for column in sheet.columns}
        known.update({normalise_name(column.key): column.key for column in sheet.columns})
        headings = ", ".join(column.heading for column in sheet.columns)
        columns, seen = {}, set()
        for index, name in enumerate(header):
            if blank(name):
                continue
            key = known.get(normalise_name(name))
            where = f"feuille {sheet.title}, colonne {get_column_letter(index + 1)}"
            if key is None:
                self.problems.append(Problem(where, f"colonne « {name} » inconnue (colonnes possibles : {headings})."))
            elif key in seen:
                self.problems.append(Problem(where, f"la colonne « {name} » est en double."))
            else:
                columns[index] = key
                seen.add(key)
        for column in sheet.columns:
            if column.required and column.key not in seen:
                self.missing.append(
                    Problem(f"feuille {sheet.title}", f"la colonne « {column.heading} » manque (ligne 1).")
                )
        return columns
