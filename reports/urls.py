"""Routes of the PDF reports: asked for from an assessment's results, then followed and downloaded by job."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("auto-evaluations/<int:pk>/rapport/", views.request_report, name="request"),
    path("rapports/<int:pk>/", views.state, name="state"),
    path("rapports/<int:pk>/rapport.pdf", views.download, name="download"),
]
