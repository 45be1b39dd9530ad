"""URLs shared by the national site and every territory site."""

from django.urls import include, path

from accounts.login import login

from . import views
from .health import healthz

urlpatterns = [
    # allauth's login page, answering 429 when it is blocked (same path and name as allauth's).
    path("comptes/login/", login, name="account_login"),
    path("comptes/", include("allauth.urls")),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("healthz", healthz, name="healthz"),
]
