"""URLs shared by the national site and every territory site."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("comptes/", include("allauth.urls")),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
]
