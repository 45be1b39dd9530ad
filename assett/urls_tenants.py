"""A territory's site, on its own domain (its schema)."""

from django.urls import include, path

from tenants import views as tenant_views

from .urls_common import urlpatterns as common

urlpatterns = [
    path("", tenant_views.territory_home, name="home"),
    path("theme.css", tenant_views.theme_css, name="theme_css"),
    path("media/<path:path>", tenant_views.media, name="media"),
    path("gestion/", include("tenants.urls_staff")),
    path("gestion/", include("events.urls_formats")),
    path("gestion/", include("events.urls_staff")),
    path("", include("events.urls_invitations")),
    path("gestion/bilan/", include("review.urls")),
    path("", include("accounts.urls")),
    path("", include("organisations.urls")),
    path("", include("referentiel.urls")),
    path("", include("toolbox.urls")),
    path("", include("events.urls")),
    path("", include("reports.urls")),
    *common,
]

handler400 = "assett.errors.bad_request"
handler403 = "assett.errors.permission_denied"
handler404 = "assett.errors.page_not_found"
handler500 = "assett.errors.server_error"
