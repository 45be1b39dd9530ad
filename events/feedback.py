"""After the event, those who came (attendance present, or not marked) say how it was: once each."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import Attendance, EventStatus, RegistrationStatus
from .models import Feedback, Registration

MAX_TEXT = 2000


class FeedbackError(Exception):
    """Feedback refused; `errors` maps a field (or None) to its French message."""

    def __init__(self, errors):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FeedbackInput:
    satisfaction: int | None
    keep: str = ""
    change: str = ""


def attended(registration, now=None):
    """A confirmed seat at an event that is over, not marked absent: the person came (or may have)."""
    now = now or timezone.now()
    event = registration.event
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.attendance in (Attendance.PRESENT, "")
        and event.status != EventStatus.CANCELLED
        and event.ends_at <= now
    )


def _problems(data):
    errors = {}
    if data.satisfaction not in range(1, 6):
        errors["satisfaction"] = _("Choisissez une note de 1 (pas du tout satisfait·e) à 5 (très satisfait·e).")
    for name, label in (("keep", _("Ce qu'il faut garder")), ("change", _("Ce qu'il faut changer"))):
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = _("« %(label)s » : %(max)s caractères au plus.") % {"label": label, "max": MAX_TEXT}
    return errors


@transaction.atomic
def give_feedback(registration, by, data):
    """Store the attendee's opinion. Only the registered person, once the event is over, once."""
    if registration.user_id != by.pk or not attended(registration):
        raise FeedbackError(
            {None: _("Seules les personnes venues à l'événement peuvent donner leur avis, une fois terminé.")}
        )
    errors = _problems(data)
    if errors:
        raise FeedbackError(errors)
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                registration=registration,
                satisfaction=data.satisfaction,
                keep=data.keep.strip(),
                change=data.change.strip(),
            )
    except IntegrityError as error:  # a second tab, or a double click
        raise FeedbackError({None: _("Vous avez déjà donné votre avis sur cet événement : merci !")}) from error


def feedback_registration(event, user):
    """The user's registration at the event that may still give feedback, else None."""
    registration = (
        Registration.objects.filter(event=event, user=user, status=RegistrationStatus.CONFIRMED, feedback__isnull=True)
        .select_related("event")
        .first()
    )
    return registration if registration is not None and attended(registration) else None
