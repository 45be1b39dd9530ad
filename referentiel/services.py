"""Writes on assessments: start, answer (autosave), submit. Views turn AssessmentError into messages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.models import Organisation

from . import carry_over, scoring
from .enums import AssessmentStatus, QuestionKind, VersionStatus
from .models import Answer, Assessment, ReferentialVersion
from .notifications import notify_submission
from .results import forget_kind_averages
from .structure import answer_spec, question_spec, structure_for


class AssessmentError(Exception):
    """A refused operation; the French message is shown to the participant as is."""


def current_version():
    return ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).first()


def in_progress_assessment(organisation):
    return Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.IN_PROGRESS).first()


def previous_assessment(organisation):
    """The organisation's last submitted assessment, the one a re-assessment starts from."""
    return (
        Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .first()
    )


@transaction.atomic
def start_assessment(organisation, user, carry_over=False):
    """The organisation's assessment in progress, or a new one on the published version.

    With `carry_over`, the new one starts from the answers of the last submitted assessment, each
    « à confirmer » (carry_over.py). Members of one organisation share one assessment in progress;
    the row lock on the organisation makes two simultaneous clicks create only one.
    """
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.awaits_acceptance:
        raise AssessmentError(
            _(
                "Votre organisation attend la validation de l'équipe du programme (sa commune n'est pas "
                "une commune du territoire) : l'auto-évaluation s'ouvre dès qu'elle l'a acceptée."
            )
        )
    existing = in_progress_assessment(organisation)
    if existing:
        return existing
    version = current_version()
    if version is None:
        raise AssessmentError(_("Le référentiel n'est pas encore publié par votre territoire."))
    previous = previous_assessment(organisation) if carry_over else None
    assessment = Assessment.objects.create(
        organisation=organisation, version=version, started_by=user, carried_over_from=previous
    )
    if previous is not None:
        _copy_previous_answers(assessment, previous)
    return assessment


def _copy_previous_answers(assessment, previous):
    new_questions = {
        question.code: question
        for _theme, questions in structure_for(assessment.version).themes_for(assessment.organisation)
        for question in questions
    }
    plan = carry_over.plan_carry_over(
        structure_for(previous.version).questions,
        [answer for answer in previous.answers.all() if answer.is_answered],
        new_questions,
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_id=question.pk,
            choice_ids=choice_ids,
            value=answer.value,
            not_applicable=answer.not_applicable,
            explicit_none=answer.explicit_none,
            comment=answer.comment,
            # Who gave the answer, and when: the status line says « votre réponse du … ».
            answered_by_id=answer.answered_by_id,
            answered_at=answer.answered_at,
            to_confirm=True,
        )
        for question, answer, choice_ids in plan.copies
    )
    assessment.changed_question_codes = plan.changed
    assessment.save(update_fields=["changed_question_codes"])
    assessment.carry_over = plan


def answers_to_confirm(assessment):
    return Answer.objects.filter(assessment=assessment, to_confirm=True)


def confirm_answers(assessment, question_ids):
    """The participant keeps these copied answers as they are (the theme page's buttons)."""
    return Answer.objects.filter(
        assessment=assessment,
        assessment__status=AssessmentStatus.IN_PROGRESS,
        question_id__in=question_ids,
        to_confirm=True,
    ).update(to_confirm=False)


@dataclass(frozen=True)
class AnswerInput:
    choice_ids: tuple = ()
    value: Decimal | None = None
    not_applicable: bool = False
    explicit_none: bool = False
    comment: str = ""


def is_percentage(question):
    return question.kind == QuestionKind.NUMERIC and question.unit.strip() == "%"


def value_problem(question, value):
    """Why a numeric answer cannot be right for its question, or None. A share is between 0 and 100 %."""
    if value is not None and is_percentage(question) and not 0 <= value <= 100:
        return _("Un pourcentage est compris entre 0 et 100.")
    return None


def _check_answer(question, data):
    if data.not_applicable:
        if not question.allow_not_applicable:
            raise AssessmentError(_("La réponse « non concerné » n'est pas possible pour cette question."))
        return
    valid_ids = {choice.pk for choice in question.choice_list}
    if not set(data.choice_ids) <= valid_ids:
        raise AssessmentError(_("Ce choix ne correspond pas à la question."))
    if question.kind in (QuestionKind.LADDER, QuestionKind.YESNO) and len(data.choice_ids) > 1:
        raise AssessmentError(_("Choisissez une seule réponse."))
    if question.kind == QuestionKind.NUMERIC and data.value is not None and data.value < 0:
        raise AssessmentError(_("La valeur doit être positive ou nulle."))
    problem = value_problem(question, data.value)
    if problem:
        raise AssessmentError(problem)


