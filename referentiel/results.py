"""What a results page shows, built from the scores stored at submission.

Overall and theme scores are read from the assessment (stored by
submit_assessment), never recomputed: a result must read the same years later,
whatever happened to the answers' rows since. Only the per-question ratios of
the priorities are computed here, with the pure scoring functions, because
nothing stores them.
"""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assett.dates import french_date
from organisations.enums import OrganisationKind

from . import scoring
from .constants import (
    AVERAGE_CACHE_SECONDS,
    MIN_ORGANISATIONS_FOR_AVERAGE,
    PRIORITIES_COUNT,
    PRIORITY_QUESTIONS_COUNT,
    STRENGTHS_COUNT,
)
from .enums import AssessmentStatus, QuestionKind
from .models import Assessment
from .radar import format_score, radar_svg
from .structure import answer_spec, question_spec, structure_for


def kind_plural(kind):
    return {
        OrganisationKind.ENTREPRISE: _("entreprises"),
        OrganisationKind.ASSOCIATION: _("associations"),
        OrganisationKind.ETABLISSEMENT_PUBLIC: _("établissements publics"),
    }.get(kind, _("organisations"))


def score_text(score):
    return format_score(score, decimal_separator=",", not_evaluated=_("non évalué"))


def delta_text(delta):
    """Signed, so that « +8 » and « -3 » read without colour (RGAA)."""
    if delta is None:
        return ""
    if delta == 0:
        return "0"
    return ("+" if delta > 0 else "-") + score_text(abs(delta))


def points_text(number, text):
    """`text` (`number` as written) with « point » or « points »: French takes the singular below 2,
    « 0 point », « 1,5 point », « 2 points »."""
    return ngettext("%(points)s point", "%(points)s points", int(abs(number)) or 1) % {"points": text}


def delta_points_text(delta):
    """« +8 points », « -1 point », « 0 point »."""
    return "" if delta is None else points_text(delta, delta_text(delta))


def value_text(value):
    """A numeric answer as French text: Decimal('12500.500') → « 12 500,5 »."""
    if value is None:
        return ""
    value = Decimal(value)
    # normalize() would turn 1000 into 1E+3: strip the trailing zeros by hand.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return number_format(Decimal(text), force_grouping=True)


def describe_answer(question, answer):
    """The answer as a participant gave it: choice labels, value and unit, or a status."""
    if answer is None or not answer.is_answered:
        return [_("Sans réponse")]
    if answer.not_applicable:
        return [_("Non concerné")]
    if question.kind == QuestionKind.NUMERIC:
        return [f"{value_text(answer.value)} {question.unit}".strip()]
    chosen = set(answer.choice_ids)
    labels = [choice.label for choice in question.choice_list if choice.pk in chosen]
    if not labels:
        return [_("Aucune de ces pratiques")]
    return labels


# --------------------------------------------------------------------------
# Stored scores, read back as scoring objects
# --------------------------------------------------------------------------


def stored_result(assessment):
    """The scores stored at submission, as a scoring.AssessmentScore (no recomputation)."""
    themes = {}
    for code, data in (assessment.theme_scores or {}).items():
        score = data.get("score")
        themes[code] = scoring.ThemeScore(
            theme=code,
            score=None if score is None else float(score),
            level=data.get("level"),
            answered=data.get("answered", 0),
            applicable=data.get("applicable", 0),
        )
    overall = None if assessment.overall_score is None else float(assessment.overall_score)
    return scoring.AssessmentScore(overall=overall, level=assessment.level_rank, themes=themes)


def previous_assessment(assessment):
    """The organisation's last assessment submitted before this one, if any."""
    if assessment.submitted_at is None:
        return None
    return (
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id,
            status=AssessmentStatus.SUBMITTED,
            submitted_at__lt=assessment.submitted_at,
        )
        .order_by("-submitted_at")
        .only("pk", "submitted_at", "overall_score", "level_rank", "theme_scores", "version_id")
        .first()
    )


