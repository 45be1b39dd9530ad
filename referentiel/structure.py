"""A referential version loaded once: themes → questions → choices and bands.

Published and archived versions never change, so their structure is kept in
process memory (keyed by schema and version id) and the questionnaire and
autosave paths do not reload ~60 questions and ~250 choices on every request.
Drafts are always read fresh.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch

from . import scoring
from .enums import VersionStatus
from .models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme

_MAX_CACHED = 64
_cache = {}


@dataclass
class Structure:
    version: ReferentialVersion
    levels: list
    themes: list  # Theme instances, each with .question_list
    questions: dict = field(default_factory=dict)  # id → Question (with .choice_list, .band_list)
    level_specs: tuple = ()

    def theme_by_code(self, code):
        return next((theme for theme in self.themes if theme.code == code), None)

    def themes_for(self, organisation):
        """Themes with only the questions that apply to this organisation; empty themes dropped."""
        result = []
        for theme in self.themes:
            questions = [q for q in theme.question_list if q.applies_to(organisation)]
            if questions:
                result.append((theme, questions))
        return result

    def level_name(self, rank):
        return next((level.name for level in self.levels if level.rank == rank), "")


def _load(version):
    themes = list(
        Theme.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"), to_attr="choice_list"),
                    Prefetch("bands", queryset=NumericBand.objects.order_by("min_value", "pk"), to_attr="band_list"),
                ),
                to_attr="question_list",
            )
        )
    )
    levels = list(MaturityLevel.objects.filter(version=version).order_by("rank"))
    structure = Structure(version=version, levels=levels, themes=themes)
    for theme in themes:
        for question in theme.question_list:
            question.theme = theme  # avoid a query per question when templates reach the theme
            structure.questions[question.pk] = question
    structure.level_specs = tuple(
        scoring.LevelSpec(rank=level.rank, name=level.name, threshold=float(level.threshold)) for level in levels
    )
    return structure


def structure_for(version):
    if version.status == VersionStatus.DRAFT:
        return _load(version)
    key = (connection.schema_name, version.pk)
    structure = _cache.get(key)
    if structure is None:
        if len(_cache) >= _MAX_CACHED:
            _cache.pop(next(iter(_cache)))
        structure = _cache[key] = _load(version)
    return structure


def structure_of(assessment):
    """The structure an assessment is answered on; its version row is read only on a cache miss."""
    return _cache.get((connection.schema_name, assessment.version_id)) or structure_for(assessment.version)


def question_spec(question):
    return scoring.QuestionSpec(
        id=question.pk,
        theme=question.theme.code,
        kind=question.kind,
        weight=float(question.weight),
        choices=tuple(scoring.ChoiceSpec(id=c.pk, points=float(c.points)) for c in question.choice_list),
        bands=tuple(
            scoring.BandSpec(
                min=None if b.min_value is None else float(b.min_value),
                max=None if b.max_value is None else float(b.max_value),
                points=float(b.points),
            )
            for b in question.band_list
        ),
    )


def answer_spec(answer):
    return scoring.AnswerSpec(
        question_id=answer.question_id,
        choice_ids=frozenset(answer.choice_ids),
        value=None if answer.value is None else float(answer.value),
        not_applicable=answer.not_applicable,
    )
