"""The participant's questionnaire: start, one theme per page, autosave, review, submit.

Every page works without JavaScript (one form per theme, saved by its buttons);
htmx only adds the autosave of each question as soon as it changes.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from organisations.access import get_organisation_for_user
from toolbox.practice_changes import completed_since_last_assessment

from .. import services
from ..access import get_questionnaire_assessment
from ..forms import AnswerForm, SavedAnswer
from ..models import Answer
from ..question_html import question_html, status_html
from ..structure import structure_of


def participant_required(view):
    """login_required, except that an htmx request gets its redirect through HX-Redirect.

    Followed silently by the browser, a plain redirect would put the login page
    inside the question's status line when a session expires mid-questionnaire.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            login = redirect_to_login(next_url)
            return HttpResponse(status=401, headers={"HX-Redirect": login.url})
        return redirect_to_login(request.get_full_path())

    return wrapper


@dataclass
class QuestionBlock:
    question: object
    form: AnswerForm | SavedAnswer
    number: int
    autosave_url: str
    html: str = ""
    # Titles of the plan's actions completed since the last submitted assessment that answer this question.
    completed_actions: tuple = ()
    # Answered last time, not copied: the question changed in the new version of the referential.
    changed: bool = False

    @property
    def answer(self):
        return self.form.answer


def _answers(assessment):
    # Not assessment.answers: the related manager's per-row bookkeeping costs a tenth of this query.
    return {answer.question_id: answer for answer in Answer.objects.filter(assessment_id=assessment.pk)}


def _progress(assessment, structure, answers):
    return services.assessment_progress(structure, assessment.organisation, services.answered_ids(answers))


def _attach_authors(answers, questions, user):
    """Colleagues' names for the status lines of the shown questions, in one query (none when alone)."""
    shown = [answers[q.pk] for q in questions if q.pk in answers]
    others = {a.answered_by_id for a in shown if a.answered_by_id and a.answered_by_id != user.pk}
    people = User.objects.in_bulk(others) if others else {}
    for answer in shown:
        if answer.answered_by_id == user.pk:
            answer.answered_by = user
        elif answer.answered_by_id in people:
            answer.answered_by = people[answer.answered_by_id]


def _locked(request, assessment):
    """A submitted assessment: refuse the write, say so, and send people to the results."""
    message = _("Cette auto-évaluation est validée : elle ne peut plus être modifiée.")
    if request.htmx:
        messages.error(request, message)
        return HttpResponse(
            message, status=403, headers={"HX-Redirect": reverse("referentiel:results", args=[assessment.pk])}
        )
    return render(request, "referentiel/assessment/locked.html", {"assessment": assessment}, status=403)


@participant_required
@require_http_methods(["GET", "POST"])
def start(request, org_pk):
    """Start (or resume) the organisation's assessment. After a validated one, the page asks first
    whether to start from its answers or from a blank page: on purpose, never in one click."""
    organisation = get_organisation_for_user(request, org_pk)
    if request.method == "GET":
        in_progress = services.in_progress_assessment(organisation)
        if in_progress is not None:
            return redirect("referentiel:resume", pk=in_progress.pk)
        previous = services.previous_assessment(organisation)
        return render(
            request,
            "referentiel/assessment/start.html",
            {"organisation": organisation, "previous": previous, "page_title": _("Nouvelle auto-évaluation")},
        )
    carry_over = request.POST.get("depart") == "reprise"
    try:
        assessment = services.start_assessment(organisation, request.user, carry_over=carry_over)
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect("organisations:detail", pk=organisation.pk)
    plan = getattr(assessment, "carry_over", None)
    if plan is not None:
        text = ngettext(
            "%(count)d réponse reprise de votre dernière auto-évaluation : confirmez-la ou modifiez-la.",
            "%(count)d réponses reprises de votre dernière auto-évaluation : confirmez-les ou modifiez-les.",
            len(plan.copies),
        ) % {"count": len(plan.copies)}
        if plan.changed:
            text += " " + ngettext(
                "%(count)d question a changé depuis : répondez-y de nouveau.",
                "%(count)d questions ont changé depuis : répondez-y de nouveau.",
                len(plan.changed),
            ) % {"count": len(plan.changed)}
        messages.info(request, text)
    return redirect("referentiel:resume", pk=assessment.pk)


@participant_required
@require_GET
def resume(request, pk):
    assessment = get_questionnaire_assessment(request, pk)
    if assessment.is_submitted:
        return redirect("referentiel:results", pk=assessment.pk)
    answers = _answers(assessment)
    progress = _progress(assessment, structure_of(assessment), answers)
    # Back where they were; if that theme is complete, on to the next one still open.
    start_at = next((i for i, item in enumerate(progress) if item.theme.pk == assessment.last_theme_id), 0)
    for item in progress[start_at:] + progress[:start_at]:
        if not item.done:
            return redirect("referentiel:theme", pk=assessment.pk, code=item.theme.code)
    return redirect("referentiel:review", pk=assessment.pk)


