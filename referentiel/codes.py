"""Theme and question codes: one rule for the file loader, the editor's forms and the editor's services.

A theme code ends up in participant URLs (…/themes/<code>/), in exported files, and as a key of the scores stored
at submission, beside the overall score's key.
"""

import re

from django.utils.translation import gettext as _

from .scoring import OVERALL

# Letters without accents, digits, « - » and « _ »: safe in a URL segment and in a spreadsheet cell.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# scoring.compare() files the overall progress under this key, beside the theme codes: a theme coded so would
# be overwritten by it (compare() refuses it, and the results page failed from the second assessment on).
RESERVED_THEME_CODES = frozenset({OVERALL})


def code_key(code):
    """Codes that differ only by case are one code: « ENE » and « ene » would read as the same theme."""
    return code.casefold()


def code_problem(code, max_length, *, reserved=frozenset()):
    """Why `code` cannot be used, as a French phrase that follows a location; None when it can."""
    if not code:
        return _("le code est obligatoire.")
    if not CODE_PATTERN.fullmatch(code):
        return _("le code ne peut contenir que des lettres sans accent, des chiffres, « - » et « _ ».")
    if len(code) > max_length:
        return _("le code dépasse %(max)s caractères.") % {"max": max_length}
    if code_key(code) in reserved:
        return _("le code « %(code)s » est réservé par la plateforme : choisissez-en un autre.") % {"code": code}
    return None


def theme_code_problem(code, max_length):
    return code_problem(code, max_length, reserved=RESERVED_THEME_CODES)
