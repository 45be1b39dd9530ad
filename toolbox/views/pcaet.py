"""Territory staff and their climate plan (PCAET): the plan, its import, its links, the contribution view.

Staff only (404 for anyone else). An import goes in two steps: the upload is read and checked
(every problem listed, nothing written), then a confirmation page says what will change and asks
what to do with the actions missing from the new file; only its POST writes, in one transaction.
Between the two, the checked rows wait in the staff member's session.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assett.exports import download
from referentiel.enums import VersionStatus
from referentiel.models import Theme
from tenants.permissions import staff_required

from ..access import get_pcaet_action_for_staff
from ..forms_pcaet import PcaetConfirmForm, PcaetImportForm, PcaetLinksForm
from ..models import Action
from ..pcaet import PcaetError, current_programme, import_pcaet, pcaet_actions, plan_import, set_pcaet_links
from ..pcaet_contribution import contribution, export_table
from ..pcaet_file import MAX_FILE_BYTES, MAX_ROWS, PcaetRow

PENDING_KEY = "pcaet_pending_import"


def _import_counts(r):
    """« 3 actions ajoutées, 1 mise à jour, 0 inchangée… »: each number agreeing with its word."""
    return ", ".join(
        [
            ngettext("%(n)s action ajoutée", "%(n)s actions ajoutées", r.added) % {"n": r.added},
            ngettext("%(n)s mise à jour", "%(n)s mises à jour", r.updated) % {"n": r.updated},
            ngettext("%(n)s inchangée", "%(n)s inchangées", r.unchanged) % {"n": r.unchanged},
            ngettext("%(n)s supprimée", "%(n)s supprimées", r.removed) % {"n": r.removed},
            ngettext("%(n)s conservée hors fichier", "%(n)s conservées hors fichier", r.kept) % {"n": r.kept},
        ]
    )


def _grouped_by_axis(actions):
    groups = {}
    for action in actions:
        groups.setdefault(action.axis, []).append(action)
    return list(groups.items())


@staff_required
def pcaet_list(request):
    actions = list(pcaet_actions())
    return render(
        request,
        "toolbox/pcaet/list.html",
        {
            "page_title": _("Plan climat (PCAET)"),
            "programme": current_programme(),
            "groups": _grouped_by_axis(actions),
            "action_count": len(actions),
            "linked_count": sum(1 for action in actions if action.link_count),
        },
    )


@staff_required
def pcaet_import(request):
    programme = current_programme()
    initial = {"title": programme.title, "note": programme.note} if programme else {}
    posted = request.method == "POST"
    form = PcaetImportForm(request.POST if posted else None, request.FILES if posted else None, initial=initial)
    if posted and form.is_valid():
        request.session[PENDING_KEY] = {
            "rows": [row.as_dict() for row in form.rows],
            "title": form.cleaned_data["title"],
            "note": form.cleaned_data["note"],
            "filename": form.cleaned_data["file"].name[:200],
        }
        return redirect("toolbox:pcaet_import_confirm")
    return render(
        request,
        "toolbox/pcaet/import.html",
        {
            "page_title": _("Importer le programme d'actions du PCAET"),
            "form": form,
            "problems": form.problems,
            "programme": programme,
            "max_rows": MAX_ROWS,
            "max_megabytes": MAX_FILE_BYTES // 2**20,
        },
    )


@staff_required
def pcaet_import_confirm(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        messages.info(request, _("Aucun import en attente : choisissez d'abord un fichier."))
        return redirect("toolbox:pcaet_import")
    rows = [PcaetRow(**row) for row in pending["rows"]]
    plan = plan_import(rows)
    form = PcaetConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (not plan.missing or form.is_valid()):
        remove = bool(plan.missing) and form.cleaned_data["missing"] == PcaetConfirmForm.REMOVE
        try:
            result = import_pcaet(
                rows, title=pending["title"], note=pending["note"], user=request.user, remove_missing=remove
            )
        except PcaetError as error:
            messages.error(request, str(error))
            return redirect("toolbox:pcaet_import")
        del request.session[PENDING_KEY]
        messages.success(request, _("Le programme est importé : %(counts)s.") % {"counts": _import_counts(result)})
        return redirect("toolbox:pcaet_list")
    return render(
        request,
        "toolbox/pcaet/confirm.html",
        {
            "page_title": _("Confirmer l'import du PCAET"),
            "pending": pending,
            "row_count": len(rows),
            "plan": plan,
            "form": form,
        },
    )


def _theme_titles():
    """Theme code → title in the published referential (the toolbox's themes are its codes)."""
    return dict(
        Theme.objects.filter(version__status=VersionStatus.PUBLISHED)
        .order_by("order", "pk")
        .values_list("code", "title")
    )


@staff_required
def pcaet_action(request, pk):
    pcaet = get_pcaet_action_for_staff(request, pk)
    toolbox = Action.objects.order_by("main_theme", "order", "code")
    form = PcaetLinksForm(request.POST if request.method == "POST" else None, actions=toolbox)
    if request.method == "POST" and form.is_valid():
        try:
            set_pcaet_links(pcaet, form.cleaned_data["actions"])
        except PcaetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Les liens avec la boîte à outils sont enregistrés."))
        return redirect("toolbox:pcaet_action", pk=pcaet.pk)
    if form.is_bound:
        messages.error(
            request, _("Une des actions cochées n'est plus dans la boîte à outils : aucun lien n'a été modifié.")
        )
    linked = set(pcaet.toolbox_actions.values_list("pk", flat=True))
    titles = _theme_titles()
    themes = {}
    for action in toolbox:
        themes.setdefault(action.main_theme, []).append(action)
    # The referential's order first, then themes it does not know (a local code), by code.
    known = [code for code in titles if code in themes]
    ordered = known + sorted(code for code in themes if code not in titles)
    return render(
        request,
        "toolbox/pcaet/action.html",
        {
            "page_title": str(pcaet),
            "pcaet": pcaet,
            "programme": current_programme(),
            "themes": [(code, titles.get(code, code), themes[code]) for code in ordered],
            "linked": linked,
            "linked_count": len(linked),
        },
    )


@staff_required
def pcaet_contribution(request):
    return render(
        request,
        "toolbox/pcaet/contribution.html",
        {
            "page_title": _("Contribution des organisations au PCAET"),
            "programme": current_programme(),
            "report": contribution(),
        },
    )


def _export(extension):
    return download(export_table(contribution()), f"contribution-pcaet-{timezone.localdate():%Y-%m-%d}", extension)


@staff_required
def pcaet_contribution_csv(request):
    return _export("csv")


@staff_required
def pcaet_contribution_xlsx(request):
    return _export("xlsx")
