"""Referential ⇄ plain data (the YAML format of docs/referential-format.md).

`validate_referential` reports every problem with its location, in French, before
anything is written; `load_referential` then creates the whole version in one
transaction, so an invalid file changes nothing. `dump_referential` is its exact
inverse: dump → load → dump gives the same data.
"""

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from assett.icons import THEME_ICONS
from assett.problems import (
    FormatError,
    Problem,
    as_decimal,
    check_keys,
    check_text,
    decimal_field_message,
    fits_decimal_field,
    plain_number,
    read_yaml_file,
)
from organisations.enums import HeadcountBand, OrganisationKind

from .codes import RESERVED_THEME_CODES, code_key, code_problem
from .enums import QuestionKind, VersionStatus
from .models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme

NATIONAL_REFERENTIAL = Path(__file__).parent / "data" / "referentiel_national.yaml"


class ReferentialFormatError(FormatError):
    pass


# Keys of each item of the format: anything else is refused rather than silently dropped
# (a misspelt « helptext » would otherwise vanish on import).
TOP_KEYS = ("title", "version", "description", "levels", "themes")
LEVEL_KEYS = ("rank", "name", "description", "threshold")
THEME_KEYS = ("code", "title", "description", "color", "icon", "questions")
QUESTION_KEYS = (
    "code",
    "text",
    "help_text",
    "kind",
    "weight",
    "organisation_kinds",
    "headcount_bands",
    "allow_not_applicable",
    "unit",
    "choices",
    "bands",
)
CHOICE_KEYS = ("label", "points")
BAND_KEYS = ("min", "max", "points")

MAX_WEIGHT = 100


# Locations, shared with the spreadsheet reader (referentiel/spreadsheet.py), which maps
# them to a sheet and a row.
def level_location(index):
    return f"niveau {index}"


def theme_location(code, index):
    return f"thème {code or index}"


def question_location(code, theme_where, index):
    return f"question {code}" if code else f"{theme_where}, question {index}"


def choice_location(question_where, index):
    return f"{question_where}, choix {index}"


def band_location(question_where, index):
    return f"{question_where}, tranche {index}"


def validate_referential(data):
    """Every problem of `data`, each with where it is (level, theme, question code, choice)."""
    problems = []

    def problem(location, message):
        problems.append(Problem(location, message))

    if not isinstance(data, dict):
        return [Problem("fichier", "le contenu doit être un dictionnaire avec « levels » et « themes ».")]
    check_keys(data, TOP_KEYS, "référentiel", problem)
    for key in ("title", "version"):
        if not str(data.get(key) or "").strip():
            problem("référentiel", f"le champ « {key} » est obligatoire.")
    version_field = ReferentialVersion._meta.get_field("label")
    check_text(data, "title", "référentiel", problem, ReferentialVersion._meta.get_field("title"))
    check_text(data, "version", "référentiel", problem, version_field)
    check_text(data, "description", "référentiel", problem)

    levels = data.get("levels") or []
    if not isinstance(levels, list) or len(levels) < 2:
        problem("niveaux", "il faut au moins deux niveaux de maturité.")
        levels = levels if isinstance(levels, list) else []
    previous = None
    names = set()
    threshold_field = MaturityLevel._meta.get_field("threshold")
    for index, level in enumerate(levels, start=1):
        where = level_location(index)
        if not isinstance(level, dict):
            problem(where, "chaque niveau doit avoir rank, name et threshold.")
            continue
        check_keys(level, LEVEL_KEYS, where, problem)
        name = str(level.get("name") or "").strip()
        if not name:
            problem(where, "le nom est obligatoire.")
        elif name in names:
            problem(where, f"le nom « {name} » est déjà celui d'un autre niveau.")
        names.add(name)
        check_text(level, "name", where, problem, MaturityLevel._meta.get_field("name"))
        check_text(level, "description", where, problem)
        rank = level.get("rank")
        if not isinstance(rank, int) or isinstance(rank, bool) or rank != index:
            problem(where, f"le rang doit être {index} : les niveaux sont numérotés 1, 2, 3… dans l'ordre.")
        threshold = as_decimal(level.get("threshold"))
        if threshold is None or not 0 <= threshold <= 100:
            problem(where, "le seuil doit être un nombre entre 0 et 100.")
        elif not fits_decimal_field(threshold, threshold_field):
            problem(where, "le seuil a au plus 2 décimales.")
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
    # By code_key(): the first spelling of each code, so that a case twin is named in its message.
    theme_codes, question_codes = {}, {}
    for t_index, theme in enumerate(themes, start=1):
        if not isinstance(theme, dict):
            problem(theme_location("", t_index), "chaque thème doit être un dictionnaire.")
            continue
        code = str(theme.get("code") or "").strip()
        where = theme_location(code, t_index)
        check_keys(theme, THEME_KEYS, where, problem)
        if not code:
            problem(where, "le code est obligatoire.")
        elif code_key(code) in theme_codes:
            problem(where, _duplicate_message("thème", code, theme_codes[code_key(code)]))
        else:
            _check_code(theme, where, problem, Theme._meta.get_field("code"), reserved=RESERVED_THEME_CODES)
        theme_codes.setdefault(code_key(code), code)
        if not str(theme.get("title") or "").strip():
            problem(where, "le titre est obligatoire.")
        for key in ("title", "description", "color", "icon"):
            field = Theme._meta.get_field(key)
            check_text(theme, key, where, problem, field if field.max_length else None)
        icon = theme.get("icon")
        if isinstance(icon, str) and icon.strip() and icon.strip() not in THEME_ICONS:
            problem(
                where,
                f"l'icône « {icon.strip()} » n'est pas de la liste des icônes de la plateforme (assett/icons.py).",
            )
        questions = theme.get("questions") or []
        if not isinstance(questions, list):
            problem(where, "« questions » doit être une liste.")
            questions = []
        if not questions:
            problem(where, "le thème n'a aucune question.")
        for q_index, question in enumerate(questions, start=1):
            _validate_question(question, question_location("", where, q_index), question_codes, problem)
    return problems


