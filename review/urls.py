from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pdf/", views.request_pdf, name="request_pdf"),
    path("<slug:slug>.<str:file_format>", views.export, name="export"),
]
