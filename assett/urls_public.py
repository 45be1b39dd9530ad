"""The national platform, on the bare domain (public schema)."""

from django.contrib import admin
from django.urls import include, path

from tenants import views as tenant_views

from .urls_common import urlpatterns as common

urlpatterns = [
    path("", tenant_views.landing, name="home"),
    path("plateforme/", include("tenants.urls_backoffice")),
    path("plateforme/bilan/", include("benchmarks.urls")),
    path("admin/", admin.site.urls),
    *common,
]

handler400 = "assett.errors.bad_request"
handler403 = "assett.errors.permission_denied"
handler404 = "assett.errors.page_not_found"
handler500 = "assett.errors.server_error"
