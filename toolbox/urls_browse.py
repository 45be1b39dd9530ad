"""Routes of the toolbox: browse (participants, and anonymous visitors: the territory's public offer)."""

from django.urls import path

from .views import browse

urlpatterns = [
    path("boite-a-outils/", browse.action_list, name="action_list"),
    path("boite-a-outils/<str:code>/", browse.action_detail, name="action_detail"),
]
