from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import Http404, HttpResponseNotFound
from django.http.request import split_domain_port
from django.template.response import TemplateResponse
from django.urls import set_urlconf

from .models import Domain
from .resolution import territory_for_host


class TerritoryMiddleware:
    """Selects the territory (schema and urlconf) from the Host header.

    Does what django-tenants' TenantMainMiddleware does, minus its per-request costs:
    the host is resolved from an in-process cache (tenants/resolution.py), settings are
    read once, and the connection is only switched when the request's territory differs
    from the one it is already on (each switch costs a `SET search_path` on the next query).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.public_schema = settings.PUBLIC_SCHEMA_NAME
        self.public_urlconf = settings.PUBLIC_SCHEMA_URLCONF
        self.tenant_urlconf = settings.ROOT_URLCONF

    def __call__(self, request):
        try:
            # get_host() checks ALLOWED_HOSTS: a forged Host never reaches the resolution.
            hostname, _port = split_domain_port(request.get_host())
        except DisallowedHost:
            return HttpResponseNotFound()
        if hostname.startswith("www."):
            hostname = hostname[4:]
        try:
            territory = territory_for_host(hostname)
        except Domain.DoesNotExist:
            raise Http404(f"Aucun territoire ne correspond à l'adresse {hostname}.") from None

        request.tenant = territory
        if connection.tenant is not territory:
            connection.set_tenant(territory)
        is_public = territory.schema_name == self.public_schema
        request.urlconf = self.public_urlconf if is_public else self.tenant_urlconf
        set_urlconf(request.urlconf)

        if not is_public and not territory.is_active:
            return self.suspended(request, territory)
        return self.get_response(request)

    def suspended(self, request, territory):
        # Rendered from the public schema: the territory's own tables stay untouched.
        connection.set_schema_to_public()
        response = TemplateResponse(request, "tenants/suspended.html", {"suspended": territory}, status=503)
        response["Retry-After"] = "86400"
        return response.render()
