"""Problems of an imported file (referential, toolbox): where, and what, in French; and the checks
every importer shares (unknown keys, texts, decimals, unreadable YAML).

One type for every importer, so that commands, staff pages and spreadsheet readers handle them
alike. The location is data the importer builds from named functions (« action ENE-A01, étape 2 »),
which a spreadsheet reader maps to its sheet and row by the same string, never by parsing it.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml

# Invisible control characters (pasted from another program) that XML, hence an .xlsx export, cannot hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Problem:
    location: str
    message: str

    def __str__(self):
        return f"{self.location} : {self.message}"


def problems_text(problems):
    return "\n".join(f"- {problem}" for problem in problems)


def check_keys(item, allowed, where, problem):
    """Refuse unknown keys rather than drop them: a misspelt « helptext » would vanish on import."""
    for key in item:
        if key not in allowed:
            problem(where, f"clé « {key} » inconnue (clés possibles : {', '.join(allowed)}).")


def check_text(item, key, where, problem, field=None):
    """`item[key]`, when given, is text that fits `field` (a model field with max_length) and XML."""
    value = item.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        problem(where, f"« {key} » doit être du texte : mettez la valeur entre guillemets.")
    elif field is not None and field.max_length and len(value.strip()) > field.max_length:
        problem(where, f"« {key} » dépasse {field.max_length} caractères.")
    elif CONTROL_CHARACTERS.search(value):
        problem(where, f"« {key} » contient un caractère de contrôle invisible (copié-collé ?) : supprimez-le.")


class FormatError(Exception):
    """An imported file refused, with every problem found in it."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def read_yaml_file(path, error=FormatError):
    """The data of a YAML file; an unreadable one raises `error` with the line where reading stopped."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except UnicodeDecodeError as exception:
        message = "le fichier n'est pas encodé en UTF-8 : enregistrez-le en UTF-8."
        raise error([Problem("fichier", message)]) from exception
    except yaml.YAMLError as exception:
        mark = getattr(exception, "problem_mark", None)
        where = f"ligne {mark.line + 1}" if mark else "fichier"
        raise error([Problem(where, f"YAML illisible ({getattr(exception, 'problem', exception)}).")]) from exception


# ---- numbers: what a decimal column stores, and how a dump writes it ---------------------------------


def as_decimal(value):
    """The Decimal of a number read from a file; None for anything else (text, true/false, infinity)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def fits_decimal_field(number, field):
    """Whether the database column stores `number` exactly (no rounding, no overflow)."""
    places = field.decimal_places
    if abs(number) >= Decimal(10) ** (field.max_digits - places):
        return False
    return number.normalize().as_tuple().exponent >= -places


def decimal_field_message(field):
    limit = f"{10 ** (field.max_digits - field.decimal_places):,}".replace(",", "\u202f")
    return f"au plus {field.decimal_places} décimales et moins de {limit} en valeur absolue."


def plain_number(number):
    """Decimal → int when whole, float otherwise: the YAML stays as people write it."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)
