from celery import shared_task
from django.db import connection


@shared_task(name="tenants.ping")
def ping():
    """Health probe and tenant check: answers with the schema the worker ran it in."""
    return connection.schema_name
