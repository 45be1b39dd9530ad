"""Territory staff adapt the referential: overview, draft editor, preview, publication.

Views stay thin: they fetch (staff only, 404 for anyone else), validate forms and call
referentiel/authoring.py, which alone decides what may change and refuses any write on
a published or archived version.
"""

import copy
from types import SimpleNamespace

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from organisations.enums import HeadcountBand, OrganisationKind
from tenants.permissions import staff_required

from .. import authoring
from ..authoring import AuthoringError
from ..compare import compare_versions
from ..duration import duration_text, minutes_for
from ..enums import AssessmentStatus, VersionStatus
from ..forms import SavedAnswer
from ..forms_authoring import (
    BandForm,
    ChoiceForm,
    LevelForm,
    PreviewForm,
    QuestionForm,
    ThemeForm,
    VersionInfoForm,
)
from ..loader import dump_referential
from ..models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme
from ..question_html import question_html
from ..structure import structure_for
from ..targeting import targeting_text
from .participant import QuestionBlock

# ---- fetching: staff only (the decorator), one door per object ---------------------------------


def _theme(pk):
    return get_object_or_404(Theme.objects.select_related("version"), pk=pk)


def _question(pk):
    return get_object_or_404(Question.objects.select_related("version", "theme"), pk=pk)


def _choice(pk):
    return get_object_or_404(Choice.objects.select_related("question__version", "question__theme"), pk=pk)


def _band(pk):
    return get_object_or_404(NumericBand.objects.select_related("question__version"), pk=pk)


def _locked(request, version):
    """A page of a version that can no longer change: say so and go back to the overview."""
    messages.error(request, authoring.locked_message(version))
    return redirect("referentiel:authoring_overview")


def _draft_url(fragment=""):
    return reverse("referentiel:authoring_draft") + fragment


def _theme_url(theme_pk, fragment=""):
    return reverse("referentiel:authoring_theme_edit", args=[theme_pk]) + fragment


def _question_url(question_pk, fragment=""):
    return reverse("referentiel:authoring_question_edit", args=[question_pk]) + fragment


def _run(request, action, *args, success=None, **kwargs):
    """Call a service for a POST button; a refusal becomes an error message. True when it went through."""
    try:
        action(*args, **kwargs)
    except AuthoringError as error:
        messages.error(request, str(error))
        return False
    if success:
        messages.success(request, success)
    return True


def _direction(request):
    return request.POST.get("direction", "")


def _form_page(request, form, *, heading, back_url, submit_label, intro=""):
    return render(
        request,
        "referentiel/authoring/form.html",
        {
            "form": form,
            "heading": heading,
            "page_title": heading,
            "back_url": back_url,
            "submit_label": submit_label,
            "intro": intro,
        },
    )


# ---- overview ------------------------------------------------------------------------------------


def _durations(structure):
    """The estimated duration of an assessment for each kind of organisation, every size's questions counted."""
    return [
        (
            kind.label,
            duration_text(
                minutes_for(q for _theme, questions in _themes_for_profile(structure, kind, "") for q in questions)
            ),
        )
        for kind in OrganisationKind
    ]


@staff_required
def overview(request):
    versions = list(
        ReferentialVersion.objects.annotate(
            assessment_count=Count("assessments"),
            in_progress_count=Count("assessments", filter=Q(assessments__status=AssessmentStatus.IN_PROGRESS)),
        ).order_by("-created_at")
    )
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    archived = [v for v in versions if v.status == VersionStatus.ARCHIVED]
    structure = structure_for(published) if published else None
    return render(
        request,
        "referentiel/authoring/overview.html",
        {
            "page_title": _("Référentiel d'auto-évaluation"),
            "published": published,
            "structure": structure,
            "durations": _durations(structure) if structure else [],
            "draft": draft,
            "archived": archived,
        },
    )


@staff_required
@require_POST
def start_draft(request):
    existing = authoring.current_draft()
    try:
        authoring.start_draft(request.user)
    except AuthoringError as error:
        messages.error(request, str(error))
        for problem in error.problems:
            messages.error(request, str(problem))
        return redirect("referentiel:authoring_overview")
    if existing:
        messages.info(request, _("Un brouillon existe déjà : le voici."))
    else:
        messages.success(request, _("Le brouillon est créé : c'est une copie de la version publiée."))
    return redirect("referentiel:authoring_draft")


