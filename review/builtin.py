"""The review's own sections: participation, maturity, progress, action plans and the PCAET.

Each turns review/aggregate.py's plain figures into Tables (review/tables.py) with French labels
and, where a picture helps, a bar chart (assett/charts.py). Registered in ReviewConfig.ready().
"""

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assett import charts
from assett.small_groups import is_shown
from organisations.enums import HeadcountBand, OrganisationKind
from organisations.naf import SECTIONS
from toolbox.pcaet_contribution import contribution

from . import aggregate
from .tables import SUPPRESSED, Section, Table, cell_text


def bar_chart(*args, **kwargs):
    # charts.py escapes every text it is given: its markup is safe to insert as it is.
    return mark_safe(charts.bar_chart(*args, **kwargs))  # noqa: S308


def _count(value):
    """A count of organisations as a cell: the number, or SUPPRESSED for 1 to 4."""
    return value if is_shown(value) else SUPPRESSED


def _chart_value(value):
    return None if value is None or value == SUPPRESSED else value


def _note():
    return _(
        "Les groupes de moins de 5 organisations ne sont pas affichés, ni le plus petit groupe voisin quand "
        "il permettrait de les retrouver par différence."
    )


# ---- participation ------------------------------------------------------------------------------


def participation(review):
    counts = aggregate.funnel(review.participation, review.plan_rows)
    labels = {
        "registered": _("Organisations inscrites"),
        "started": _("Ont commencé une auto-évaluation"),
        "submitted": _("Ont validé une auto-évaluation"),
        "reassessed": _("Se sont réévaluées"),
        "with_plan": _("Ont ajouté une action à leur plan"),
        "with_completed_action": _("Ont réalisé une action"),
    }
    rows = tuple((labels[step], _count(counts[step])) for step in aggregate.FUNNEL_STEPS)
    title = _("Parcours des organisations")
    chart = bar_chart(
        title,
        [(label, [_chart_value(value)]) for label, value in rows],
        [_("Organisations")],
        value_text=cell_text,
        hidden_text=str(SUPPRESSED),
        id_prefix="bilan-parcours",
    )
    table = Table(
        slug="parcours",
        title=title,
        headers=(_("Étape"), _("Organisations")),
        rows=rows,
        note=_("Chaque organisation compte une fois par étape ; une étape compte ce qui s'est passé dans la période."),
        chart=chart,
    )
    return Section(slug="participation", title=_("Participation"), tables=(table,))


# ---- maturity -----------------------------------------------------------------------------------


def _group_label(dimension, key):
    if dimension == "kind":
        return OrganisationKind(key).label if key in OrganisationKind.values else key
    if dimension == "headcount_band":
        return HeadcountBand(key).label if key in HeadcountBand.values else key
    if dimension == "naf_section":
        return f"{key} – {SECTIONS[key]}" if key in SECTIONS else _("Sans code NAF")
    return key or _("Commune non renseignée")


def _maturity_table(review, slug, title, dimension, first_header):
    groups = aggregate.maturity_groups(review.maturity[dimension], review.theme_codes)
    themes = (review.theme_titles[code] for code in review.theme_codes)
    headers = (first_header, _("Organisations"), _("Score global"), *themes)
    rows = []
    for group in groups:
        label = _group_label(dimension, group.key) if dimension else _("Tout le territoire")
        if group.hidden:
            rows.append((label, SUPPRESSED, *(None for _c in range(len(review.theme_codes) + 1))))
            continue
        cells = [group.cells[aggregate.OVERALL], *(group.cells[c] for c in review.theme_codes)]
        rows.append((label, group.organisations, *(SUPPRESSED if c.hidden else c.value for c in cells)))
    return Table(slug=slug, title=title, headers=headers, rows=tuple(rows), note=_note())


def maturity(review):
    overall = aggregate.maturity_groups(review.maturity[None], review.theme_codes, breakdown=False)
    tables = []
    title = _("Maturité moyenne par thème (sur 100)")
    group = overall[0] if overall else None
    rows = []
    for code in (aggregate.OVERALL, *review.theme_codes):
        label = _("Score global") if code == aggregate.OVERALL else review.theme_titles[code]
        if group is None:
            rows.append((label, 0, None))
            continue
        cell = group.cells[code]
        rows.append((label, _count(cell.organisations), SUPPRESSED if cell.hidden else cell.value))
    chart = bar_chart(
        title,
        [(label, [_chart_value(value)]) for label, _n, value in rows],
        [_("Score moyen")],
        maximum=100,
        value_text=cell_text,
        hidden_text=str(SUPPRESSED),
        id_prefix="bilan-maturite",
    )
    tables.append(
        Table(
            slug="maturite",
            title=title,
            headers=(_("Thème"), _("Organisations"), _("Score moyen")),
            rows=tuple(rows),
            note=_(
                "La dernière auto-évaluation validée de chaque organisation dans la période ; un thème compte les "
                "organisations qui y ont un score (pas « non concernées »)."
            ),
            chart=chart,
        )
    )
    for slug, title, dimension, header in (
        ("maturite-type", _("Maturité par type d'organisation"), "kind", _("Type")),
        ("maturite-naf", _("Maturité par section NAF"), "naf_section", _("Section NAF")),
        ("maturite-effectif", _("Maturité par tranche d'effectif"), "headcount_band", _("Tranche d'effectif")),
        ("maturite-commune", _("Maturité par commune"), "commune", _("Commune")),
    ):
        tables.append(_maturity_table(review, slug, title, dimension, header))
    return Section(
        slug="maturite",
        title=_("Maturité"),
        tables=tuple(tables),
        intro=_("Scores sur 100, arrondis au dixième."),
    )


