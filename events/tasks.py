"""Event tasks. The registrations' marks are the job's state (events/reminders.py): a run twice, or
after a worker died, sends nothing twice."""

from celery import shared_task
from django.conf import settings

from tenants.enums import TerritoryStatus
from tenants.models import Territory

from . import reminders


@shared_task(name="events.send_background_emails", ignore_result=True)
def send_background_emails():
    """In the schema it runs in: the reminders due and the feedback requests."""
    reminders.run_background_emails()


@shared_task(name="events.send_background_emails_everywhere", ignore_result=True)
def send_background_emails_everywhere():
    """The beat job: one run per territory, each in its own schema. A suspended territory's site is
    closed, so its emails would link to nothing: they wait until it opens again."""
    schemas = (
        Territory.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .exclude(status=TerritoryStatus.SUSPENDED)
        .values_list("schema_name", flat=True)
    )
    for schema_name in schemas:
        send_background_emails.apply_async(headers={"_schema_name": schema_name})
