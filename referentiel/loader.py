"""Referential ⇄ plain data (the YAML format of docs/referential-format.md).

`validate_referential` reports every problem with its location, in French, before
anything is written; `load_referential` then creates the whole version in one
transaction, so an invalid file changes nothing. `dump_referential` is its exact
inverse: dump → load → dump gives the same data.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from organisations.enums import HeadcountBand, OrganisationKind

from .enums import QuestionKind, VersionStatus
from .models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme

NATIONAL_REFERENTIAL = Path(__file__).parent / "data" / "referentiel_national.yaml"


@dataclass(frozen=True)
class Problem:
    location: str
    message: str

    def __str__(self):
        return f"{self.location} : {self.message}"


class ReferentialFormatError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def validate_referential(data):
    """Every problem of `data`, each with where it is (level, theme, question code, choice)."""
    problems = []

    def problem(location, message):
        problems.append(Problem(location, message))

    if not isinstance(data, dict):
        return [Problem("fichier", "le contenu doit être un dictionnaire avec « levels » et « themes ».")]
    for key in ("title", "version"):
        if not str(data.get(key) or "").strip():
            problem("référentiel", f"le champ « {key} » est obligatoire.")

    levels = data.get("levels") or []
    if not isinstance(levels, list) or len(levels) < 2:
        problem("niveaux", "il faut au moins deux niveaux de maturité.")
        levels = levels if isinstance(levels, list) else []
    previous = None
    ranks = set()
    for index, level in enumerate(levels, start=1):
        where = f"niveau {index}"
        if not isinstance(level, dict):
            problem(where, "chaque niveau doit avoir rank, name et threshold.")
            continue
        if not str(level.get("name") or "").strip():
            problem(where, "le nom est obligatoire.")
        if level.get("rank") in ranks:
            problem(where, f"le rang {level.get('rank')} est déjà utilisé.")
        ranks.add(level.get("rank"))
        threshold = _number(level.get("threshold"))
        if threshold is None or not 0 <= threshold <= 100:
            problem(where, "le seuil doit être un nombre entre 0 et 100.")
        elif previous is not None and threshold <= previous:
            problem(where, "les seuils doivent être strictement croissants.")
        elif previous is None and threshold != 0:
            problem(where, "le premier niveau doit avoir le seuil 0.")
        if threshold is not None:
            previous = threshold

    themes = data.get("themes") or []
    if not isinstance(themes, list) or not themes:
        problem("thèmes", "il faut au moins un thème.")
        themes = []
    theme_codes, question_codes = set(), set()
    for t_index, theme in enumerate(themes, start=1):
        if not isinstance(theme, dict):
            problem(f"thème {t_index}", "chaque thème doit être un dictionnaire.")
            continue
        code = str(theme.get("code") or "").strip()
        where = f"thème {code or t_index}"
        if not code:
            problem(where, "le code est obligatoire.")
        elif code in theme_codes:
            problem(where, "ce code de thème est utilisé deux fois.")
        theme_codes.add(code)
        if not str(theme.get("title") or "").strip():
            problem(where, "le titre est obligatoire.")
        questions = theme.get("questions") or []
        if not questions:
            problem(where, "le thème n'a aucune question.")
        for q_index, question in enumerate(questions, start=1):
            _validate_question(question, f"{where}, question {q_index}", question_codes, problem)
    return problems


def _validate_question(question, fallback_where, question_codes, problem):
    if not isinstance(question, dict):
        problem(fallback_where, "chaque question doit être un dictionnaire.")
        return
    code = str(question.get("code") or "").strip()
    where = f"question {code}" if code else fallback_where
    if not code:
        problem(where, "le code est obligatoire.")
    elif code in question_codes:
        problem(where, "ce code de question est utilisé deux fois.")
    question_codes.add(code)
    if not str(question.get("text") or "").strip():
        problem(where, "le texte de la question est obligatoire.")
    kind = question.get("kind", QuestionKind.LADDER)
    if kind not in QuestionKind.values:
        problem(where, f"type « {kind} » inconnu (attendus : {', '.join(QuestionKind.values)}).")
    weight = question.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
        problem(where, "le poids doit être un entier positif ou nul.")
    for value in question.get("organisation_kinds") or []:
        if value not in OrganisationKind.values:
            problem(where, f"type d'organisation « {value} » inconnu.")
    for value in question.get("headcount_bands") or []:
        if str(value) not in HeadcountBand.values:
            problem(where, f"tranche d'effectif INSEE « {value} » inconnue.")
    choices = question.get("choices") or []
    if kind == QuestionKind.NUMERIC:
        if choices:
            problem(where, "un indicateur chiffré n'a pas de choix (utilisez « bands »).")
        if not str(question.get("unit") or "").strip():
            problem(where, "l'unité de l'indicateur est obligatoire.")
        _validate_bands(question.get("bands") or [], where, problem)
        return
    if len(choices) < 2:
        problem(where, "il faut au moins deux choix.")
    labels = set()
    points = []
    for c_index, choice in enumerate(choices, start=1):
        c_where = f"{where}, choix {c_index}"
        if not isinstance(choice, dict) or not str(choice.get("label") or "").strip():
            problem(c_where, "le libellé est obligatoire.")
            continue
        if choice["label"] in labels:
            problem(c_where, "ce libellé est déjà utilisé dans la question.")
        labels.add(choice["label"])
        number = _number(choice.get("points"))
        if number is None:
            problem(c_where, "les points doivent être un nombre.")
        else:
            points.append(number)
    if kind == QuestionKind.LADDER and points and points != sorted(points):
        problem(where, "les choix d'une échelle vont du moins au plus mature : points croissants.")
    if points and max(points) <= 0:
        problem(where, "au moins un choix doit rapporter des points.")


def _validate_bands(bands, where, problem):
    spans = []
    for b_index, band in enumerate(bands, start=1):
        b_where = f"{where}, tranche {b_index}"
        if not isinstance(band, dict) or _number(band.get("points")) is None:
            problem(b_where, "chaque tranche a min, max et points (nombre).")
            continue
        low, high = _number(band.get("min")), _number(band.get("max"))
        if low is not None and high is not None and low >= high:
            problem(b_where, "min doit être inférieur à max.")
        spans.append((low, high, b_where))
    spans.sort(key=lambda span: (span[0] is not None, span[0] or 0))
    for (_low_a, high_a, _w), (low_b, _high_b, where_b) in zip(spans, spans[1:], strict=False):
        if high_a is None or low_b is None or low_b < high_a:
            problem(where_b, "cette tranche chevauche la précédente.")


@transaction.atomic
def load_referential(data, *, publish=False, created_by=None, based_on=None):
    """Create a version from validated data: a draft, or the published one (the old one archived)."""
    problems = validate_referential(data)
    if problems:
        raise ReferentialFormatError(problems)
    now = timezone.now()
    if publish:
        ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.ARCHIVED, archived_at=now
        )
    else:
        if ReferentialVersion.objects.filter(status=VersionStatus.DRAFT).exists():
            raise ReferentialFormatError(
                [Problem("référentiel", "un brouillon existe déjà : publiez-le ou supprimez-le avant d'en importer un autre.")]
            )
    version = ReferentialVersion.objects.create(
        title=data["title"].strip(),
        label=str(data["version"]).strip(),
        description=(data.get("description") or "").strip(),
        status=VersionStatus.PUBLISHED if publish else VersionStatus.DRAFT,
        published_at=now if publish else None,
        created_by=created_by,
        based_on=based_on,
    )
    MaturityLevel.objects.bulk_create(
        MaturityLevel(
            version=version, rank=level["rank"], name=level["name"].strip(),
            description=(level.get("description") or "").strip(), threshold=_number(level["threshold"]),
        )
        for level in data["levels"]
    )
    choices, bands = [], []
    for t_order, theme_data in enumerate(data["themes"]):
        theme = Theme.objects.create(
            version=version, code=theme_data["code"].strip(), title=theme_data["title"].strip(),
            description=(theme_data.get("description") or "").strip(), order=t_order,
            color=theme_data.get("color") or "", icon=theme_data.get("icon") or "",
        )
        questions = Question.objects.bulk_create(
            Question(
                version=version, theme=theme, code=q["code"].strip(), text=q["text"].strip(),
                help_text=(q.get("help_text") or "").strip(), kind=q.get("kind", QuestionKind.LADDER),
                weight=q.get("weight", 1), organisation_kinds=list(q.get("organisation_kinds") or []),
                headcount_bands=[str(b) for b in q.get("headcount_bands") or []],
                allow_not_applicable=bool(q.get("allow_not_applicable", False)), unit=q.get("unit") or "",
                order=q_order,
            )
            for q_order, q in enumerate(theme_data["questions"])
        )
        for question, q in zip(questions, theme_data["questions"], strict=True):
            choices += [
                Choice(question=question, label=c["label"].strip(), points=_number(c["points"]), order=c_order)
                for c_order, c in enumerate(q.get("choices") or [])
            ]
            bands += [
                NumericBand(
                    question=question, min_value=_number(b.get("min")), max_value=_number(b.get("max")),
                    points=_number(b["points"]),
                )
                for b in q.get("bands") or []
            ]
    Choice.objects.bulk_create(choices)
    NumericBand.objects.bulk_create(bands)
    return version


def _plain(number):
    """Decimal → int when whole, float otherwise: the YAML stays as people write it."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def dump_referential(version):
    from .structure import _load

    structure = _load(version)
    themes = []
    for theme in structure.themes:
        questions = []
        for question in theme.question_list:
            item = {"code": question.code, "text": question.text}
            if question.help_text:
                item["help_text"] = question.help_text
            item["kind"] = question.kind
            item["weight"] = question.weight
            if question.organisation_kinds:
                item["organisation_kinds"] = list(question.organisation_kinds)
            if question.headcount_bands:
                item["headcount_bands"] = list(question.headcount_bands)
            item["allow_not_applicable"] = question.allow_not_applicable
            if question.unit:
                item["unit"] = question.unit
            item["choices"] = [{"label": c.label, "points": _plain(c.points)} for c in question.choice_list]
            if question.band_list:
                item["bands"] = [
                    {"min": _plain(b.min_value), "max": _plain(b.max_value), "points": _plain(b.points)}
                    for b in question.band_list
                ]
            questions.append(item)
        entry = {"code": theme.code, "title": theme.title, "description": theme.description}
        if theme.color:
            entry["color"] = theme.color
        if theme.icon:
            entry["icon"] = theme.icon
        entry["questions"] = questions
        themes.append(entry)
    return {
        "title": version.title,
        "version": version.label,
        "description": version.description,
        "levels": [
            {"rank": level.rank, "name": level.name, "description": level.description,
             "threshold": _plain(level.threshold)}
            for level in structure.levels
        ],
        "themes": themes,
    }


def read_yaml(path):
    with open(path, encoding="utf-8") as handle:
        try:
            return yaml.safe_load(handle)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"ligne {mark.line + 1}" if mark else "fichier"
            raise ReferentialFormatError([Problem(where, f"YAML illisible ({getattr(error, 'problem', error)}).")]) from error


def install_national_referential(territory=None):
    """Provisioning hook: every new territory starts with the national referential, published."""
    if not ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).exists():
        load_referential(read_yaml(NATIONAL_REFERENTIAL), publish=True)
