"""Routes of the toolbox: the territory's climate plan (PCAET), for its staff."""

from django.urls import path

from .views import pcaet

urlpatterns = [
    path("gestion/pcaet/", pcaet.pcaet_list, name="pcaet_list"),
    path("gestion/pcaet/importer/", pcaet.pcaet_import, name="pcaet_import"),
    path("gestion/pcaet/importer/confirmer/", pcaet.pcaet_import_confirm, name="pcaet_import_confirm"),
    path("gestion/pcaet/actions/<int:pk>/", pcaet.pcaet_action, name="pcaet_action"),
    path("gestion/pcaet/contribution/", pcaet.pcaet_contribution, name="pcaet_contribution"),
    path("gestion/pcaet/contribution.csv", pcaet.pcaet_contribution_csv, name="pcaet_contribution_csv"),
    path("gestion/pcaet/contribution.xlsx", pcaet.pcaet_contribution_xlsx, name="pcaet_contribution_xlsx"),
]
