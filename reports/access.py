"""One door per report job: the organisation's members and the territory's staff; a 404 for anyone else."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.access import check_in_programme

from .models import ReportJob


def get_report_job_for_user(request, pk):
    """A job of an assessment of one of the user's organisations, or any job (maturity report or
    programme review) for the territory's staff."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    jobs = ReportJob.objects.select_related("assessment__organisation")
    if not user.is_territory_staff:
        # A review job has no assessment: this leaves it out too (the review is the staff's alone).
        jobs = jobs.filter(assessment__organisation__memberships__user=user)
    job = get_object_or_404(jobs, pk=pk)
    if not user.is_territory_staff:
        check_in_programme(job.assessment.organisation)
    return job
