"""How long an assessment takes, estimated from its questions (pure: kinds and choice counts in, minutes out)."""

import math

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .constants import SECONDS_PER_CHOICE, SECONDS_PER_QUESTION

ROUNDED_TO = 5  # minutes: an estimate, not a promise


def estimated_minutes(questions):
    """`questions`: (kind, number of choices) pairs. At least 5 minutes for at least one question, 0 for none."""
    seconds = sum(SECONDS_PER_QUESTION.get(kind, 45) + SECONDS_PER_CHOICE * choices for kind, choices in questions)
    return ROUNDED_TO * math.ceil(seconds / 60 / ROUNDED_TO)


def minutes_for(questions):
    """The estimate for Question objects (with their `choice_list`), as the structure loads them."""
    return estimated_minutes((question.kind, len(question.choice_list)) for question in questions)


def duration_text(minutes):
    """« environ 25 minutes », « environ 1 h 15 »."""
    if minutes < 60:
        return ngettext("environ %(count)d minute", "environ %(count)d minutes", minutes) % {"count": minutes}
    hours, rest = divmod(minutes, 60)
    if not rest:
        return ngettext("environ %(count)d heure", "environ %(count)d heures", hours) % {"count": hours}
    return _("environ %(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
