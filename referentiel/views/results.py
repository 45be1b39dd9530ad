"""Results and history for participants; follow-up of every organisation for territory staff."""

from collections import defaultdict

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assett.forms import DsfrForm
from assett.fragments import cached_fragment
from benchmarks.models import NationalBenchmark
from organisations.access import get_membership_for_user
from organisations.enums import HeadcountBand, OrganisationKind
from organisations.models import Organisation
from organisations.naf import SECTIONS
from reports.services import latest_done_job, latest_job
from tenants.permissions import staff_required
from toolbox.practice_changes import practice_changes
from toolbox.recommendations import plan_choices, ranking_key, recommendations_for
from toolbox.revisions import TOOLBOX, completions_key, plan_key, revisions

from ..access import get_assessment_for_staff, get_assessment_for_user
from ..constants import AVERAGE_CACHE_SECONDS, STAFF_PAGE_SIZE
from ..enums import AssessmentStatus, QuestionKind, VersionStatus
from ..models import ANSWERED, Answer, Assessment, MaturityLevel
from ..results import (
    average_generation,
    build_results,
    describe_answer,
    previous_assessment,
    score_text,
    stored_result,
    strength_and_priority_codes,
    value_text,
)
from ..structure import structure_for

# --------------------------------------------------------------------------
# Participants
# --------------------------------------------------------------------------


@login_required
@require_safe
def results(request, pk):
    assessment = get_assessment_for_user(request, pk)
    if not assessment.is_submitted:
        return redirect("referentiel:resume", pk=assessment.pk)
    organisation = assessment.organisation
    structure = structure_for(assessment.version)
    # Read only by what is computed below (a QuerySet is lazy, and keeps its rows once read).
    answers = Answer.objects.filter(assessment_id=assessment.pk)
    _strengths, priority_codes = strength_and_priority_codes(structure, stored_result(assessment))
    # A submitted assessment's answers never change: the summary is kept until what else it shows
    # moves (the averages, the national comparison, the organisation's kind and size, the territory's
    # kind), the practice changes until the plan's completed items or the toolbox (its question links)
    # do, the recommendations until the plan, the toolbox or their ranking's inputs do
    # (assett/fragments.py). Revisions read first, in one query.
    assessment_parts = (assessment.pk, assessment.submitted_at, organisation.kind, organisation.headcount_band)
    summary_parts = (average_generation(), NationalBenchmark.merged_last(), request.tenant.kind)
    plan, completions, toolbox = revisions(plan_key(organisation.pk), completions_key(organisation.pk), TOOLBOX)
    ranking_parts = (ranking_key(assessment, priority_codes, toolbox), request.get_full_path())
    return render(
        request,
        "referentiel/results/results.html",
        {
            "assessment": assessment,
            "organisation": organisation,
            "summary": cached_fragment(
                "results-summary",
                (*assessment_parts, *summary_parts),
                "referentiel/results/_summary.html",
                lambda: {
                    "results": build_results(assessment, answers=answers),
                    "organisation": organisation,
                    "territory": request.tenant,
                },
                timeout=AVERAGE_CACHE_SECONDS,
            ),
            "practice_changes": cached_fragment(
                "results-practice-changes",
                (*assessment_parts, completions, toolbox),
                "referentiel/results/_practice_changes.html",
                lambda: _practice_changes_context(assessment, structure, answers),
            ),
            "recommendations": cached_fragment(
                "results-recommendations",
                (*assessment_parts, plan, toolbox, *ranking_parts),
                "referentiel/results/_recommendations.html",
                lambda: {
                    "recommendations": recommendations_for(
                        assessment, structure, answers, priority_codes, toolbox=toolbox
                    ),
                    "plan_organisations": plan_choices(organisation),
                    "request": request,  # the forms' `next`: its path is in the key
                },
                csrf_request=request,
            ),
            "report_job": latest_job(assessment),
            "page_title": _("Résultats de l'auto-évaluation"),
        },
    )


def _practice_changes_context(assessment, structure, answers):
    previous = previous_assessment(assessment)
    return {"previous": previous, "practice_changes": practice_changes(assessment, previous, structure, answers)}


def _history_columns(assessments):
    """Theme columns: the newest version's themes first, then codes only older versions had."""
    columns = []
    seen = set()
    for assessment in assessments:  # newest first
        for theme in structure_for(assessment.version).themes:
            if theme.code not in seen and theme.code in (assessment.theme_scores or {}):
                seen.add(theme.code)
                columns.append(theme)
    return columns