# The autosave's write, in one statement and so one round trip, atomic by itself: the update of
# the assessment is conditional on its status, so if a colleague submitted meanwhile it waits for
# their row lock and updates nothing, and then no answer is written either (it is inserted from the
# updated row). The unique constraint decides between insert and update: no read first. Through
# the ORM the same took a transaction and four round trips (bench/bench_questionnaire.py).
# It also returns the other answered questions (models.ANSWERED, in SQL), for the progress bar:
# a second query cost the autosave 0.75 ms.
_SAVE_ANSWER_SQL = """
WITH open_assessment AS (
    UPDATE referentiel_assessment SET updated_at = %(now)s, last_theme_id = %(theme)s
    WHERE id = %(assessment_id)s AND status = %(in_progress)s
    RETURNING id
)
INSERT INTO referentiel_answer AS answer
    (assessment_id, question_id, choice_ids, value, not_applicable, explicit_none, comment, answered_by_id, answered_at,
     to_confirm)
SELECT id, %(question)s, %(choice_ids)s::bigint[], %(value)s::numeric, %(not_applicable)s, %(explicit_none)s,
       %(comment)s, %(user)s, %(now)s, false
FROM open_assessment
ON CONFLICT (assessment_id, question_id) DO UPDATE SET
    choice_ids = excluded.choice_ids, value = excluded.value, not_applicable = excluded.not_applicable,
    explicit_none = excluded.explicit_none, comment = excluded.comment,
    answered_by_id = excluded.answered_by_id, answered_at = excluded.answered_at, to_confirm = false
RETURNING answer.id, ARRAY(
    SELECT question_id FROM referentiel_answer
    WHERE assessment_id = %(assessment_id)s AND question_id <> %(question)s
      AND (not_applicable OR cardinality(choice_ids) > 0 OR value IS NOT NULL OR explicit_none)
)
"""


def save_answer(assessment, question, user, data):
    """Create or replace the answer to one question; records who answered and when.

    The returned answer carries `answered_question_ids`: the ids of every answered question of
    the assessment once it is saved.
    """
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise AssessmentError(_("Cette auto-évaluation est validée : elle ne peut plus être modifiée."))
    if question.version_id != assessment.version_id or not question.applies_to(assessment.organisation):
        raise AssessmentError(_("Cette question ne fait pas partie de votre auto-évaluation."))
    _check_answer(question, data)
    answer = Answer(
        assessment=assessment,
        question=question,
        choice_ids=[] if data.not_applicable else sorted(data.choice_ids),
        value=None if data.not_applicable else data.value,
        not_applicable=data.not_applicable,
        explicit_none=data.explicit_none and not data.not_applicable and not data.choice_ids,
        comment=data.comment.strip()[:2000],
        answered_by=user,
        answered_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_ANSWER_SQL,
            {
                "assessment_id": assessment.pk,
                "in_progress": AssessmentStatus.IN_PROGRESS.value,
                "theme": question.theme_id,
                "question": question.pk,
                "choice_ids": answer.choice_ids,
                "value": answer.value,
                "not_applicable": answer.not_applicable,
                "explicit_none": answer.explicit_none,
                "comment": answer.comment,
                "user": user.pk,
                "now": answer.answered_at,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise AssessmentError(_("Cette auto-évaluation est validée : elle ne peut plus être modifiée."))
    answer.pk = row[0]
    answer.answered_question_ids = {*row[1], question.pk} if answer.is_answered else set(row[1])
    return answer


@dataclass(frozen=True)
class ThemeProgress:
    theme: object
    questions: list
    answered: int

    @property
    def total(self):
        return len(self.questions)

    @property
    def done(self):
        return self.answered == self.total


def assessment_progress(structure, organisation, answered):
    """Per theme: the applicable questions and how many are answered (`answered`: question ids)."""
    return [
        ThemeProgress(theme=theme, questions=questions, answered=sum(1 for q in questions if q.pk in answered))
        for theme, questions in structure.themes_for(organisation)
    ]


def answered_ids(answers_by_question):
    return {pk for pk, answer in answers_by_question.items() if answer.is_answered}


def compute_scores(assessment, answers):
    """Pure scoring of an assessment's answers, on the questions that apply to its organisation."""
    structure = structure_for(assessment.version)
    applicable = [q for _theme, questions in structure.themes_for(assessment.organisation) for q in questions]
    applicable_ids = {q.pk for q in applicable}
    return scoring.score_assessment(
        [question_spec(q) for q in applicable],
        [answer_spec(a) for a in answers if a.question_id in applicable_ids and a.is_answered],
        structure.level_specs,
    )


@transaction.atomic
def submit_assessment(assessment, user, *, notify=True):
    """Lock the assessment and store its scores: results pages never recompute them.

    Staff are emailed (referentiel/notifications.py) unless `notify` is false: demo seeding writes
    history, not news."""
    assessment = Assessment.objects.select_for_update().select_related("organisation", "version").get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise AssessmentError(_("Cette auto-évaluation est déjà validée."))
    # Copied answers nobody looked at would be last year's results presented as this year's.
    waiting = answers_to_confirm(assessment).count()
    if waiting:
        raise AssessmentError(
            ngettext(
                "%(count)d réponse reprise de votre dernière auto-évaluation est à confirmer avant de valider.",
                "%(count)d réponses reprises de votre dernière auto-évaluation sont à confirmer avant de valider.",
                waiting,
            )
            % {"count": waiting}
        )
    result = compute_scores(assessment, list(assessment.answers.all()))
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = user
    assessment.overall_score = None if result.overall is None else Decimal(str(result.overall))
    assessment.level_rank = result.level
    assessment.theme_scores = {
        code: {"score": t.score, "level": t.level, "answered": t.answered, "applicable": t.applicable}
        for code, t in result.themes.items()
    }
    assessment.save()
    transaction.on_commit(forget_kind_averages)
    if notify:
        notify_submission(assessment)
    return assessment
