"""Routes of the toolbox: an organisation's action plan (its members only)."""

from django.urls import path

from .views import plan

PLAN = "organisations/<int:org_pk>/plan/"

urlpatterns = [
    path(PLAN, plan.plan_page, name="plan"),
    path(PLAN + "ajouter/<int:action_pk>/", plan.plan_add, name="plan_add"),
    path(PLAN + "nouvelle/", plan.plan_create, name="plan_create"),
    path(PLAN + "export.csv", plan.plan_export_csv, name="plan_export_csv"),
    path(PLAN + "export.xlsx", plan.plan_export_xlsx, name="plan_export_xlsx"),
    path(PLAN + "<int:pk>/", plan.plan_item, name="plan_item"),
    path(PLAN + "<int:pk>/supprimer/", plan.plan_delete, name="plan_delete"),
    path(PLAN + "<int:pk>/etapes/", plan.plan_step_add, name="plan_step_add"),
    path(PLAN + "<int:pk>/etapes/<int:step_pk>/", plan.plan_step, name="plan_step"),
    path(PLAN + "<int:pk>/notes/", plan.plan_note_add, name="plan_note_add"),
]
