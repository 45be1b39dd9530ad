from django.urls import path

from . import views

urlpatterns = [
    path("territoire/", views.territory_settings, name="territory_settings"),
    path("territoire/ouvrir/", views.open_territory, name="open_territory"),
    path("equipe/", views.team, name="team"),
    path("equipe/<int:pk>/retirer/", views.revoke_team_member, name="revoke_team_member"),
    path("equipe/invitations/<str:token>/", views.accept_team_invitation, name="accept_team_invitation"),
]
