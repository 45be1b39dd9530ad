"""The invitation emails' unsubscribe link: no login needed, the signed token says who."""

from django.urls import path

from . import invitation_views

app_name = "events_invitations"

urlpatterns = [
    path("evenements/invitations/ne-plus-recevoir/<str:token>/", invitation_views.opt_out, name="opt_out"),
]
