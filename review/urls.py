from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>.<str:file_format>", views.export, name="export"),
]
