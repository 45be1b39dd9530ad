"""Absolute links to a territory's own site, for emails sent outside a request."""

from django.conf import settings
from django.urls import reverse


def site_url(domain, path="/"):
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{domain}{port}{path}"


def territory_url(territory, view_name=None, path="/", **kwargs):
    """Link on the territory's primary domain; view names resolve in the territory urlconf."""
    if view_name:
        path = reverse(view_name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs or None)
    return site_url(territory.get_primary_domain().domain, path)


def current_territory():
    """The territory whose schema the connection is on (a request's, a task's or a schema_context's)."""
    from django.db import connection

    from .models import Territory

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Territory):
        return tenant
    return Territory.objects.get(schema_name=connection.schema_name)
