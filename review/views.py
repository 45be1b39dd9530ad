"""The programme review (bilan) for the territory's staff, and the exports of each of its tables."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assett.exports import download
from reports.review_content import period_label
from reports.services import latest_review_job, request_review
from tenants.permissions import staff_required

from .forms import PeriodForm
from .sections import Review
from .tables import export_table


@staff_required
@require_safe
def dashboard(request):
    form = PeriodForm(request.GET or None)
    review = Review(form.period())
    return render(
        request,
        "review/dashboard.html",
        {
            "form": form,
            "review": review,
            # The exports' links keep the period shown.
            "export_query": urlencode(review.period.as_query()),
            # The PDF of this period: its latest job (one query), and the form that asks for it.
            "pdf_job": latest_review_job(review.period),
            "period_label": period_label(review.period),
            "page_title": _("Bilan du programme"),
        },
    )


@staff_required
@require_safe
def export(request, slug, file_format):
    if file_format not in ("csv", "xlsx"):
        raise Http404
    review = Review(PeriodForm(request.GET or None).period())
    table = review.table(slug)
    if table is None:
        raise Http404
    return download(export_table(table), f"bilan-{slug}-{timezone.localdate():%Y-%m-%d}", file_format)


@staff_required
@require_POST
def request_pdf(request):
    """The whole review over the period asked for, as a PDF (reports/): one render per content.

    With htmx the dashboard's « PDF » block is swapped for the job's state; without, the job's
    page (which a reload keeps up to date), or the file at once when it is ready.
    """
    form = PeriodForm(request.POST or None)
    if not form.is_valid():
        messages.error(request, _("La période demandée n'est pas valide : le bilan n'a pas été demandé."))
        return redirect("review:dashboard")
    period = form.period()
    job = request_review(period, request.user)
    if request.htmx:
        return render(
            request,
            "reports/includes/review_state.html",
            {"job": job, "period": period, "period_label": period_label(period)},
        )
    if job.is_done:
        return redirect("reports:download", pk=job.pk)
    messages.info(request, _("La préparation du bilan (PDF) a commencé. Vous recevrez un courriel quand il sera prêt."))
    return redirect("reports:state", pk=job.pk)