# --------------------------------------------------------------------------
# Same-kind average
# --------------------------------------------------------------------------


def _mean(values):
    return round(statistics.fmean(values), 1)


def _compute_kind_average(kind, theme_codes):
    # Each organisation counts once, with its latest submitted assessment.
    rows = (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED, organisation__kind=kind)
        .order_by("organisation_id", "-submitted_at")
        .distinct("organisation_id")
        .values_list("overall_score", "theme_scores")
    )
    overall = []
    by_theme = {code: [] for code in theme_codes}
    for overall_score, theme_scores in rows:
        if overall_score is not None:
            overall.append(float(overall_score))
        for code, data in (theme_scores or {}).items():
            if code in by_theme and data.get("score") is not None:
                by_theme[code].append(float(data["score"]))
    # Only averages of enough organisations are kept, so that nothing smaller
    # ever reaches a page (or the cache).
    return {
        "organisations": len(overall),
        "overall": _mean(overall) if len(overall) >= MIN_ORGANISATIONS_FOR_AVERAGE else None,
        "themes": {
            code: _mean(scores) for code, scores in by_theme.items() if len(scores) >= MIN_ORGANISATIONS_FOR_AVERAGE
        },
    }


AVERAGE_GENERATION_KEY = "referentiel:average:generation"


def forget_kind_averages():
    """A new submission changes the averages: move every cached average aside at once."""
    try:
        cache.incr(AVERAGE_GENERATION_KEY)
    except ValueError:
        cache.set(AVERAGE_GENERATION_KEY, 1, timeout=None)


def average_generation():
    """What the cached averages are kept under: it moves with every submission (forget_kind_averages)."""
    return cache.get(AVERAGE_GENERATION_KEY, 0)


def kind_average(kind, version):
    """Average of the latest submitted assessments of this kind's organisations, cached a few minutes.

    The default cache is tenant-prefixed (django_tenants.cache.make_key): one
    territory's averages are never served to another.
    """
    key = f"referentiel:average:{kind}:{version.pk}:{average_generation()}"
    average = cache.get(key)
    if average is None:
        codes = [theme.code for theme in structure_for(version).themes]
        average = _compute_kind_average(kind, codes)
        cache.set(key, average, AVERAGE_CACHE_SECONDS)
    return average


# --------------------------------------------------------------------------
# The results context
# --------------------------------------------------------------------------


@dataclass
class ThemeResult:
    code: str
    title: str
    color: str
    score: float | None
    level_rank: int | None
    level_name: str
    answered: int
    applicable: int
    previous_score: float | None = None
    delta: float | None = None
    average: float | None = None

    @property
    def evaluated(self):
        return self.score is not None

    @property
    def score_text(self):
        return score_text(self.score)

    @property
    def previous_text(self):
        return score_text(self.previous_score)

    @property
    def delta_text(self):
        return delta_text(self.delta)

    @property
    def average_text(self):
        return score_text(self.average)


@dataclass
class QuestionResult:
    question: object
    percent: int
    answer: list


@dataclass
class Priority:
    theme: ThemeResult
    questions: list


@dataclass
class Results:
    assessment: Assessment
    overall_score: float | None
    level_rank: int | None
    level_name: str
    level_description: str
    themes: list
    strengths: list
    priorities: list
    not_evaluated: list
    previous: Assessment | None
    overall_delta: float | None
    average_overall: float | None
    average_organisations: int
    kind_label: str
    summary: list
    radar: str
    has_average: bool = False
    levels: list = field(default_factory=list)
    min_organisations: int = MIN_ORGANISATIONS_FOR_AVERAGE

    @property
    def overall_text(self):
        return score_text(self.overall_score)

    @property
    def overall_delta_text(self):
        return delta_text(self.overall_delta)

    @property
    def overall_delta_points_text(self):
        return delta_points_text(self.overall_delta)

    @property
    def average_overall_text(self):
        return score_text(self.average_overall)

    @property
    def previous_overall_text(self):
        return score_text(None if self.previous is None else self.previous.overall_score)


