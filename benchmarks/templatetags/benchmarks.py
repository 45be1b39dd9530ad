"""The participant's comparison with organisations of the same kind, on their results page.

Rendered on a territory's site, read from the public schema's NationalBenchmark rows (one query,
reached through the search_path): benchmarks/ knows no tenant table, so the results page hands in
what it shows (the organisation's kind and its theme results).
"""

from django import template

from ..display import ALL, comparison
from ..models import NationalBenchmark

register = template.Library()


@register.filter
def score(value):
    """42.0 → « 42 », 42.5 → « 42,5 »."""
    if value is None:
        return "–"
    text = f"{float(value):.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


@register.inclusion_tag("benchmarks/includes/comparison.html", takes_context=True)
def benchmark_comparison(context, organisation, results):
    """`results`: referentiel.results.Results (its overall_score, kind_label and themes: code, title, score)."""
    territory = context.get("territory")
    epci_kind = getattr(territory, "kind", "") or ""
    groups = list(
        NationalBenchmark.objects.filter(organisation_kind=organisation.kind, epci_kind__in={ALL, epci_kind}).only(
            "epci_kind", "theme", "average", "organisations"
        )
    )
    themes = [("", None, results.overall_score)]
    themes += [(theme.code, theme.title, theme.score) for theme in results.themes]
    rows = comparison(themes, groups, organisation.kind, epci_kind)
    return {
        "rows": rows if groups else [],
        "organisation": organisation,
        "kind_label": results.kind_label,
        "territory": territory,
        "has_similar": any(row.similar for row in rows),
    }
