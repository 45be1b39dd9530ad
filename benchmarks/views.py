"""The national view, on the platform's site: each territory's key figures and the national benchmark."""

from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assett.charts import bar_chart
from tenants.enums import EpciKind
from tenants.models import Territory
from tenants.permissions import national_admin_required

from .display import ALL, benchmark_table, key_figures
from .models import NationalBenchmark


def _score(value):
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


@national_admin_required
@require_safe
def national(request):
    territories = list(
        Territory.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .select_related("benchmark")
        # The page shows the key figures only: the groups are the merge's (36 a territory, parsed for nothing).
        .defer("benchmark__groups", "benchmark__themes", "benchmark__kinds")
        .order_by("name")
    )
    for territory in territories:
        benchmark = getattr(territory, "benchmark", None)
        territory.key_figures = key_figures(benchmark.figures if benchmark else {})
        territory.collected_at = benchmark.collected_at if benchmark else None
    groups = list(NationalBenchmark.objects.all())
    kinds = sorted({(g.organisation_kind, g.organisation_kind_label) for g in groups if g.organisation_kind})
    kind_columns = [(ALL, ALL), *((ALL, kind) for kind, _label in kinds)]
    epci_kinds = [kind for kind in EpciKind if any(g.epci_kind == kind for g in groups)]
    epci_columns = [(ALL, ALL), *((kind.value, ALL) for kind in epci_kinds)]
    by_kind = benchmark_table(groups, kind_columns)
    overall = [(row.title or _("Score global"), [row.cells[0][0] if row.cells[0] else None]) for row in by_kind]
    chart = (
        mark_safe(  # noqa: S308 — assett.charts escapes every text it is given
            bar_chart(
                _("Maturité moyenne par thème, toutes organisations (sur 100)"),
                overall,
                [_("Score moyen")],
                maximum=100,
                value_text=_score,
                hidden_text=_("moins de 5 organisations"),
                id_prefix="national-maturite",
            )
        )
        if overall
        else ""
    )
    return render(
        request,
        "benchmarks/national.html",
        {
            "territories": territories,
            "by_kind": by_kind,
            "kind_headers": [_("Toutes"), *(label for _kind, label in kinds)],
            "by_epci": benchmark_table(groups, epci_columns),
            "epci_headers": [_("Tous les territoires"), *(kind.label for kind in epci_kinds)],
            "merged_at": max((g.merged_at for g in groups), default=None),
            "chart": chart,
            "page_title": _("Bilan national"),
        },
    )
