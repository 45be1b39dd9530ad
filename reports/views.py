"""The report's three doors: ask for it (from the results page), follow its state, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from referentiel.access import get_assessment_for_user

from . import services
from .access import get_report_job_for_user

STATE_FRAGMENT = "reports/includes/report_state.html"
REVIEW_STATE_FRAGMENT = "reports/includes/review_state.html"


def _results_url(assessment_pk):
    return reverse("referentiel:results", kwargs={"pk": assessment_pk}) + "#rapport"


@login_required
@require_POST
def request_report(request, pk):
    """Members of the organisation only. A report already up to date is downloaded at once (without
    htmx) or offered (with htmx); otherwise its render starts and the page follows its state."""
    assessment = get_assessment_for_user(request, pk)
    try:
        job = services.request_report(assessment, request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect(_results_url(assessment.pk))
    if request.htmx:
        return render(request, STATE_FRAGMENT, {"job": job, "assessment": assessment, "can_request": True})
    if job.is_done:
        return redirect("reports:download", pk=job.pk)
    messages.info(request, _("La préparation du rapport a commencé. Vous recevrez un courriel quand il sera prêt."))
    return redirect(_results_url(assessment.pk))


@login_required
@require_safe
def state(request, pk):
    """The job's state: the fragment that htmx polls, or a page of its own (without JavaScript)."""
    job = services.fail_if_overrun(get_report_job_for_user(request, pk))
    if job.is_review:
        return _review_state(request, job)
    context = {
        "job": job,
        "assessment": job.assessment,
        # Staff follow and download; asking for a new render is for the organisation's members.
        "can_request": job.assessment.organisation.memberships.filter(user=request.user).exists(),
        "page_title": _("Rapport PDF"),
    }
    return render(request, STATE_FRAGMENT if request.htmx else "reports/state.html", context)


@login_required
@require_safe
def download(request, pk):
    """The PDF, for the organisation's members and the territory's staff, from private storage."""
    job = get_report_job_for_user(request, pk)
    if not job.is_done or not job.file:
        raise Http404
    try:
        # Read whole (a report weighs a few hundred kilobytes): no file stays open after the response.
        with job.file.open("rb") as file:
            pdf = file.read()
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, services.download_name(job))
    # Personal data: kept by no shared cache, nor by the browser's once closed.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _review_state(request, job):
    # Only staff reach here (get_report_job_for_user): they may ask for the review again.
    context = {
        "job": job,
        "period": job.period,
        "period_label": services.review_period_label(job),
        "page_title": _("Bilan du programme (PDF)"),
    }
    return render(request, REVIEW_STATE_FRAGMENT if request.htmx else "reports/review_state.html", context)
