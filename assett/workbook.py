"""Cells of the .xlsx workbooks that staff edit (referential, toolbox): what Excel does to typed values.

Pure helpers shared by referentiel/spreadsheet.py and toolbox/spreadsheet.py: sheet and column
names compared without accents or case, numbers typed with a French decimal comma, yes/no words.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

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
