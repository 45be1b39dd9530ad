"""Mail tasks. They take ids; the email's status is the job's state (see services.deliver)."""

import logging

from celery import shared_task
from django.conf import settings

from tenants.models import Territory

from . import services

logger = logging.getLogger(__name__)


def retry_delay(retries):
    """Exponential backoff: MAIL_RETRY_DELAY, then twice as long each time, at most an hour."""
    return min(settings.MAIL_RETRY_DELAY * 2**retries, 3600)


@shared_task(bind=True, name="mailing.send_email", ignore_result=True, max_retries=None)
def send_email(self, email_id):
    try:
        services.deliver(email_id)
    except Exception as exc:
        if self.request.retries >= settings.MAIL_MAX_RETRIES:
            # Out of retries: the email stays pending and the periodic sweep tries again later.
            logger.warning("Email %s still not sent after %s attempts: %r", email_id, self.request.retries + 1, exc)
            return
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@shared_task(name="mailing.send_pending_emails", ignore_result=True)
def send_pending_emails():
    """In the schema it runs in: send what stayed pending (broker down when queued, retries exhausted)."""
    for email_id in services.emails_to_sweep():
        try:
            services.deliver(email_id)
        except Exception as exc:
            # The server is still down: the next sweep will try again; no point hammering it now.
            logger.warning("Sweep stopped at email %s: %r", email_id, exc)
            return


@shared_task(name="mailing.send_pending_emails_everywhere", ignore_result=True)
def send_pending_emails_everywhere():
    """The beat job: one sweep per schema, the public one included (national admins' emails)."""
    for schema_name in Territory.objects.values_list("schema_name", flat=True):
        send_pending_emails.apply_async(headers={"_schema_name": schema_name})
