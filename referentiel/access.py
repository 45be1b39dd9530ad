"""One door per object: assessments are fetched through these helpers only."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Assessment


def get_assessment_for_user(request, pk):
    """An assessment of one of the user's organisations; 404 for anything else (other org, anonymous)."""
    if not request.user.is_authenticated:
        raise Http404
    assessment = get_object_or_404(
        Assessment.objects.select_related("organisation", "version"),
        pk=pk,
        organisation__memberships__user=request.user,
    )
    return assessment


def get_assessment_for_staff(request, pk):
    if not request.user.is_authenticated or not request.user.is_territory_staff:
        raise Http404
    return get_object_or_404(Assessment.objects.select_related("organisation", "version"), pk=pk)
