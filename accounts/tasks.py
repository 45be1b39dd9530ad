from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions():
    """Delete expired session rows in every schema (Django never does it by itself).

    Run daily by beat (CELERY_BEAT_SCHEDULE): a session row names its account, and the
    personal-data page promises that a session does not outlive its two weeks by long.
    Returns the number of rows deleted per schema.
    """
    deleted = {}
    for schema in get_tenant_model().objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            deleted[schema], _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
