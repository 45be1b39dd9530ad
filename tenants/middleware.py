from django.db import connection
from django.http import Http404
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware

from .resolution import territory_for_host


class TerritoryMiddleware(TenantMainMiddleware):
    """django-tenants' middleware with an in-process host cache and a suspended-territory page."""

    def get_tenant(self, domain_model, hostname):
        return territory_for_host(hostname)

    def no_tenant_found(self, request, hostname):
        raise Http404(f"Aucun territoire ne correspond à l'adresse {hostname}.")

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        territory = request.tenant
        if not territory.is_public and not territory.is_active:
            # Served from the public schema: the territory's own tables stay untouched.
            connection.set_schema_to_public()
            response = TemplateResponse(request, "tenants/suspended.html", {"suspended": territory}, status=503)
            response["Retry-After"] = "86400"
            return response.render()
        return None
