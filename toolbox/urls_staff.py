"""Routes of the toolbox editor (territory staff): actions, partners, schemes."""

from django.urls import path

from .views import staff

BASE = "gestion/boite-a-outils/"

urlpatterns = [
    path(BASE, staff.action_list, name="staff_actions"),
    path(BASE + "actions/ajouter/", staff.action_create, name="staff_action_create"),
    path(BASE + "actions/<int:pk>/", staff.action_edit, name="staff_action_edit"),
    path(BASE + "actions/<int:pk>/etapes/", staff.action_steps, name="staff_action_steps"),
    path(BASE + "actions/<int:pk>/questions/", staff.action_questions, name="staff_action_questions"),
    path(BASE + "actions/<int:pk>/liens/", staff.action_links, name="staff_action_links"),
    path(BASE + "actions/<int:pk>/version-nationale/", staff.action_revert, name="staff_action_revert"),
    path(BASE + "actions/<int:pk>/visibilite/", staff.action_visibility, name="staff_action_visibility"),
    path(BASE + "actions/<int:pk>/deplacer/", staff.action_move, name="staff_action_move"),
    path(BASE + "partenaires/", staff.partner_list, name="staff_partners"),
    path(BASE + "partenaires/ajouter/", staff.partner_create, name="staff_partner_create"),
    path(BASE + "partenaires/<int:pk>/", staff.partner_edit, name="staff_partner_edit"),
    path(BASE + "partenaires/<int:pk>/supprimer/", staff.partner_delete, name="staff_partner_delete"),
    path(BASE + "dispositifs/", staff.scheme_list, name="staff_schemes"),
    path(BASE + "dispositifs/ajouter/", staff.scheme_create, name="staff_scheme_create"),
    path(BASE + "dispositifs/<int:pk>/", staff.scheme_edit, name="staff_scheme_edit"),
    path(BASE + "dispositifs/<int:pk>/supprimer/", staff.scheme_delete, name="staff_scheme_delete"),
]
