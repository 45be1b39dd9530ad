from django.urls import path

from . import staff, views

app_name = "organisations"

urlpatterns = [
    path("mon-espace/", views.dashboard, name="dashboard"),
    path("organisations/nouvelle/", views.create, name="create"),
    path("organisations/communes/", views.commune_field, name="commune_field"),
    path("organisations/rejoindre/", views.join_search, name="join_search"),
    path("organisations/<int:pk>/", views.detail, name="detail"),
    path("organisations/<int:pk>/modifier/", views.edit, name="edit"),
    path("organisations/rejoindre/<uuid:public_id>/", views.join, name="join"),
    path("organisations/demandes/<int:request_pk>/retirer/", views.withdraw_join_request, name="withdraw_join_request"),
    path("organisations/<int:pk>/inviter/", views.invite, name="invite"),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/annuler/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/renvoyer/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path("organisations/<int:pk>/demandes/<int:request_pk>/", views.decide_join_request, name="decide_join_request"),
    path("organisations/<int:pk>/membres/<int:membership_pk>/", views.manage_member, name="manage_member"),
    path("organisations/<int:pk>/quitter/", views.leave, name="leave"),
    path("organisations/<int:pk>/supprimer/", views.delete, name="delete"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("gestion/organisations/", views.staff_list, name="staff_list"),
    path("gestion/organisations/<int:pk>/", staff.staff_organisation, name="staff_detail"),
    path("gestion/organisations/<int:pk>/accepter/", views.staff_accept, name="staff_accept"),
    path("gestion/organisations/<int:pk>/supprimer/", views.staff_delete, name="staff_delete"),
]
