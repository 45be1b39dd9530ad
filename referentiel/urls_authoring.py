"""Routes of the referential editor (territory staff), spliced into referentiel/urls.py.

Names are prefixed `authoring_` because they share referentiel/urls.py's namespace.
Everything that edits works on the territory's single draft, hence no version id in
those paths; the preview takes one because any version can be previewed.
"""

from django.urls import path

from .views import authoring

urlpatterns = [
    path("gestion/referentiel/brouillon/creer/", authoring.start_draft, name="authoring_start_draft"),
    path("gestion/referentiel/brouillon/", authoring.draft, name="authoring_draft"),
    path("gestion/referentiel/brouillon/comparer/", authoring.compare, name="authoring_compare"),
    path("gestion/referentiel/brouillon/informations/", authoring.version_edit, name="authoring_version_edit"),
    path("gestion/referentiel/brouillon/supprimer/", authoring.discard_draft, name="authoring_discard_draft"),
    path("gestion/referentiel/brouillon/publier/", authoring.publish, name="authoring_publish"),
    path("gestion/referentiel/niveaux/<int:pk>/", authoring.level_edit, name="authoring_level_edit"),
    path("gestion/referentiel/themes/ajouter/", authoring.theme_add, name="authoring_theme_add"),
    path("gestion/referentiel/themes/<int:pk>/", authoring.theme_edit, name="authoring_theme_edit"),
    path("gestion/referentiel/themes/<int:pk>/supprimer/", authoring.theme_delete, name="authoring_theme_delete"),
    path("gestion/referentiel/themes/<int:pk>/deplacer/", authoring.theme_move, name="authoring_theme_move"),
    path(
        "gestion/referentiel/themes/<int:pk>/questions/ajouter/", authoring.question_add, name="authoring_question_add"
    ),
    path("gestion/referentiel/questions/<int:pk>/", authoring.question_edit, name="authoring_question_edit"),
    path(
        "gestion/referentiel/questions/<int:pk>/supprimer/", authoring.question_delete, name="authoring_question_delete"
    ),
    path("gestion/referentiel/questions/<int:pk>/deplacer/", authoring.question_move, name="authoring_question_move"),
    path("gestion/referentiel/questions/<int:pk>/choix/ajouter/", authoring.choice_add, name="authoring_choice_add"),
    path("gestion/referentiel/questions/<int:pk>/tranches/ajouter/", authoring.band_add, name="authoring_band_add"),
    path("gestion/referentiel/choix/<int:pk>/", authoring.choice_edit, name="authoring_choice_edit"),
    path("gestion/referentiel/choix/<int:pk>/supprimer/", authoring.choice_delete, name="authoring_choice_delete"),
    path("gestion/referentiel/choix/<int:pk>/deplacer/", authoring.choice_move, name="authoring_choice_move"),
    path("gestion/referentiel/tranches/<int:pk>/supprimer/", authoring.band_delete, name="authoring_band_delete"),
    path("gestion/referentiel/versions/<int:pk>/apercu/", authoring.preview, name="authoring_preview"),
]
