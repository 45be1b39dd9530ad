from django.conf import settings
from django.db import transaction

from .models import Domain, Territory


@transaction.atomic
def ensure_public_tenant(domain=None):
    """The public schema's row and domain, which django-tenants needs to serve the national site."""
    domain = domain or settings.PLATFORM_DOMAIN
    public, _created = Territory.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"name": "ASSETT – plateforme nationale", "slug": "plateforme-nationale"},
    )
    Domain.objects.get_or_create(domain=domain, defaults={"tenant": public, "is_primary": True})
    return public