@dataclass(frozen=True)
class ThemeLink:
    url: str
    label: str
    current: bool


def _urls_ending_with(viewname, assessment):
    """reverse() once for URLs of the assessment that differ only by their last part.

    A theme page links every theme and posts every question to its own URL: one reverse()
    each cost about 0.3 ms a page. Theme codes and ids need no quoting.
    """
    head = reverse(viewname, args=[assessment.pk, 0]).removesuffix("0/")
    return lambda last: f"{head}{last}/"


def _theme_links(assessment, progress, index):
    """The side menu: each theme with its progress. Built here: through the template's
    {% url %} and {% blocktranslate %} tags, these few links took close to half of the page's
    template time."""
    theme_url = _urls_ending_with("referentiel:theme", assessment)
    links = []
    for position, item in enumerate(progress):
        state = _("%(answered)s sur %(total)s") % {"answered": item.answered, "total": item.total}
        if item.done:
            state += ", " + _("terminé")
        label = f"{item.theme.title} ({state})"
        links.append(ThemeLink(url=theme_url(item.theme.code), label=label, current=position == index))
    return links


def _progress_context(assessment, progress, index):
    """What the side menu and the progress bar show; the page and each autosave render them."""
    answered = sum(p.answered for p in progress)
    return {
        "theme_links": _theme_links(assessment, progress, index),
        "review_url": reverse("referentiel:review", args=[assessment.pk]),
        "answered": answered,
        "total": sum(p.total for p in progress),
        "themes_done": sum(1 for p in progress if p.done),
        "steps": len(progress),
    }


def _progress_update(request, assessment, structure, answer):
    """The side menu and progress bar after an autosave, swapped by htmx out of band (hx-swap-oob)."""
    progress = services.assessment_progress(structure, assessment.organisation, answer.answered_question_ids)
    index = next(i for i, item in enumerate(progress) if item.theme.pk == answer.question.theme_id)
    context = {**_progress_context(assessment, progress, index), "oob": True}
    return render_to_string("referentiel/assessment/_theme_menu.html", context, request) + render_to_string(
        "referentiel/assessment/_progress.html", context, request
    )


def _render_theme(request, assessment, index, progress, answers, forms=None, status=200):
    themes = [item.theme for item in progress]
    item = progress[index]
    _attach_authors(answers, item.questions, request.user)
    number_before = sum(p.total for p in progress[:index])
    autosave_url = _urls_ending_with("referentiel:autosave", assessment)
    completed = completed_since_last_assessment(assessment.organisation)
    changed = set(assessment.changed_question_codes)
    blocks = [
        QuestionBlock(
            question=question,
            form=(forms or {}).get(question.pk) or SavedAnswer(question, answers.get(question.pk)),
            number=number_before + position,
            autosave_url=autosave_url(question.pk),
            completed_actions=tuple(completed.get(question.code, ())),
            changed=question.code in changed and question.pk not in answers,
        )
        for position, question in enumerate(item.questions, start=1)
    ]
    for block in blocks:
        block.html = question_html(block, request.user)
    context = {
        **_progress_context(assessment, progress, index),
        "assessment": assessment,
        "organisation": assessment.organisation,
        "theme": item.theme,
        "theme_progress": item,
        "blocks": blocks,
        "invalid_blocks": [block for block in blocks if block.form.error_messages],
        "step": index + 1,
        "previous_theme": themes[index - 1] if index > 0 else None,
        "next_theme": themes[index + 1] if index + 1 < len(themes) else None,
        "page_title": item.theme.title,
    }
    return render(request, "referentiel/assessment/theme.html", context, status=status)


