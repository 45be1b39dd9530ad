"""Routes of the toolbox: an organisation's action plan (its members only)."""

from django.urls import path

from .views import plan

urlpatterns = [
    path("organisations/<int:org_pk>/plan/ajouter/<int:action_pk>/", plan.plan_add, name="plan_add"),
]