def _check_code(item, where, problem, field, reserved=frozenset()):
    code = item.get("code")
    if not isinstance(code, str):
        problem(where, "le code doit être du texte : mettez-le entre guillemets.")
    elif message := code_problem(code.strip(), field.max_length, reserved=reserved):
        problem(where, message)


def _duplicate_message(what, code, first):
    if code == first:
        return f"ce code de {what} est utilisé deux fois."
    return (
        f"ce code de {what} ne diffère de « {first} » que par les majuscules et minuscules, "
        "qui ne distinguent pas deux codes : choisissez-en un autre."
    )


def _validate_question(question, fallback_where, question_codes, problem):
    if not isinstance(question, dict):
        problem(fallback_where, "chaque question doit être un dictionnaire.")
        return
    code = str(question.get("code") or "").strip()
    where = question_location(code, "", 0) if code else fallback_where
    check_keys(question, QUESTION_KEYS, where, problem)
    if not code:
        problem(where, "le code est obligatoire.")
    elif code_key(code) in question_codes:
        problem(where, _duplicate_message("question", code, question_codes[code_key(code)]))
    else:
        _check_code(question, where, problem, Question._meta.get_field("code"))
    question_codes.setdefault(code_key(code), code)
    if not str(question.get("text") or "").strip():
        problem(where, "le texte de la question est obligatoire.")
    for key in ("text", "help_text", "unit"):
        field = Question._meta.get_field(key)
        check_text(question, key, where, problem, field if field.max_length else None)
    kind = question.get("kind", QuestionKind.LADDER)
    if kind not in QuestionKind.values:
        problem(where, f"type « {kind} » inconnu (attendus : {', '.join(QuestionKind.values)}).")
    weight = question.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= MAX_WEIGHT:
        problem(where, f"le poids doit être un entier entre 0 et {MAX_WEIGHT}.")
    if not isinstance(question.get("allow_not_applicable", False), bool):
        problem(where, "« allow_not_applicable » doit valoir true ou false.")
    for key in ("organisation_kinds", "headcount_bands"):
        if not isinstance(question.get(key) or [], list):
            problem(where, f"« {key} » doit être une liste, par exemple [{'entreprise' if key[0] == 'o' else '41'}].")
    organisation_kinds = question.get("organisation_kinds") or []
    for value in organisation_kinds if isinstance(organisation_kinds, list) else []:
        if value not in OrganisationKind.values:
            problem(
                where, f"type d'organisation « {value} » inconnu (attendus : {', '.join(OrganisationKind.values)})."
            )
    headcount_bands = question.get("headcount_bands") or []
    for value in headcount_bands if isinstance(headcount_bands, list) else []:
        if str(value) not in HeadcountBand.values:
            problem(where, f"tranche d'effectif INSEE « {value} » inconnue.")
    choices = question.get("choices") or []
    if not isinstance(choices, list):
        problem(where, "« choices » doit être une liste.")
        choices = []
    bands = question.get("bands") or []
    if not isinstance(bands, list):
        problem(where, "« bands » doit être une liste.")
        bands = []
    if kind == QuestionKind.NUMERIC:
        if choices:
            problem(where, "un indicateur chiffré n'a pas de choix (utilisez « bands »).")
        if not str(question.get("unit") or "").strip():
            problem(where, "l'unité de l'indicateur est obligatoire.")
        _validate_bands(bands, where, problem)
        return
    if bands:
        problem(where, "seul un indicateur chiffré (numeric) a des tranches (« bands »).")
    if len(choices) < 2:
        problem(where, "il faut au moins deux choix.")
    elif kind == QuestionKind.YESNO and len(choices) != 2:
        problem(where, "une question oui/non a exactement deux choix.")
    labels = set()
    points = []
    points_field = Choice._meta.get_field("points")
    for c_index, choice in enumerate(choices, start=1):
        c_where = choice_location(where, c_index)
        if not isinstance(choice, dict) or not str(choice.get("label") or "").strip():
            problem(c_where, "le libellé est obligatoire.")
            continue
        check_keys(choice, CHOICE_KEYS, c_where, problem)
        check_text(choice, "label", c_where, problem)
        label = str(choice["label"]).strip()
        if label in labels:
            problem(c_where, "ce libellé est déjà utilisé dans la question.")
        labels.add(label)
        number = as_decimal(choice.get("points"))
        if number is None or number < 0:
            problem(c_where, "les points doivent être un nombre positif ou nul.")
        elif not fits_decimal_field(number, points_field):
            problem(c_where, f"les points ont {decimal_field_message(points_field)}")
        else:
            points.append(number)
    if kind == QuestionKind.LADDER and any(low >= high for low, high in zip(points, points[1:], strict=False)):
        problem(where, "les choix d'une échelle vont du moins au plus mature : points strictement croissants.")
    if points and max(points) <= 0:
        problem(where, "au moins un choix doit rapporter des points.")


