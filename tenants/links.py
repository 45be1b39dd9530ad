"""Absolute links to a territory's own site, for emails sent outside a request."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def site_url(domain, path="/"):
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{domain}{port}{path}"


def on_site(domain, url):
    """The same link on `domain` with the configured scheme and port: a link built from a request
    (allauth's) would carry whatever Host and port the request came with."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return site_url(domain, path or "/")


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
