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

import re

from assett.workbook import (
    BOOLEAN,
    CODES,
    EMPTY,
    LIST,
    NUMBER,
    Column,
    Row,
    Sheet,
    WorkbookReader,
    list_cell,
    number_text,
    parse_number,
    save_workbook,
)
from assett.workbook import workbook_bytes as _workbook_bytes

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

BANDS = "bands"  # « ..25:0; 25..:1 »: a quantity question's bands of points

REFERENTIAL = Sheet(
    "Référentiel",
    (Column("title", required=True, width=40), Column("version", required=True), Column("description", width=100)),
)
LEVELS = Sheet(
    "Niveaux",
    (
        Column("rank", kind=NUMBER, required=True, width=8),
        Column("name", required=True, width=20),
        Column("description", width=80),
        Column("threshold", kind=NUMBER, required=True, width=10),
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
        Column("kind", width=10, choices=tuple(QuestionKind.values)),
        Column("weight", kind=NUMBER, width=8),
        Column("organisation_kinds", kind=LIST, width=24),
        Column("headcount_bands", kind=CODES, width=18),
        Column("allow_not_applicable", kind=BOOLEAN, width=10),
        Column("unit", width=10),
        Column("bands", kind=BANDS, width=30),
    ),
)
CHOICES = Sheet(
    "Choix",
    (
        Column("question", required=True, width=14),
        Column("label", required=True, width=100),
        Column("points", kind=NUMBER, required=True, width=8),
    ),
)
SHEETS = (REFERENTIAL, LEVELS, THEMES, QUESTIONS, CHOICES)

# Long texts wrap in their cell; the others stay on one line.
WRAPPED = {"description", "text", "help_text", "label"}


# ---- writing -----------------------------------------------------------------------------------


def _rows_by_sheet(data):
    rows = {sheet: [] for sheet in SHEETS}
    rows[REFERENTIAL].append(data)
    rows[LEVELS] += data["levels"]
    for theme in data["themes"]:
        rows[THEMES].append(theme)
        for question in theme["questions"]:
            rows[QUESTIONS].append({**question, "theme": theme["code"]})
            rows[CHOICES] += [{**choice, "question": question["code"]} for choice in question.get("choices") or []]
    return rows


def write_workbook(data, target):
    """Write the plain referential `data` (as dump_referential returns it) to a path or binary stream."""
    save_workbook(_rows_by_sheet(data), target, wrapped=WRAPPED, cell_value=_cell_value)


def workbook_bytes(data):
    return _workbook_bytes(_rows_by_sheet(data), wrapped=WRAPPED, cell_value=_cell_value)


def _cell_value(column, value):
    if column.kind == BANDS and value is not None:
        return (
            "; ".join(
                f"{number_text(band.get('min'))}..{number_text(band.get('max'))}:{number_text(band.get('points'))}"
                for band in value
            )
            or None
        )
    return list_cell(column, value)


# ---- reading -----------------------------------------------------------------------------------


def read_workbook(source):
    """The plain referential data of a workbook (path or binary stream), validated.

    Raises ReferentialFormatError listing every problem: missing sheets or columns alone
    (the rest would be noise), otherwise the problems of the cells and of the content.
    """
    return _WorkbookReader().read(source)


class _Row(Row):
    """A row of the referential's workbook: its cells, and a quantity question's bands."""

    def bands(self, key):
        raw = self.values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return []
        if not isinstance(raw, str):
            self.report(
                f"« {key} » : écrivez les tranches min..max:points séparées par « ; », par exemple ..25:0; 25..:1."
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
                    f"« {key} » : tranche « {part} » illisible ; écrivez min..max:points, par exemple 25..50:1 "
                    "(côté vide = sans limite)."
                )
                continue
            low, high, points = (None if value is EMPTY else value for value in values)
            bands.append({"min": low, "max": high, "points": points})
        return bands


BAND_PATTERN = re.compile(r"^(.*?)\.\.(.*):(.*)$")


class _WorkbookReader(WorkbookReader):
    sheets = SHEETS
    error = ReferentialFormatError
    row_class = _Row
    plain_locations = ("référentiel", "niveaux", "thèmes")

    def validate(self, data):
        return validate_referential(data)

    # -- the plain data, in the shape of dump_referential

    def assemble(self, sheets):
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
                    f"le thème « {theme_code} » n'existe pas dans la feuille {THEMES.title}."
                    if theme_code
                    else "la colonne « theme » (code du thème) est obligatoire."
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
                        f"la question « {code} » n'existe pas dans la feuille {QUESTIONS.title}."
                        if code
                        else "la colonne « question » (code de la question) est obligatoire."
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
