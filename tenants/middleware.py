import zoneinfo

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404, HttpResponseNotFound
from django.http.request import split_domain_port
from django.template.response import TemplateResponse
from django.urls import set_urlconf
from django.utils import timezone

from .enums import TerritoryStatus
from .models import Domain
from .resolution import remember_raw_host, territory_for_host, territory_for_raw_host


class TerritoryMiddleware:
    """Selects the territory (schema and urlconf) from the Host header.

    Does what django-tenants' TenantMainMiddleware does, minus its per-request costs
    (bench/bench_tenant_middleware.py): the host is resolved from an in-process cache
    (tenants/resolution.py), keyed by the raw Host header once Django has validated it
    against ALLOWED_HOSTS; settings are read once; and the connection is switched only
    when the request's territory differs from the one it is on (a switch costs a
    `SET search_path` on the next query).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.public_schema = settings.PUBLIC_SCHEMA_NAME
        self.public_urlconf = settings.PUBLIC_SCHEMA_URLCONF
        # Behind a proxy that sets X-Forwarded-Host, always take Django's own path.
        self.host_header = None if settings.USE_X_FORWARDED_HOST else "HTTP_HOST"

    def __call__(self, request):
        raw_host = request.META.get(self.host_header) if self.host_header else None
        territory = territory_for_raw_host(raw_host) if raw_host else None
        if territory is None:
            try:
                # get_host() checks ALLOWED_HOSTS: a forged Host is never resolved nor remembered.
                hostname, _port = split_domain_port(request.get_host())
            except DisallowedHost:
                return HttpResponseNotFound()
            hostname = hostname.removeprefix("www.")
            try:
                territory = territory_for_host(hostname)
            except Domain.DoesNotExist:
                raise Http404(f"Aucun territoire ne correspond à l'adresse {hostname}.") from None
            if raw_host:
                remember_raw_host(raw_host, territory)

        request.tenant = territory
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.tenant is not territory:
            connection.set_tenant(territory)
        if territory.schema_name == self.public_schema:
            # Django's handler starts each request on ROOT_URLCONF (the territories'); switch now
            # so that middleware reversing URLs before the view already sees the public routes.
            request.urlconf = self.public_urlconf
            set_urlconf(self.public_urlconf)
        elif territory.status == TerritoryStatus.SUSPENDED:
            return self.suspended(request, territory, connection)
        # A territory's routes are ROOT_URLCONF, which Django's handler uses by default.
        return self.get_response(request)

    def suspended(self, request, territory, connection):
        # Rendered from the public schema: the territory's own tables stay untouched.
        connection.set_schema_to_public()
        response = TemplateResponse(request, "tenants/suspended.html", {"suspended": territory}, status=503)
        response["Retry-After"] = "86400"
        return response.render()


class TerritoryTimeZoneMiddleware:
    """Shows every date in the territory's own zone (Territory.time_zone): an event stored at 15:00
    UTC reads 18:00 on a Mayotte site, whatever the server's TIME_ZONE. Placed after
    TerritoryMiddleware, which sets request.tenant; the zone is dropped again after the response,
    so a thread that serves another territory next never inherits it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = getattr(getattr(request, "tenant", None), "time_zone", None)
        if zone_name:
            timezone.activate(_zone(zone_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name):
    # ZoneInfo keeps its own cache of instances: the zone's rules are read from disk once per process.
    return zoneinfo.ZoneInfo(name)
