"""Report tasks. They take ids; the job's row is the state (reports/services.py), so a task delivered
twice, retried, or redelivered after its worker died does no harm."""

import logging

from celery import shared_task
from django.conf import settings

from tenants.models import Territory

from . import services

logger = logging.getLogger(__name__)


def retry_delay(retries):
    """Exponential backoff: REPORT_RETRY_DELAY, then twice as long each time, at most ten minutes."""
    return min(settings.REPORT_RETRY_DELAY * 2**retries, 600)


@shared_task(
    bind=True,
    name="reports.render_report",
    ignore_result=True,
    # Acknowledged once it ran: a worker that dies mid-render has its message delivered again
    # (CELERY_TASK_REJECT_ON_WORKER_LOST), and services.claim_job bounds how often that renders.
    acks_late=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_HARD_TIME_LIMIT,
    max_retries=None,
)
def render_report(self, job_id):
    try:
        services.render_job(job_id)  # its kind's content and renderer
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= settings.REPORT_MAX_RETRIES:
            logger.warning("Report job %s: giving up after %s tries: %r", job_id, self.request.retries + 1, exc)
            services.fail_job(job_id, services.MESSAGE_UNAVAILABLE)
            return
        services.release_job(job_id)
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@shared_task(name="reports.fail_stuck_jobs", ignore_result=True)
def fail_stuck_jobs():
    """In the schema it runs in: fail the jobs stuck pending or running (services.fail_stuck_jobs)."""
    return services.fail_stuck_jobs()


@shared_task(name="reports.fail_stuck_jobs_everywhere", ignore_result=True)
def fail_stuck_jobs_everywhere():
    """The beat job: one watchdog task per territory (the public schema has no reports)."""
    for schema_name in Territory.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        fail_stuck_jobs.apply_async(headers={"_schema_name": schema_name})
