"""Routes of the participants' side of events: the agenda, an event's page and what one does there."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("evenements/", views.agenda, name="agenda"),
    path("evenements/agenda.ics", views.feed, name="feed"),
    path("evenements/<int:pk>/", views.event_detail, name="detail"),
    path("evenements/<int:pk>/agenda.ics", views.event_calendar, name="calendar"),
    path("evenements/<int:pk>/inscription/", views.register, name="register"),
    path("evenements/<int:pk>/inscriptions/<int:registration_pk>/annuler/", views.cancel, name="cancel"),
    path("evenements/<int:pk>/inscriptions/<int:registration_pk>/ceder/", views.hand_over, name="hand_over"),
    path("evenements/<int:pk>/avis/", views.feedback, name="feedback"),
    path("evenements/<int:pk>/plan/", views.add_to_plan, name="add_to_plan"),
]