@participant_required
@require_http_methods(["GET", "POST"])
def theme(request, pk, code):
    assessment = get_questionnaire_assessment(request, pk)
    if assessment.is_submitted:
        if request.method == "POST":
            return _locked(request, assessment)
        return redirect("referentiel:results", pk=assessment.pk)
    structure = structure_of(assessment)
    answers = _answers(assessment)
    progress = _progress(assessment, structure, answers)
    index = next((i for i, item in enumerate(progress) if item.theme.code == code), None)
    if index is None:
        raise Http404
    if request.method == "GET":
        return _render_theme(request, assessment, index, progress, answers)

    forms = {
        question.pk: AnswerForm(question, request.POST, answer=answers.get(question.pk))
        for question in progress[index].questions
    }
    saved = False
    kept = []  # copied answers posted back unchanged: the participant saw them and keeps them
    with transaction.atomic():
        for question_pk, form in forms.items():
            if form.is_valid() and form.needs_saving():
                try:
                    services.save_answer(assessment, structure.questions[question_pk], request.user, form.answer_input)
                except services.AssessmentError as error:
                    form.add_error(None, str(error))
                else:
                    saved = True
            elif form.is_valid() and form.answer is not None and form.answer.to_confirm:
                kept.append(question_pk)
        if kept and services.confirm_answers(assessment, kept):
            saved = True
    if any(form.errors for form in forms.values()):
        messages.error(request, _("Certaines réponses n'ont pas été enregistrées : corrigez-les ci-dessous."))
        # Re-read so that progress and « enregistré » lines include what was just saved.
        answers = _answers(assessment) if saved else answers
        progress = _progress(assessment, structure, answers)
        invalid = {pk: form for pk, form in forms.items() if form.errors}
        return _render_theme(request, assessment, index, progress, answers, forms=invalid)

    if saved:
        messages.success(request, _("Vos réponses sont enregistrées."))
    if request.POST.get("go") == "previous" and index > 0:
        return redirect("referentiel:theme", pk=assessment.pk, code=progress[index - 1].theme.code)
    if request.POST.get("go") == "next":
        if index + 1 < len(progress):
            return redirect("referentiel:theme", pk=assessment.pk, code=progress[index + 1].theme.code)
        return redirect("referentiel:review", pk=assessment.pk)
    return redirect("referentiel:theme", pk=assessment.pk, code=code)


@participant_required
@require_POST
def autosave(request, pk, question_pk):
    assessment = get_questionnaire_assessment(request, pk)
    if assessment.is_submitted:
        return _locked(request, assessment)
    structure = structure_of(assessment)
    question = structure.questions.get(question_pk)
    if question is None or not question.applies_to(assessment.organisation):
        raise Http404
    form = AnswerForm(question, request.POST)
    answer = None
    if form.is_valid():
        try:
            answer = services.save_answer(assessment, question, request.user, form.answer_input)
        except services.AssessmentError as error:
            if not request.htmx:
                return _locked(request, assessment)
            form.add_error(None, str(error))

    if request.htmx:
        # 200 even for an invalid answer: htmx swaps nothing on 4xx, and the message must show.
        html = status_html(answer, form.error_messages, request.user, autosaved=True)
        if answer is not None:
            html += _progress_update(request, assessment, structure, answer)
        return HttpResponse(html)
    if answer is None:
        answers = _answers(assessment)
        progress = _progress(assessment, structure, answers)
        index = next(i for i, item in enumerate(progress) if item.theme.pk == question.theme_id)
        form.answer = answers.get(question.pk)
        return _render_theme(request, assessment, index, progress, answers, forms={question.pk: form})
    url = reverse("referentiel:theme", args=[assessment.pk, question.theme.code])
    return redirect(f"{url}#question-{question.pk}")


@participant_required
@require_GET
def review(request, pk):
    assessment = get_questionnaire_assessment(request, pk)
    if assessment.is_submitted:
        return redirect("referentiel:results", pk=assessment.pk)
    answers = _answers(assessment)
    answered_ids = services.answered_ids(answers)
    to_confirm = {pk for pk, answer in answers.items() if answer.to_confirm}
    changed = set(assessment.changed_question_codes)
    progress = services.assessment_progress(structure_of(assessment), assessment.organisation, answered_ids)
    rows = [
        {
            "item": item,
            "unanswered": [q for q in item.questions if q.pk not in answered_ids],
            "to_confirm": [q for q in item.questions if q.pk in to_confirm],
            "changed_codes": {q.code for q in item.questions if q.code in changed and q.pk not in answered_ids},
        }
        for item in progress
    ]
    answered = sum(item.answered for item in progress)
    total = sum(item.total for item in progress)
    context = {
        "assessment": assessment,
        "organisation": assessment.organisation,
        "rows": rows,
        "answered": answered,
        "total": total,
        "unanswered_count": total - answered,
        "to_confirm_count": sum(len(row["to_confirm"]) for row in rows),
        "page_title": _("Relecture de l'auto-évaluation"),
    }
    return render(request, "referentiel/assessment/review.html", context)


@participant_required
@require_POST
def submit(request, pk):
    assessment = get_questionnaire_assessment(request, pk)
    try:
        services.submit_assessment(assessment, request.user)
    except services.AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Votre auto-évaluation est validée. Voici vos résultats."))
    return redirect("referentiel:results", pk=assessment.pk)
