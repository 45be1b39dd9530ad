"""Routes of the staff's workshop formats (included under gestion/): the library and an event's running order."""

from django.urls import path

from . import format_views as views

app_name = "formats"

urlpatterns = [
    path("deroules/", views.format_list, name="list"),
    path("deroules/<int:pk>/", views.format_detail, name="detail"),
    path("deroules/<int:pk>/copier/", views.format_copy, name="copy"),
    path("deroules/<int:pk>/modifier/", views.format_edit, name="edit"),
    path("deroules/<int:pk>/etapes/", views.format_steps, name="steps"),
    path("deroules/<int:pk>/visibilite/", views.format_visibility, name="visibility"),
    path("evenements/<int:pk>/deroule/", views.event_running_order, name="running_order"),
]
