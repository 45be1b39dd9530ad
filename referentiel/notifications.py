"""The email to the territory's staff when an organisation validates an assessment.

One email per person (each one's own link to turn it off), queued in the same transaction as the
submission and sent after commit by the mail path (mailing.services.queue_email): a rolled-back
submission sends nothing, and the participant's request never waits on SMTP.
"""

from accounts.enums import Role
from accounts.models import User
from mailing.services import queue_email
from tenants.links import current_territory, territory_url

from .structure import structure_for


def staff_to_notify():
    return User.objects.filter(role__in=[Role.STAFF, Role.ADMIN], is_active=True, notify_submissions=True).order_by(
        "pk"
    )


def notify_submission(assessment):
    """Queue the email to every staff member who wants it; returns the queued emails."""
    recipients = list(staff_to_notify().values_list("email", flat=True))
    if not recipients:
        return []
    territory = current_territory()
    context = {
        "territory": territory,
        "organisation": assessment.organisation,
        "assessment": assessment,
        "submitted_by": assessment.submitted_by,
        "level_name": structure_for(assessment.version).level_name(assessment.level_rank),
        "url": territory_url(territory, "referentiel:staff_detail", pk=assessment.pk),
        "settings_url": territory_url(territory, "accounts:overview"),
    }
    return [
        queue_email(
            email,
            "referentiel/email/submitted_subject.txt",
            "referentiel/email/submitted_message.txt",
            context,
        )
        for email in recipients
    ]