# ---- the draft -----------------------------------------------------------------------------------


def _current_draft_or_redirect(request):
    draft = authoring.current_draft()
    if draft is None:
        messages.info(request, _("Aucun brouillon en cours : créez-en un à partir de la version publiée."))
    return draft


@staff_required
def draft(request):
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    themes = list(
        Theme.objects.filter(version=version).annotate(question_count=Count("questions")).order_by("order", "pk")
    )
    return render(
        request,
        "referentiel/authoring/draft.html",
        {
            "page_title": _("Modifier le brouillon"),
            "version": version,
            "levels": list(MaturityLevel.objects.filter(version=version).order_by("rank")),
            "themes": themes,
            "problems": authoring.draft_problems(version),
            "preview_form": PreviewForm(),
        },
    )


@staff_required
def compare(request):
    """What the draft changes in the published version, theme by theme, before it is published."""
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    published = ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    diff = compare_versions(dump_referential(published), dump_referential(version)) if published else None
    return render(
        request,
        "referentiel/authoring/compare.html",
        {"page_title": _("Ce que change le brouillon"), "version": version, "published": published, "diff": diff},
    )


@staff_required
def version_edit(request):
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    form = VersionInfoForm(request.POST or None, instance=copy.copy(version))
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_version_info(version, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Les informations de la version sont enregistrées."))
            return redirect("referentiel:authoring_draft")
    return _form_page(
        request, form, heading=_("Titre et numéro de version"), back_url=_draft_url(), submit_label=_("Enregistrer")
    )


@staff_required
def discard_draft(request):
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    if request.method == "POST":
        if _run(request, authoring.discard_draft, version, success=_("Le brouillon est supprimé.")):
            return redirect("referentiel:authoring_overview")
        return redirect("referentiel:authoring_draft")
    return render(
        request,
        "referentiel/authoring/confirm_delete.html",
        {
            "page_title": _("Supprimer le brouillon"),
            "heading": _("Supprimer le brouillon « %(label)s » ?") % {"label": version.label},
            "consequence": _(
                "Toutes les modifications faites dans ce brouillon seront perdues. La version publiée ne change pas."
            ),
            "back_url": _draft_url(),
        },
    )


@staff_required
def level_edit(request, pk):
    level = get_object_or_404(MaturityLevel.objects.select_related("version"), pk=pk)
    if not level.version.is_editable:
        return _locked(request, level.version)
    form = LevelForm(request.POST or None, instance=copy.copy(level))
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_level(level, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Le niveau est enregistré."))
            return redirect(_draft_url("#niveaux"))
    return _form_page(
        request,
        form,
        heading=_("Niveau %(rank)s : %(name)s") % {"rank": level.rank, "name": level.name},
        back_url=_draft_url("#niveaux"),
        submit_label=_("Enregistrer"),
    )


@staff_required
def publish(request):
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    if request.method == "POST":
        try:
            authoring.publish_draft(version, request.user)
        except AuthoringError as error:
            messages.error(request, str(error))
            problems = error.problems
        else:
            messages.success(
                request,
                _("La version %(label)s est publiée : les nouvelles auto-évaluations se feront sur elle.")
                % {"label": version.label},
            )
            return redirect("referentiel:authoring_overview")
    else:
        problems = authoring.draft_problems(version)
    published = (
        ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .annotate(in_progress_count=Count("assessments", filter=Q(assessments__status=AssessmentStatus.IN_PROGRESS)))
        .first()
    )
    return render(
        request,
        "referentiel/authoring/publish.html",
        {"page_title": _("Publier le brouillon"), "version": version, "published": published, "problems": problems},
    )


# ---- themes --------------------------------------------------------------------------------------


@staff_required
def theme_add(request):
    version = _current_draft_or_redirect(request)
    if version is None:
        return redirect("referentiel:authoring_overview")
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = authoring.add_theme(version, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Le thème est ajouté : ajoutez-lui des questions."))
            return redirect(_theme_url(theme.pk))
    return _form_page(request, form, heading=_("Ajouter un thème"), back_url=_draft_url(), submit_label=_("Ajouter"))


@staff_required
def theme_edit(request, pk):
    theme = _theme(pk)
    if not theme.version.is_editable:
        return _locked(request, theme.version)
    form = ThemeForm(request.POST or None, instance=copy.copy(theme))
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_theme(theme, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Le thème est enregistré."))
            return redirect(_theme_url(theme.pk))
    questions = list(theme.questions.annotate(choice_count=Count("choices")).order_by("order", "pk"))
    return render(
        request,
        "referentiel/authoring/theme.html",
        {"page_title": theme.title, "theme": theme, "form": form, "questions": questions},
    )


@staff_required
def theme_delete(request, pk):
    theme = _theme(pk)
    if not theme.version.is_editable:
        return _locked(request, theme.version)
    if request.method == "POST":
        if _run(request, authoring.delete_theme, theme, success=_("Le thème est supprimé.")):
            return redirect(_draft_url("#themes"))
        return redirect(_theme_url(theme.pk))
    count = theme.questions.count()
    return render(
        request,
        "referentiel/authoring/confirm_delete.html",
        {
            "page_title": _("Supprimer le thème"),
            "heading": _("Supprimer le thème « %(title)s » ?") % {"title": theme.title},
            "consequence": ngettext(
                "Sa question et ses choix seront supprimés du brouillon.",
                "Ses %(count)s questions et leurs choix seront supprimés du brouillon.",
                count,
            )
            % {"count": count}
            if count
            else _("Le thème n'a pas de question."),
            "back_url": _theme_url(theme.pk),
        },
    )


@staff_required
@require_POST
def theme_move(request, pk):
    theme = _theme(pk)
    _run(request, authoring.move_theme, theme, _direction(request))
    return redirect(_draft_url(f"#theme-{theme.pk}"))


# ---- questions -----------------------------------------------------------------------------------


@staff_required
def question_add(request, pk):
    theme = _theme(pk)
    if not theme.version.is_editable:
        return _locked(request, theme.version)
    form = QuestionForm(request.POST or None, version=theme.version, with_theme=False)
    if request.method == "POST" and form.is_valid():
        try:
            question = authoring.add_question(theme, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La question est ajoutée : définissez ses choix."))
            return redirect(_question_url(question.pk))
    return _form_page(
        request,
        form,
        heading=_("Ajouter une question au thème « %(title)s »") % {"title": theme.title},
        back_url=_theme_url(theme.pk),
        submit_label=_("Ajouter"),
    )


@staff_required
def question_edit(request, pk):
    question = _question(pk)
    if not question.version.is_editable:
        return _locked(request, question.version)
    form = QuestionForm(request.POST or None, instance=copy.copy(question), version=question.version)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_question(question, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La question est enregistrée."))
            return redirect(_question_url(question.pk))
    return render(
        request,
        "referentiel/authoring/question.html",
        {
            "page_title": question.code,
            "question": question,
            "form": form,
            "choices": list(question.choices.order_by("order", "pk")),
            # Open-ended low band first (PostgreSQL sorts NULL last).
            "bands": sorted(question.bands.all(), key=lambda b: (b.min_value is not None, b.min_value or 0, b.pk)),
            "choice_form": ChoiceForm(prefix="choice"),
            "band_form": BandForm(prefix="band"),
        },
    )


@staff_required
def question_delete(request, pk):
    question = _question(pk)
    if not question.version.is_editable:
        return _locked(request, question.version)
    if request.method == "POST":
        if _run(request, authoring.delete_question, question, success=_("La question est supprimée.")):
            return redirect(_theme_url(question.theme_id, "#questions"))
        return redirect(_question_url(question.pk))
    return render(
        request,
        "referentiel/authoring/confirm_delete.html",
        {
            "page_title": _("Supprimer la question"),
            "heading": _("Supprimer la question %(code)s ?") % {"code": question.code},
            "consequence": question.text,
            "back_url": _question_url(question.pk),
        },
    )


@staff_required
@require_POST
def question_move(request, pk):
    question = _question(pk)
    _run(request, authoring.move_question, question, _direction(request))
    return redirect(_theme_url(question.theme_id, f"#question-{question.pk}"))


# ---- choices and bands ---------------------------------------------------------------------------


@staff_required
@require_POST
def choice_add(request, pk):
    question = _question(pk)
    form = ChoiceForm(request.POST, prefix="choice")
    if form.is_valid():
        _run(request, authoring.add_choice, question, **form.cleaned_data, success=_("Le choix est ajouté."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Choix non ajouté : %(error)s") % {"error": error})
    return redirect(_question_url(question.pk, "#choix"))


@staff_required
def choice_edit(request, pk):
    choice = _choice(pk)
    if not choice.question.version.is_editable:
        return _locked(request, choice.question.version)
    form = ChoiceForm(request.POST or None, instance=copy.copy(choice))
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_choice(choice, **form.cleaned_data)
        except AuthoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Le choix est enregistré."))
            return redirect(_question_url(choice.question_id, "#choix"))
    return _form_page(
        request,
        form,
        heading=_("Modifier un choix de la question %(code)s") % {"code": choice.question.code},
        intro=choice.question.text,
        back_url=_question_url(choice.question_id, "#choix"),
        submit_label=_("Enregistrer"),
    )


@staff_required
@require_POST
def choice_delete(request, pk):
    choice = _choice(pk)
    _run(request, authoring.delete_choice, choice, success=_("Le choix est supprimé."))
    return redirect(_question_url(choice.question_id, "#choix"))


@staff_required
@require_POST
def choice_move(request, pk):
    choice = _choice(pk)
    _run(request, authoring.move_choice, choice, _direction(request))
    return redirect(_question_url(choice.question_id, f"#choix-{choice.pk}"))


@staff_required
@require_POST
def band_add(request, pk):
    question = _question(pk)
    form = BandForm(request.POST, prefix="band")
    if form.is_valid():
        _run(request, authoring.add_band, question, **form.cleaned_data, success=_("La tranche est ajoutée."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Tranche non ajoutée : %(error)s") % {"error": error})
    return redirect(_question_url(question.pk, "#tranches"))


@staff_required
@require_POST
def band_delete(request, pk):
    band = _band(pk)
    _run(request, authoring.delete_band, band, success=_("La tranche est supprimée."))
    return redirect(_question_url(band.question_id, "#tranches"))


# ---- preview -------------------------------------------------------------------------------------


def _themes_for_profile(structure, kind, band):
    """(theme, questions) a participant of this kind (and size, if given) is asked.

    With a band, the participant's own rule (Structure.themes_for) decides; without one,
    questions kept for some sizes are included too.
    """
    if band:
        return structure.themes_for(SimpleNamespace(kind=kind, headcount_band=band))
    themes = []
    for theme in structure.themes:
        questions = [q for q in theme.question_list if not q.organisation_kinds or kind in q.organisation_kinds]
        if questions:
            themes.append((theme, questions))
    return themes


def _preview_themes(structure, kind, band):
    """The questionnaire of that profile, each question in the participant's own markup (question_html,
    without autosave) with whom it is for (without a band, the questions of some sizes are labelled so)."""
    # Built per request: cached structures are shared between requests and never mutated.
    previewed, number = [], 0
    for theme, questions in _themes_for_profile(structure, kind, band):
        items = []
        for question in questions:
            number += 1
            block = QuestionBlock(question=question, form=SavedAnswer(question, None), number=number, autosave_url=None)
            items.append(
                SimpleNamespace(
                    question=question,
                    html=question_html(block, None),
                    whom=targeting_text(question.organisation_kinds, question.headcount_bands),
                )
            )
        previewed.append((theme, items))
    return previewed


@staff_required
def preview(request, pk):
    version = get_object_or_404(ReferentialVersion, pk=pk)
    form = PreviewForm(request.GET or None)
    kind, band, points = OrganisationKind.ENTREPRISE, "", False
    if form.is_bound and form.is_valid():
        kind, band, points = form.cleaned_data["kind"], form.cleaned_data["headcount_band"], form.cleaned_data["points"]
    themes = _preview_themes(structure_for(version), kind, band)
    questions = [item.question for _theme, items in themes for item in items]
    return render(
        request,
        "referentiel/authoring/preview.html",
        {
            "page_title": _("Aperçu du questionnaire"),
            "version": version,
            "form": form if form.is_bound else PreviewForm(initial={"kind": kind}),
            "kind_label": OrganisationKind(kind).label,
            "band_label": HeadcountBand(band).label if band else "",
            "themes": themes,
            "question_count": len(questions),
            "duration": duration_text(minutes_for(questions)),
            "show_points": points,
        },
    )