def _indicators(submitted):
    """Numeric indicators across submitted assessments (oldest first), matched by question code.

    Codes, not question ids: each referential version has its own rows, and a
    participant follows « consommation d'énergie » from one version to the next.
    """
    chronological = sorted(submitted, key=lambda a: a.submitted_at)
    answers = (
        Answer.objects.filter(assessment__in=chronological, question__kind=QuestionKind.NUMERIC)
        .select_related("question__theme")
        .order_by("question__theme__order", "question__order", "question__pk")
    )
    rows = {}
    values = defaultdict(dict)
    for answer in answers:
        question = answer.question
        # The newest wording and unit win: assessments are read oldest first.
        rows[question.code] = question
        if answer.not_applicable:
            text = _("Non concerné")
        elif answer.value is None:
            text = ""
        else:
            text = value_text(answer.value)  # the unit is in the row's header
        values[question.code][answer.assessment_id] = text
    return [
        {
            "code": code,
            "question": question,
            "values": [values[code].get(a.pk, "") for a in chronological],
        }
        for code, question in rows.items()
    ], chronological


@login_required
@require_safe
def history(request, org_pk):
    membership = get_membership_for_user(request, org_pk)
    organisation = membership.organisation
    assessments = list(
        Assessment.objects.filter(organisation=organisation)
        .select_related("version", "submitted_by")
        .order_by("-submitted_at", "-started_at")
    )
    in_progress = next((a for a in assessments if a.status == AssessmentStatus.IN_PROGRESS), None)
    submitted = [a for a in assessments if a.is_submitted]
    columns = _history_columns(submitted)
    rows = []
    for assessment in submitted:
        structure = structure_for(assessment.version)
        scores = assessment.theme_scores or {}
        rows.append(
            {
                "assessment": assessment,
                "level_name": structure.level_name(assessment.level_rank) if assessment.level_rank else "",
                "overall": score_text(assessment.overall_score),
                "themes": [
                    score_text(scores[theme.code]["score"]) if theme.code in scores else "–" for theme in columns
                ],
            }
        )
    indicators, chronological = _indicators(submitted)
    return render(
        request,
        "referentiel/results/history.html",
        {
            "organisation": organisation,
            "in_progress": in_progress,
            "rows": rows,
            "columns": columns,
            "indicators": indicators,
            "indicator_assessments": chronological,
            "page_title": _("Historique des auto-évaluations"),
        },
    )


# --------------------------------------------------------------------------
# Territory staff
# --------------------------------------------------------------------------

NO_ASSESSMENT = "none"
NO_LEVEL = "none"


class StaffAssessmentFilterForm(DsfrForm):
    q = forms.CharField(label=gettext_lazy("Nom de l'organisation"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=[("", gettext_lazy("Tous"))] + OrganisationKind.choices, required=False
    )
    naf_section = forms.ChoiceField(label=gettext_lazy("Section NAF"), required=False)
    headcount_band = forms.ChoiceField(
        label=gettext_lazy("Tranche d'effectif"),
        choices=[("", gettext_lazy("Toutes"))] + HeadcountBand.choices,
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Dernière auto-évaluation"),
        choices=[
            ("", gettext_lazy("Toutes")),
            (AssessmentStatus.IN_PROGRESS, gettext_lazy("En cours")),
            (AssessmentStatus.SUBMITTED, gettext_lazy("Validée")),
            (NO_ASSESSMENT, gettext_lazy("Aucune")),
        ],
        required=False,
    )
    level = forms.ChoiceField(label=gettext_lazy("Niveau"), required=False)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naf_section"].choices = [("", _("Toutes"))] + [
            (letter, f"{letter} – {label}") for letter, label in SECTIONS.items()
        ]
        self.fields["level"].choices = (
            [("", _("Tous"))]
            + [(str(level.rank), f"{level.rank}. {level.name}") for level in levels]
            + [(NO_LEVEL, _("Aucun niveau (pas d'auto-évaluation validée)"))]
        )


