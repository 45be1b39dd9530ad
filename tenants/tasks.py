from celery import shared_task
from django.db import connection


@shared_task(name="tenants.ping")
def ping():
    """Answers with the schema the worker ran it in: how tests prove a task runs in its sender's territory."""
    return connection.schema_name