def _lowest_questions(theme_questions, answers_by_question):
    ranked = []
    for question in theme_questions:
        answer = answers_by_question.get(question.pk)
        if answer is None or not answer.is_answered:
            continue
        ratio = scoring.question_ratio(question_spec(question), answer_spec(answer))
        if ratio is None or ratio >= 1:
            continue
        ranked.append((ratio, question.order, question.pk, question, answer))
    ranked.sort(key=lambda row: row[:3])
    return [
        QuestionResult(question=question, percent=round(ratio * 100), answer=describe_answer(question, answer))
        for ratio, _order, _pk, question, answer in ranked[:PRIORITY_QUESTIONS_COUNT]
    ]


def _listing(themes):
    return get_text_list([f"{t.title} ({t.score_text}/100)" for t in themes], _("et"))


def _summary(results, for_staff):
    sentences = []
    # Whole sentences per audience, so that translators never assemble grammar.
    values = {"level": results.level_name, "score": results.overall_text}
    if results.overall_score is None:
        sentences.append(
            _("L'organisation n'a pu être évaluée sur aucun thème.")
            if for_staff
            else _("Votre organisation n'a pu être évaluée sur aucun thème.")
        )
    elif not results.level_name:
        sentences.append(
            (
                _("L'organisation n'a pas encore atteint le premier niveau (score %(score)s/100).")
                if for_staff
                else _("Votre organisation n'a pas encore atteint le premier niveau (score %(score)s/100).")
            )
            % values
        )
    else:
        sentences.append(
            (
                _("L'organisation est au niveau %(level)s (score %(score)s/100).")
                if for_staff
                else _("Votre organisation est au niveau %(level)s (score %(score)s/100).")
            )
            % values
        )
    if results.strengths:
        label = _("Ses points forts") if for_staff else _("Vos points forts")
        sentences.append(f"{label} : {_listing(results.strengths)}.")
    if results.priorities:
        label = _("Ses priorités") if for_staff else _("Vos priorités")
        sentences.append(f"{label} : {_listing([p.theme for p in results.priorities])}.")
    if results.not_evaluated:
        titles = get_text_list([t.title for t in results.not_evaluated], _("et"))
        sentences.append(
            ngettext("Thème non évalué : %(titles)s.", "Thèmes non évalués : %(titles)s.", len(results.not_evaluated))
            % {"titles": titles}
        )
    if results.previous is not None and results.overall_delta is not None:
        when = french_date(timezone.localtime(results.previous.submitted_at))
        points = abs(results.overall_delta)
        values = {"date": when, "points": score_text(points)}
        if results.overall_delta > 0:
            text = ngettext(
                "Depuis l'auto-évaluation du %(date)s, le score global a progressé de %(points)s point.",
                "Depuis l'auto-évaluation du %(date)s, le score global a progressé de %(points)s points.",
                int(points) or 1,
            )
        elif results.overall_delta < 0:
            text = ngettext(
                "Depuis l'auto-évaluation du %(date)s, le score global a baissé de %(points)s point.",
                "Depuis l'auto-évaluation du %(date)s, le score global a baissé de %(points)s points.",
                int(points) or 1,
            )
        else:
            text = _("Depuis l'auto-évaluation du %(date)s, le score global est stable.")
        sentences.append(text % values)
    if results.average_overall is not None:
        sentences.append(
            _("La moyenne des %(kind)s du territoire est de %(score)s/100 (%(count)s organisations).")
            % {
                "kind": results.kind_label,
                "score": results.average_overall_text,
                "count": results.average_organisations,
            }
        )
    return sentences