def _annotated_organisations():
    """Organisations with their latest assessment and latest submitted one, in a single query."""
    latest = Assessment.objects.filter(organisation=OuterRef("pk")).order_by("-started_at", "-pk")
    submitted = Assessment.objects.filter(organisation=OuterRef("pk"), status=AssessmentStatus.SUBMITTED).order_by(
        "-submitted_at", "-pk"
    )
    answered = (
        Answer.objects.filter(ANSWERED, assessment=OuterRef("latest_pk"))
        .values("assessment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Organisation.objects.annotate(
        latest_pk=Subquery(latest.values("pk")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_started_at=Subquery(latest.values("started_at")[:1]),
        latest_version_id=Subquery(latest.values("version_id")[:1]),
        latest_answered=Coalesce(Subquery(answered), 0),
        submitted_pk=Subquery(submitted.values("pk")[:1]),
        submitted_at=Subquery(submitted.values("submitted_at")[:1]),
        submitted_version_id=Subquery(submitted.values("version_id")[:1]),
        level_rank=Subquery(submitted.values("level_rank")[:1]),
        overall_score=Subquery(submitted.values("overall_score")[:1]),
    )


@staff_required
@require_safe
def staff_list(request):
    # Levels of every non-draft version in one query: the published version's
    # names for the filter, each assessment's own version's names for the rows.
    all_levels = list(
        MaturityLevel.objects.exclude(version__status=VersionStatus.DRAFT)
        .select_related("version")
        .order_by("version_id", "rank")
    )
    level_names = {(level.version_id, level.rank): level.name for level in all_levels}
    current_levels = [level for level in all_levels if level.version.status == VersionStatus.PUBLISHED]

    form = StaffAssessmentFilterForm(request.GET or None, levels=current_levels)
    organisations = _annotated_organisations()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            organisations = organisations.filter(name__icontains=data["q"])
        for name in ("kind", "naf_section", "headcount_band"):
            if data[name]:
                organisations = organisations.filter(**{name: data[name]})
        if data["status"] == NO_ASSESSMENT:
            organisations = organisations.filter(latest_pk__isnull=True)
        elif data["status"]:
            organisations = organisations.filter(latest_status=data["status"])
        if data["level"] == NO_LEVEL:
            organisations = organisations.filter(level_rank__isnull=True)
        elif data["level"]:
            organisations = organisations.filter(level_rank=int(data["level"]))
    page = Paginator(organisations.order_by("name", "pk"), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    # In-progress assessments are on published or archived versions: those the levels query brought.
    versions = {level.version_id: level.version for level in all_levels}
    for organisation in page:
        organisation.level_name = level_names.get((organisation.submitted_version_id, organisation.level_rank), "")
        organisation.score_text = score_text(organisation.overall_score)
        organisation.progress = None
        if organisation.latest_status == AssessmentStatus.IN_PROGRESS and organisation.latest_version_id in versions:
            # « 23 sur 50 »: the organisation's own questions (its kind and size), from the cached structure.
            structure = structure_for(versions[organisation.latest_version_id])
            total = sum(len(questions) for _theme, questions in structure.themes_for(organisation))
            organisation.progress = (min(organisation.latest_answered, total), total)
    return render(
        request,
        "referentiel/staff/list.html",
        {
            "form": form,
            "page": page,
            "in_progress": AssessmentStatus.IN_PROGRESS,
            "page_title": _("Suivi des auto-évaluations"),
        },
    )


@staff_required
@require_safe
def staff_detail(request, pk):
    assessment = get_assessment_for_staff(request, pk)
    organisation = assessment.organisation
    structure = structure_for(assessment.version)
    answers = list(assessment.answers.select_related("answered_by"))
    by_question = {answer.question_id: answer for answer in answers}
    themes = []
    for theme, questions in structure.themes_for(organisation):
        items = []
        for question in questions:
            answer = by_question.get(question.pk)
            items.append(
                {
                    "question": question,
                    "answer": answer,
                    "answered": answer is not None and answer.is_answered,
                    "given": describe_answer(question, answer),
                }
            )
        themes.append({"theme": theme, "questions": items})
    return render(
        request,
        "referentiel/staff/detail.html",
        {
            "assessment": assessment,
            "organisation": organisation,
            "themes": themes,
            "results": build_results(assessment, answers=answers, for_staff=True) if assessment.is_submitted else None,
            # Staff do not ask for reports; they download the organisation's latest one.
            "report_job": latest_done_job(assessment) if assessment.is_submitted else None,
            "page_title": _("Auto-évaluation %(of_name)s") % {"of_name": organisation.of_name},
        },
    )
