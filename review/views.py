"""The programme review (bilan) for the territory's staff, and the exports of each of its tables."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tenants.permissions import staff_required

from .forms import PeriodForm
from .sections import Review
from .tables import table_csv, table_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {
    "csv": (table_csv, "text/csv; charset=utf-8"),
    "xlsx": (table_xlsx, XLSX_TYPE),
}


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
    if file_format not in EXPORTS:
        raise Http404
    review = Review(PeriodForm(request.GET or None).period())
    table = review.table(slug)
    if table is None:
        raise Http404
    render_file, content_type = EXPORTS[file_format]
    response = HttpResponse(render_file(table), content_type=content_type)
    name = f"bilan-{slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
