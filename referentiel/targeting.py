"""Whom a question is asked: « entreprises et associations · de 10 à 49 salariés ».

Pure: takes the question's `organisation_kinds` and `headcount_bands` (codes), returns French text.
The editor's theme page, the preview and the comparison of versions say it the same way.
"""

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from organisations.enums import HeadcountBand, OrganisationKind

# INSEE's headcount bands (tranches d'effectif salarié), in order, with the headcounts each covers
# (None: no upper bound). « NN » (non employeuse) has no headcount: it is said apart.
BOUNDS = {
    "00": (0, 0),
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
    "32": (250, 499),
    "41": (500, 999),
    "42": (1000, 1999),
    "51": (2000, 4999),
    "52": (5000, 9999),
    "53": (10000, None),
}
_BANDS = [HeadcountBand(code) for code in BOUNDS]


def _number(n):
    return f"{n:,}".replace(",", "\u202f")  # « 1 000 », with a narrow no-break space


def _runs(codes):
    """Consecutive bands grouped, in INSEE order: [["11", "12"], ["31"]]."""
    runs, previous = [], None
    for index, band in enumerate(_BANDS):
        if band.value not in codes:
            continue
        if previous is not None and index == previous + 1:
            runs[-1].append(band)
        else:
            runs.append([band])
        previous = index
    return runs


def _run_text(run):
    if len(run) == 1:
        return str(run[0].label)
    low, high = BOUNDS[run[0].value][0], BOUNDS[run[-1].value][1]
    if high is None:
        return _("%(low)s salariés et plus") % {"low": _number(low)}
    return _("de %(low)s à %(high)s salariés") % {"low": _number(low), "high": _number(high)}


def headcount_text(codes):
    """« de 10 à 49 salariés », « non employeuses ou 0 salarié », or "" for every size."""
    codes = set(codes or ())
    if not codes:
        return ""
    parts = [_("non employeuses")] if HeadcountBand.NN in codes else []
    parts += [_run_text(run) for run in _runs(codes)]
    return get_text_list(parts, _("ou"))


def kinds_text(codes):
    """« entreprises et associations », in the enum's order, or "" for every kind."""
    labels = {
        OrganisationKind.ENTREPRISE: _("entreprises"),
        OrganisationKind.ASSOCIATION: _("associations"),
        OrganisationKind.ETABLISSEMENT_PUBLIC: _("établissements publics"),
    }
    names = [labels[kind] for kind in OrganisationKind if kind.value in set(codes or ())]
    return get_text_list(names, _("et"))


def targeting_text(kinds, bands):
    """Whom the question is for, « entreprises · de 10 à 49 salariés »; "" when it is asked of everyone."""
    return " · ".join(text for text in (kinds_text(kinds), headcount_text(bands)) if text)
