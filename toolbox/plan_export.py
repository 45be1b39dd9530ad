"""The action plan as a table of French headers, one row per item: assett/exports.py writes it as
CSV and XLSX, so that the two files say the same thing."""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assett.exports import ExportTable

from .plan_summary import sort_key

HEADERS = (
    gettext_lazy("Intitulé"),
    gettext_lazy("Fiche de la boîte à outils"),
    gettext_lazy("Thème"),
    gettext_lazy("Statut"),
    gettext_lazy("En retard"),
    gettext_lazy("Priorité"),
    gettext_lazy("Responsable"),
    gettext_lazy("Date de début"),
    gettext_lazy("Échéance"),
    gettext_lazy("Réalisée le"),
    gettext_lazy("Réalisée par"),
    gettext_lazy("Étapes faites"),
    gettext_lazy("Étapes"),
    gettext_lazy("Description"),
)
WIDTHS = (40, 14, 24, 14, 10, 10, 24, 14, 14, 14, 24, 10, 10, 60)


def plan_table(items, today):
    """One row per item, in the page's order (overdue first). Items come through plan_summary.describe
    and carry the step counts and the people's names (views/plan.py's plan_items)."""
    rows = []
    yes, no = _("Oui"), _("Non")
    for item in sorted(items, key=lambda item: sort_key(item, today)):
        completed_on = timezone.localtime(item.completed_at).date() if item.completed_at else None
        rows.append(
            [
                item.title,
                item.action_code or "",
                item.theme_title,
                item.status_label,
                yes if item.overdue else no,
                item.priority_label,
                item.owner_name,
                item.start_date,
                item.target_date,
                completed_on,
                item.completed_by_name,
                item.steps_done,
                item.steps_total,
                item.description,
            ]
        )
    return ExportTable(
        tuple(str(header) for header in HEADERS), tuple(rows), sheet_title=_("Plan d'actions"), widths=WIDTHS
    )


def filename(organisation, today):
    return f"plan-actions-{slugify(organisation.name) or organisation.pk}-{today.isoformat()}"