def strength_and_priority_codes(structure, current):
    """The theme codes a result names as strengths and as priorities, from its stored scores.

    Only themes of the version's structure count. Half the evaluated themes at most on each side,
    so that a theme is never both a strength and a priority; a theme at 0 is no strength, a theme
    at 100 no priority.
    """
    shown = {theme.code: current.themes[theme.code] for theme in structure.themes if theme.code in current.themes}
    evaluated = [code for code, data in shown.items() if data.score is not None]
    n = min(STRENGTHS_COUNT, PRIORITIES_COUNT, max(1, len(evaluated) // 2))
    strongest, weakest = scoring.strengths_and_priorities(
        scoring.AssessmentScore(overall=current.overall, level=current.level, themes=shown), n
    )
    strengths = [code for code in strongest if shown[code].score > 0]
    priorities = [code for code in weakest if code not in strongest and shown[code].score < 100]
    return strengths, priorities


def build_results(assessment, *, answers=None, for_staff=False, chart_id="radar"):
    """Everything a results page shows for a submitted assessment.

    ``answers``: the assessment's Answer rows, when the caller already has
    them (staff detail); otherwise they are read in one query.
    """
    organisation = assessment.organisation
    structure = structure_for(assessment.version)
    current = stored_result(assessment)

    previous = previous_assessment(assessment)
    deltas = {}
    previous_result = None
    if previous is not None:
        previous_result = stored_result(previous)
        deltas = scoring.compare(previous_result, current)

    average = kind_average(organisation.kind, assessment.version)

    themes = []
    for theme in structure.themes:
        data = current.themes.get(theme.code)
        if data is None:
            continue  # no question of this theme applied to the organisation
        before = previous_result.themes.get(theme.code) if previous_result else None
        themes.append(
            ThemeResult(
                code=theme.code,
                title=theme.title,
                color=theme.color,
                score=data.score,
                level_rank=data.level,
                level_name=structure.level_name(data.level) if data.level else "",
                answered=data.answered,
                applicable=data.applicable,
                previous_score=None if before is None else before.score,
                delta=deltas.get(theme.code),
                average=average["themes"].get(theme.code),
            )
        )
    by_code = {t.code: t for t in themes}

    strongest, weakest = strength_and_priority_codes(structure, current)
    strengths = [by_code[code] for code in strongest]
    priority_themes = [by_code[code] for code in weakest]

    if answers is None:
        answers = list(assessment.answers.all())
    answers_by_question = {a.question_id: a for a in answers}
    applicable = dict((theme.code, questions) for theme, questions in structure.themes_for(organisation))
    priorities = [
        Priority(theme=t, questions=_lowest_questions(applicable.get(t.code, []), answers_by_question))
        for t in priority_themes
    ]

    level = next((lv for lv in structure.levels if lv.rank == assessment.level_rank), None)
    results = Results(
        assessment=assessment,
        overall_score=current.overall,
        level_rank=current.level,
        level_name=level.name if level else "",
        level_description=level.description if level else "",
        themes=themes,
        strengths=strengths,
        priorities=priorities,
        not_evaluated=[t for t in themes if not t.evaluated],
        previous=previous,
        overall_delta=deltas.get(scoring.OVERALL),
        average_overall=average["overall"],
        average_organisations=average["organisations"],
        kind_label=kind_plural(organisation.kind),
        summary=[],
        radar="",
        has_average=average["overall"] is not None or any(t.average is not None for t in themes),
        levels=structure.levels,
    )
    results.summary = _summary(results, for_staff)

    series_names = (
        _("Cette auto-évaluation"),
        _("Auto-évaluation précédente"),
        _("Moyenne des %(kind)s du territoire") % {"kind": results.kind_label},
    )
    svg = radar_svg(
        [(t.title, t.score) for t in themes],
        previous=[t.previous_score for t in themes] if previous is not None else None,
        average=[t.average for t in themes] if results.has_average else None,
        title=_("Score par thème, sur 100"),
        series_names=series_names,
        not_evaluated=_("non évalué"),
        size=560,
        id_prefix=chart_id,
        css_class="fr-responsive-img",
    )
    # radar_svg escapes every piece of text it is given (theme titles, names).
    results.radar = mark_safe(svg)  # noqa: S308
    return results
