"""One door per object: assessments are fetched through these helpers only."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.access import check_in_programme

from .models import Assessment


def get_assessment_for_user(request, pk):
    """An assessment of one of the user's organisations; 404 for anything else (other org, anonymous)."""
    return _of_user(request, pk, Assessment.objects.select_related("organisation", "version"))


def get_questionnaire_assessment(request, pk):
    """The same door, for the questionnaire's pages: the columns they read and no version row.

    The hottest query of the site stays narrow; the version's structure comes from
    structure.structure_of, which reads the version row only when it is not cached.
    """
    assessments = Assessment.objects.select_related("organisation").only(
        *("status", "organisation_id", "version_id", "last_theme_id", "submitted_at", "changed_question_codes"),
        *("organisation__name", "organisation__kind", "organisation__headcount_band"),
        *("organisation__outside_territory", "organisation__accepted_at"),  # check_in_programme
    )
    return _of_user(request, pk, assessments)


def _of_user(request, pk, assessments):
    if not request.user.is_authenticated:
        raise Http404
    assessment = get_object_or_404(assessments, pk=pk, organisation__memberships__user=request.user)
    check_in_programme(assessment.organisation)  # outside the territory, not accepted yet
    return assessment


def get_assessment_for_staff(request, pk):
    if not request.user.is_authenticated or not request.user.is_territory_staff:
        raise Http404
    return get_object_or_404(Assessment.objects.select_related("organisation", "version"), pk=pk)
