from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from .models import Domain, Territory


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "slug", "siren"]
    inlines = [DomainInline]
    readonly_fields = ["schema_name", "created_at"]
