from django.urls import path

from . import views

urlpatterns = [
    path("", views.backoffice, name="backoffice"),
    path("territoires/nouveau/", views.onboard, name="onboard"),
    path("territoires/<int:pk>/statut/", views.change_status, name="territory_status"),
]
