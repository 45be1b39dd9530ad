"""Writes on assessments: start, answer (autosave), submit. Views turn AssessmentError into messages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation

from . import scoring
from .enums import AssessmentStatus, QuestionKind, VersionStatus
from .models import Answer, Assessment, ReferentialVersion
from .results import forget_kind_averages
from .structure import answer_spec, question_spec, structure_for


class AssessmentError(Exception):
    """A refused operation; the French message is shown to the participant as is."""


def current_version():
    return ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).first()


def in_progress_assessment(organisation):
    return Assessment.objects.filter(organisation=organisation, status=AssessmentStatus.IN_PROGRESS).first()


@transaction.atomic
def start_assessment(organisation, user):
    """The organisation's assessment in progress, or a new one on the published version.

    Members of one organisation share one assessment in progress; the row lock on the
    organisation makes two simultaneous clicks create only one.
    """
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    existing = in_progress_assessment(organisation)
    if existing:
        return existing
    version = current_version()
    if version is None:
        raise AssessmentError(_("Le référentiel n'est pas encore publié par votre territoire."))
    return Assessment.objects.create(organisation=organisation, version=version, started_by=user)


@dataclass(frozen=True)
class AnswerInput:
    choice_ids: tuple = ()
    value: Decimal | None = None
    not_applicable: bool = False
    explicit_none: bool = False
    comment: str = ""


def _check_answer(question, data):
    if data.not_applicable:
        if not question.allow_not_applicable:
            raise AssessmentError(_("La réponse « non concerné » n'est pas possible pour cette question."))
        return
    valid_ids = {choice.pk for choice in question.choice_list}
    if not set(data.choice_ids) <= valid_ids:
        raise AssessmentError(_("Ce choix ne correspond pas à la question."))
    if question.kind in (QuestionKind.LADDER, QuestionKind.YESNO) and len(data.choice_ids) > 1:
        raise AssessmentError(_("Choisissez une seule réponse."))
    if question.kind == QuestionKind.NUMERIC and data.value is not None and data.value < 0:
        raise AssessmentError(_("La valeur doit être positive ou nulle."))


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
    (assessment_id, question_id, choice_ids, value, not_applicable, explicit_none, comment, answered_by_id, answered_at)
SELECT id, %(question)s, %(choice_ids)s::bigint[], %(value)s::numeric, %(not_applicable)s, %(explicit_none)s,
       %(comment)s, %(user)s, %(now)s
FROM open_assessment
ON CONFLICT (assessment_id, question_id) DO UPDATE SET
    choice_ids = excluded.choice_ids, value = excluded.value, not_applicable = excluded.not_applicable,
    explicit_none = excluded.explicit_none, comment = excluded.comment,
    answered_by_id = excluded.answered_by_id, answered_at = excluded.answered_at
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
def submit_assessment(assessment, user):
    """Lock the assessment and store its scores: results pages never recompute them."""
    assessment = Assessment.objects.select_for_update().select_related("organisation", "version").get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise AssessmentError(_("Cette auto-évaluation est déjà validée."))
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
    return assessment
