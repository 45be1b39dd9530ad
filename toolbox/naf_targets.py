"""The NAF codes an action targets: sections (« C ») or divisions (« 10 ») of NAF rév. 2.

One rule for the editor's form and its services, read from organisations/naf.py's list.
"""

from functools import lru_cache

from django.utils.translation import gettext as _

from organisations.naf import SECTIONS, load_naf


@lru_cache(maxsize=1)
def divisions():
    """Division (2 digits) → its section letter, for every division of the NAF list."""
    return {code[:2]: entry.section for code, entry in load_naf().items()}


def naf_target_label(code):
    if code in SECTIONS:
        return _("Section %(code)s – %(label)s") % {"code": code, "label": SECTIONS[code]}
    if code in divisions():
        return _("Division %(code)s (section %(section)s)") % {"code": code, "section": divisions()[code]}
    return code


def parse_naf_targets(text):
    """(codes, problems) from staff's « C, 10 » : codes upper-cased, de-duplicated, in the given order."""
    codes, problems = [], []
    for raw in text.replace(";", ",").replace(" ", ",").split(","):
        code = raw.strip().upper()
        if not code or code in codes:
            continue
        if code in SECTIONS or code in divisions():
            codes.append(code)
        else:
            problems.append(
                _(
                    "« %(code)s » n'est ni une section NAF (une lettre de A à U) "
                    "ni une division (deux chiffres, par exemple 10)."
                )
                % {"code": raw.strip()}
            )
    return codes, problems
