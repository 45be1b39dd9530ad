"""Routes of the self-assessment: participants (questionnaire, results) and territory staff."""

from django.urls import path

from . import urls_authoring
from .views import authoring, participant, results

app_name = "referentiel"

urlpatterns = [
    # Participants: take the questionnaire (views/participant.py)
    path("organisations/<int:org_pk>/auto-evaluation/commencer/", participant.start, name="start"),
    path("auto-evaluations/<int:pk>/", participant.resume, name="resume"),
    path("auto-evaluations/<int:pk>/themes/<str:code>/", participant.theme, name="theme"),
    path("auto-evaluations/<int:pk>/questions/<int:question_pk>/", participant.autosave, name="autosave"),
    path("auto-evaluations/<int:pk>/relecture/", participant.review, name="review"),
    path("auto-evaluations/<int:pk>/valider/", participant.submit, name="submit"),
    # Participants: results and history (views/results.py)
    path("auto-evaluations/<int:pk>/resultats/", results.results, name="results"),
    path("organisations/<int:org_pk>/auto-evaluations/", results.history, name="history"),
    # Territory staff: follow-up (views/results.py)
    path("gestion/auto-evaluations/", results.staff_list, name="staff_list"),
    path("gestion/auto-evaluations/<int:pk>/", results.staff_detail, name="staff_detail"),
    # Territory staff: adapt the referential (views/authoring.py)
    path("gestion/referentiel/", authoring.overview, name="authoring_overview"),
]

urlpatterns += urls_authoring.urlpatterns
