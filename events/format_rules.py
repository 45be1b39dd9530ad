"""The rules a workshop format keeps, in one place for the national file's loader and the staff forms.

Pure functions of plain values: no database.
"""

import re

# A format's code: lower-case words joined by hyphens (« world-cafe »), as in a URL.
FORMAT_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_MAX_LENGTH = 40
MIN_DURATION = 5


def minutes_label(minutes):
    return f"{minutes} min"


def duration_gap_message(total, duration):
    """What is wrong when the steps (`total` minutes) do not fill the format's `duration`; None when they do.

    The message says the difference, so that staff know how much to cut or add.
    """
    if total == duration:
        return None
    gap = abs(total - duration)
    more_or_less = "de plus" if total > duration else "de moins"
    return (
        f"les étapes durent {minutes_label(total)}, soit {minutes_label(gap)} {more_or_less} que la durée "
        f"du déroulé ({minutes_label(duration)})."
    )
