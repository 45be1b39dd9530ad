"""Routes of the staff's event pages, under gestion/ (assett/urls_tenants.py)."""

from django.urls import path

from . import staff_views as views

app_name = "events_staff"

BASE = "evenements/"

urlpatterns = [
    path(BASE, views.event_list, name="list"),
    path(BASE + "nouveau/", views.event_create, name="create"),
    path(BASE + "<int:pk>/", views.event_detail, name="detail"),
    path(BASE + "<int:pk>/modifier/", views.event_edit, name="edit"),
    path(BASE + "<int:pk>/publier/", views.event_publish, name="publish"),
    path(BASE + "<int:pk>/annuler/", views.event_cancel, name="cancel"),
    path(BASE + "<int:pk>/presences/", views.event_attendance, name="attendance"),
    path(BASE + "<int:pk>/inscrits.csv", views.export_csv, name="export_csv"),
    path(BASE + "<int:pk>/inscrits.xlsx", views.export_xlsx, name="export_xlsx"),
    path(BASE + "<int:pk>/avis/", views.event_feedback, name="feedback"),
    path(BASE + "<int:pk>/invitations/", views.event_invitations, name="invitations"),
]
