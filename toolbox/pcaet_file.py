"""A PCAET programme file (CSV or XLSX, as spreadsheets export it) → its rows, or every problem at once.

Staff export their climate plan from whatever spreadsheet their consultancy left them: a CSV in
UTF-8 (with or without the BOM Excel adds), separated by « ; » (French Excel) or « , », or an
.xlsx workbook (its first sheet). The columns are recognised by their French headers whatever
their case, accents or spacing; other columns (pilote, calendrier, budget...) are ignored. The
order of the rows is the order of the plan.

Reading never writes anything: it returns the rows, or raises PcaetFileError with every problem
(PcaetProblem: the shared assett.problems.Problem, with its row and column as data too), so that
the page lists them all and the import (toolbox/pcaet.py) changes nothing. Formulas are never
evaluated: a formula cell is refused.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import load_workbook

from assett.problems import CONTROL_CHARACTERS, FormatError, Problem

from .models import PcaetAction

MAX_FILE_BYTES = 1024 * 1024
# A real PCAET has 100 to 200 actions; five hundred leaves room without letting a wrong file through.
MAX_ROWS = 500
# An .xlsx is a zip: 1 MB of it may unpack to gigabytes (a « zip bomb »), which openpyxl would
# hold in memory several times over. A sheet of 500 actions unpacks to a few hundred kilobytes.
MAX_XLSX_UNPACKED_BYTES = 10 * 1024 * 1024
# Characters a PCAET code may hold: « 1.1.2 », « A2-3 », « AXE_1.4 ».
CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]+")

CODE, TITLE, AXIS = "code", "title", "axis"
# What the messages call each column.
COLUMN_LABELS = {CODE: "code", TITLE: "intitulé", AXIS: "axe / enjeu"}
# Headers as spreadsheets spell them, once normalised (_normalise): lower case, no accent, words only.
HEADERS = {
    CODE: {"code", "n", "no", "numero", "num", "reference", "ref", "code action", "numero action"},
    TITLE: {"intitule", "titre", "libelle", "action", "intitule action", "intitule de l action", "nom"},
    AXIS: {"axe", "enjeu", "axe enjeu", "axe ou enjeu", "enjeu axe", "axe strategique", "orientation"},
}
REQUIRED_COLUMNS = (CODE, TITLE)
MAX_LENGTHS = {
    key: PcaetAction._meta.get_field(field).max_length
    for key, field in ((CODE, "code"), (TITLE, "title"), (AXIS, "axis"))
}


def row_location(row=None, column=None):
    """« ligne 4, colonne « intitulé » », « ligne 4 » or « fichier »: where a problem is, for people."""
    parts = []
    if row is not None:
        parts.append(f"ligne {row}")
    if column is not None:
        parts.append(f"colonne « {COLUMN_LABELS.get(column, column)} »")
    return ", ".join(parts) or "fichier"


@dataclass(frozen=True)
class PcaetProblem(Problem):
    """The shared Problem, with its place as data too: `row` is the spreadsheet's line number (1 = headers),
    `column` a key of COLUMN_LABELS; both None for the whole file."""

    row: int | None = None
    column: str | None = None


def pcaet_problem(message, row=None, column=None):
    return PcaetProblem(row_location(row, column), message, row, column)


class PcaetFileError(FormatError):
    """A PCAET file refused, with every problem found in it."""


@dataclass(frozen=True)
class PcaetRow:
    line: int
    code: str
    title: str
    axis: str

    def as_dict(self):
        return {"line": self.line, "code": self.code, "title": self.title, "axis": self.axis}


def read_pcaet_file(uploaded, name=None):
    """The rows of an uploaded file (anything with .read() and .size / .name); PcaetFileError otherwise."""
    name = (name or getattr(uploaded, "name", "") or "").lower()
    data = uploaded.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PcaetFileError([pcaet_problem(f"le fichier dépasse {MAX_FILE_BYTES // 2**20} Mo.")])
    if not data.strip():
        raise PcaetFileError([pcaet_problem("le fichier est vide.")])
    if name.endswith((".xls", ".ods")):
        raise PcaetFileError(
            [pcaet_problem("ce format de tableur n'est pas lu : enregistrez le fichier en .xlsx ou en CSV UTF-8.")]
        )
    if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        table = _xlsx_table(data)
    elif name.endswith((".csv", ".txt")) or not name:
        table = _csv_table(data)
    else:
        raise PcaetFileError([pcaet_problem("format non reconnu : envoyez un fichier .csv ou .xlsx.")])
    return _rows(table)


# ---- the two formats, reduced to one table of (line, [cells]) ---------------------------------


def _csv_table(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PcaetFileError(
            [
                pcaet_problem(
                    "le fichier n'est pas encodé en UTF-8 (caractère illisible) : dans le tableur, "
                    "enregistrez-le au format « CSV UTF-8 ».",
                    row=line,
                )
            ]
        ) from error
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _bounded((reader.line_num, cells) for cells in reader)
    except csv.Error as error:
        raise PcaetFileError([pcaet_problem(f"fichier CSV illisible ({error}).", row=reader.line_num)]) from error
    return table


def _xlsx_table(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise PcaetFileError([pcaet_problem("ce n'est pas un classeur Excel (.xlsx) lisible.")]) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise PcaetFileError([pcaet_problem("le classeur est anormalement volumineux une fois décompressé.")])
    try:
        # Not read_only: its cells do not say which hold formulas. data_only=False: a formula is read
        # as its text and refused, never its (possibly stale) cached result.
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise PcaetFileError([pcaet_problem("ce n'est pas un classeur Excel (.xlsx) lisible.")]) from error
    try:
        # From A1 whatever the first filled cell, so that row numbers are the spreadsheet's.
        lines = workbook.worksheets[0].iter_rows(min_row=1, min_col=1)
        table = _bounded((line, list(cells)) for line, cells in enumerate(lines, start=1))
    finally:
        workbook.close()
    return table


def _bounded(lines):
    """The table's lines, blank ones dropped, stopping one past the limit (the headers and MAX_ROWS actions)."""
    table = []
    for line, cells in lines:
        if all(_blank(_raw(cell)) for cell in cells):
            continue
        table.append((line, cells))
        if len(table) > MAX_ROWS + 1:
            break
    return table