# ---- progress -----------------------------------------------------------------------------------


def progress(review):
    rows = []
    for item in aggregate.progress(review.progress, review.theme_codes):
        label = _("Score global") if item.code == aggregate.OVERALL else review.theme_titles[item.code]
        if item.change is None:
            rows.append((label, _count(item.organisations), None, None, None))
        else:
            rows.append((label, item.organisations, item.first, item.latest, item.change))
    title = _("Progrès entre la première et la dernière auto-évaluation")
    chart = bar_chart(
        title,
        [(label, [first, latest]) for label, _n, first, latest, _change in rows],
        [_("Première auto-évaluation"), _("Dernière auto-évaluation")],
        maximum=100,
        value_text=cell_text,
        hidden_text=str(SUPPRESSED),
        id_prefix="bilan-progres",
    )
    table = Table(
        slug="progres",
        title=title,
        headers=(_("Thème"), _("Organisations"), _("Première"), _("Dernière"), _("Évolution moyenne")),
        rows=tuple(rows),
        note=_(
            "Les organisations qui ont validé une auto-évaluation dans la période après en avoir validé une "
            "autre auparavant : de leur première à leur dernière."
        ),
        chart=chart,
    )
    return Section(slug="progres", title=_("Progrès"), tables=(table,))


# ---- action plans and the PCAET -----------------------------------------------------------------


def actions(review):
    rows = []
    for item in aggregate.actions_by_theme(review.plan_rows, review.theme_codes):
        label = review.theme_titles.get(item.theme) or item.theme or _("Sans thème")
        if item.planned is None:
            rows.append((label, SUPPRESSED, None, None, None))
        else:
            rows.append(
                (
                    label,
                    item.organisations,
                    item.planned,
                    SUPPRESSED if item.completed is None else item.completed,
                    SUPPRESSED if item.completing_organisations is None else item.completing_organisations,
                )
            )
    title = _("Actions des plans par thème")
    chart = bar_chart(
        title,
        [(label, [_chart_value(planned), _chart_value(done)]) for label, _n, planned, done, _o in rows],
        [_("Ajoutées aux plans"), _("Réalisées")],
        value_text=cell_text,
        hidden_text=str(SUPPRESSED),
        id_prefix="bilan-actions",
    )
    table = Table(
        slug="actions",
        title=title,
        headers=(
            _("Thème"),
            _("Organisations"),
            _("Actions ajoutées"),
            _("Actions réalisées"),
            _("Organisations ayant réalisé"),
        ),
        rows=tuple(rows),
        note=_("Ajoutées ou réalisées dans la période. ") + _note(),
        chart=chart if rows else "",
    )
    return Section(
        slug="actions",
        title=_("Plans d'actions"),
        tables=(table, _pcaet_table()),
        link=(reverse("toolbox:pcaet_contribution"), _("Contribution au PCAET, action par action")),
    )


def _pcaet_table():
    report = contribution()
    rows = []

    def figures(label, f):
        done_shown = is_shown(f.done)
        co2 = _("non estimé") if f.co2 is None else float(f.co2)
        return (label, _count(f.planned), _count(f.doing), _count(f.done), co2 if done_shown else SUPPRESSED)

    for group in report.groups:
        rows.append(figures(group.axis, group.subtotal))
    if report.groups:
        rows.append(figures(_("Tout le plan"), report.total))
    return Table(
        slug="pcaet",
        title=_("Contribution des plans au PCAET, par axe"),
        headers=(
            _("Axe du PCAET"),
            _("Organisations engagées"),
            _("En cours"),
            _("Ont réalisé"),
            _("tCO2e par an (actions réalisées)"),
        ),
        rows=tuple(rows),
        note=_(
            "Depuis le début du programme, quelle que soit la période choisie. Une organisation compte une fois "
            "par axe, même avec plusieurs actions liées."
        ),
    )
