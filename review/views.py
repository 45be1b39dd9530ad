"""The programme review (bilan) for the territory's staff, and the exports of each of its tables."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assett.exports import download
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
