from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("mon-compte/", views.overview, name="overview"),
    path("mon-compte/mes-donnees.json", views.export, name="export"),
    path("mon-compte/supprimer/", views.delete, name="delete"),
]
