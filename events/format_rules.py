"""The rules a workshop format keeps, in one place for the national file's loader and the staff forms.

Pure functions of plain values: no database.
"""

import re

from django.utils.translation import gettext as _

# A format's code: lower-case words joined by hyphens (« world-cafe »), as in a URL.
FORMAT_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_MAX_LENGTH = 40
MIN_DURATION = 5


def minutes_label(minutes):
    return _("%(minutes)s min") % {"minutes": minutes}


def duration_gap_message(total, duration):
    """What is wrong when the steps (`total` minutes) do not fill the format's `duration`; None when they do.

    The message says the difference, so that staff know how much to cut or add.
    """
    if total == duration:
        return None
    values = {
        "total": minutes_label(total),
        "gap": minutes_label(abs(total - duration)),
        "duration": minutes_label(duration),
    }
    if total > duration:
        return _("les étapes durent %(total)s, soit %(gap)s de plus que la durée du déroulé (%(duration)s).") % values
    return _("les étapes durent %(total)s, soit %(gap)s de moins que la durée du déroulé (%(duration)s).") % values