def _validate_bands(bands, where, problem):
    spans = []
    bound_field = NumericBand._meta.get_field("min_value")
    points_field = NumericBand._meta.get_field("points")
    for b_index, band in enumerate(bands, start=1):
        b_where = band_location(where, b_index)
        points = as_decimal(band.get("points")) if isinstance(band, dict) else None
        if points is None or points < 0:
            problem(b_where, "chaque tranche a min, max et points (nombre positif ou nul).")
            continue
        check_keys(band, BAND_KEYS, b_where, problem)
        if not fits_decimal_field(points, points_field):
            problem(b_where, f"les points ont {decimal_field_message(points_field)}")
        bounds = []
        for key in ("min", "max"):
            number = as_decimal(band.get(key))
            if band.get(key) is not None and number is None:
                problem(b_where, f"« {key} » doit être un nombre, ou vide (null) pour une tranche ouverte.")
            elif number is not None and not fits_decimal_field(number, bound_field):
                problem(b_where, f"« {key} » a {decimal_field_message(bound_field)}")
            bounds.append(number)
        low, high = bounds
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
                [
                    Problem(
                        "référentiel",
                        "un brouillon existe déjà : publiez-le ou supprimez-le avant d'en importer un autre.",
                    )
                ]
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
            version=version,
            rank=level["rank"],
            name=level["name"].strip(),
            description=(level.get("description") or "").strip(),
            threshold=as_decimal(level["threshold"]),
        )
        for level in data["levels"]
    )
    choices, bands = [], []
    for t_order, theme_data in enumerate(data["themes"]):
        theme = Theme.objects.create(
            version=version,
            code=theme_data["code"].strip(),
            title=theme_data["title"].strip(),
            description=(theme_data.get("description") or "").strip(),
            order=t_order,
            color=(theme_data.get("color") or "").strip(),
            icon=(theme_data.get("icon") or "").strip(),
        )
        questions = Question.objects.bulk_create(
            Question(
                version=version,
                theme=theme,
                code=q["code"].strip(),
                text=q["text"].strip(),
                help_text=(q.get("help_text") or "").strip(),
                kind=q.get("kind", QuestionKind.LADDER),
                weight=q.get("weight", 1),
                organisation_kinds=list(q.get("organisation_kinds") or []),
                headcount_bands=[str(b) for b in q.get("headcount_bands") or []],
                allow_not_applicable=q.get("allow_not_applicable", False),
                unit=(q.get("unit") or "").strip(),
                order=q_order,
            )
            for q_order, q in enumerate(theme_data["questions"])
        )
        for question, q in zip(questions, theme_data["questions"], strict=True):
            choices += [
                Choice(question=question, label=c["label"].strip(), points=as_decimal(c["points"]), order=c_order)
                for c_order, c in enumerate(q.get("choices") or [])
            ]
            bands += [
                NumericBand(
                    question=question,
                    min_value=as_decimal(b.get("min")),
                    max_value=as_decimal(b.get("max")),
                    points=as_decimal(b["points"]),
                )
                for b in q.get("bands") or []
            ]
    Choice.objects.bulk_create(choices)
    NumericBand.objects.bulk_create(bands)
    return version


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
            item["choices"] = [{"label": c.label, "points": plain_number(c.points)} for c in question.choice_list]
            if question.band_list:
                # PostgreSQL sorts NULL last; the open-ended lowest band reads best first.
                bands = sorted(question.band_list, key=lambda b: (b.min_value is not None, b.min_value or 0))
                item["bands"] = [
                    {
                        "min": plain_number(b.min_value),
                        "max": plain_number(b.max_value),
                        "points": plain_number(b.points),
                    }
                    for b in bands
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
            {
                "rank": level.rank,
                "name": level.name,
                "description": level.description,
                "threshold": plain_number(level.threshold),
            }
            for level in structure.levels
        ],
        "themes": themes,
    }


def read_yaml(path):
    return read_yaml_file(path, ReferentialFormatError)


def install_national_referential(territory=None):
    """Provisioning hook: every new territory starts with the national referential, published."""
    if not ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).exists():
        load_referential(read_yaml(NATIONAL_REFERENTIAL), publish=True)