# ---- the table → rows ---------------------------------------------------------------------------


def _normalise(header):
    """« Intitulé », « INTITULE » and « intitulé  » are one header; « Axe / enjeu » reads « axe enjeu »."""
    decomposed = unicodedata.normalize("NFKD", str(header or ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def _columns(header_cells, problems):
    known = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
    columns = {}
    for index, cell in enumerate(header_cells):
        key = known.get(_normalise(_raw(cell)))
        if key is None:
            continue
        if key in columns.values():
            problems.append(pcaet_problem("cette colonne est en double.", row=1, column=key))
            continue
        columns[index] = key
    for key in REQUIRED_COLUMNS:
        if key not in columns.values():
            problems.append(
                pcaet_problem(
                    f"la colonne « {COLUMN_LABELS[key]} » manque à la ligne 1 (titres attendus : "
                    "code ; intitulé ; axe / enjeu).",
                    row=1,
                )
            )
    return columns


def _rows(table):
    problems = []
    if not table:
        raise PcaetFileError([pcaet_problem("le fichier est vide.")])
    _header_line, header = table[0]
    columns = _columns(header, problems)
    if problems:
        raise PcaetFileError(problems)  # without the columns, every row would be noise
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise PcaetFileError([pcaet_problem(f"le fichier compte plus de {MAX_ROWS} lignes d'actions.")])
    if not body:
        raise PcaetFileError([pcaet_problem("le fichier ne contient aucune action (seulement la ligne de titres).")])
    rows, first_line_of = [], {}
    for line, cells in body:
        values = {
            key: _text(cells[index] if index < len(cells) else None, line, key, problems)
            for index, key in columns.items()
        }
        values.setdefault(AXIS, "")
        _check(values, line, problems)
        values = {key: value or "" for key, value in values.items()}
        code = values[CODE]
        if code:
            folded = code.casefold()
            if folded in first_line_of:
                problems.append(
                    pcaet_problem(
                        f"le code « {code} » figure déjà ligne {first_line_of[folded]}.", row=line, column=CODE
                    )
                )
            else:
                first_line_of[folded] = line
        rows.append(PcaetRow(line=line, code=code, title=values[TITLE], axis=values[AXIS]))
    if problems:
        raise PcaetFileError(problems)
    return rows


def _check(values, line, problems):
    for key in REQUIRED_COLUMNS:
        if values[key] == "":  # None: the cell is already reported
            problems.append(pcaet_problem("la valeur est obligatoire.", row=line, column=key))
    code = values[CODE] or ""
    if code and not CODE_PATTERN.fullmatch(code):
        problems.append(
            pcaet_problem(
                f"le code « {code} » ne peut contenir que des lettres sans accent, des chiffres, "
                "« . », « - » et « _ ».",
                row=line,
                column=CODE,
            )
        )
    for key, value in values.items():
        value = value or ""
        if len(value) > MAX_LENGTHS[key]:
            problems.append(
                pcaet_problem(f"{MAX_LENGTHS[key]} caractères au plus ({len(value)} ici).", row=line, column=key)
            )
        if CONTROL_CHARACTERS.search(value):
            problems.append(
                pcaet_problem("la valeur contient un caractère de contrôle invisible.", row=line, column=key)
            )


def _raw(cell):
    return cell.value if hasattr(cell, "value") else cell


def _text(cell, line, key, problems):
    """A cell as text: CSV cells are text already; a workbook's numbers read as typed.

    None when the cell is refused (a formula, a date), already reported: not « missing » too.
    """
    if getattr(cell, "data_type", None) == "f":
        problems.append(
            pcaet_problem(
                "la cellule contient une formule : remplacez-la par sa valeur (copier, puis collage spécial "
                "« valeurs »).",
                row=line,
                column=key,
            )
        )
        return None
    value = _raw(cell)
    if value is None:
        return ""
    if isinstance(value, bool):
        problems.append(
            pcaet_problem("une valeur vrai/faux est saisie là où du texte est attendu.", row=line, column=key)
        )
        return None
    if isinstance(value, (datetime, date, time)):
        problems.append(
            pcaet_problem(
                "le tableur a transformé la saisie en date : mettez la cellule au format Texte et ressaisissez-la.",
                row=line,
                column=key,
            )
        )
        return None
    if isinstance(value, float):
        # repr() is the shortest text giving back the same float: a code typed 1.1 reads « 1.1 ».
        value = Decimal(repr(value))
        value = value.quantize(1) if value == value.to_integral_value() else value
    return " ".join(str(value).split())  # one line: a line break typed in a cell is a space


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())
