"""The YAML referential: the national file, the lossless dump ⇄ load round trip, and validation."""

import copy

import pytest
import yaml

from referentiel.enums import VersionStatus
from referentiel.loader import (
    NATIONAL_REFERENTIAL,
    ReferentialFormatError,
    dump_referential,
    load_referential,
    read_yaml,
    validate_referential,
)
from referentiel.management import referential_yaml
from referentiel.models import Choice, NumericBand, Question, ReferentialVersion
from referentiel.services import current_version


@pytest.fixture(scope="module")
def national():
    return read_yaml(NATIONAL_REFERENTIAL)


def theme(data, code):
    return next(item for item in data["themes"] if item["code"] == code)


def question(data, code):
    return next(q for item in data["themes"] for q in item["questions"] if q["code"] == code)


def messages(data):
    return [str(problem) for problem in validate_referential(data)]


# ---- the national referential ---------------------------------------------------------------------


def test_national_referential_is_valid(national):
    assert validate_referential(national) == []
    assert len(national["levels"]) == 4
    assert len(national["themes"]) == 7
    assert sum(len(item["questions"]) for item in national["themes"]) == 63


def test_national_referential_loads_every_level_theme_question_choice_and_band(in_a, national):
    version = load_referential(national)

    assert version.status == VersionStatus.DRAFT
    assert (version.title, version.label) == ("Référentiel national ASSETT", "2026.1")
    assert [level.name for level in version.levels.order_by("rank")] == [
        "Découverte",
        "Engagement",
        "Maîtrise",
        "Exemplarité",
    ]
    assert version.themes.count() == 7
    assert version.questions.count() == 63
    expected_choices = sum(len(q["choices"]) for item in national["themes"] for q in item["questions"])
    assert Choice.objects.filter(question__version=version).count() == expected_choices
    assert NumericBand.objects.filter(question__version=version).count() == 8
    assert Question.objects.get(version=version, code="PIL-04").headcount_bands == ["41", "42", "51", "52", "53"]


def test_provisioned_territory_dumps_exactly_the_national_file(in_a, national):
    assert dump_referential(current_version()) == national


# ---- round trip -----------------------------------------------------------------------------------


def test_dump_load_dump_is_identical(in_a):
    first = dump_referential(current_version())

    second = dump_referential(load_referential(copy.deepcopy(first)))

    assert second == first


def test_yaml_text_round_trip_is_identical(in_a, tmp_path):
    data = dump_referential(current_version())
    path = tmp_path / "referentiel.yaml"
    path.write_text(referential_yaml(data), encoding="utf-8")

    reread = read_yaml(path)
    again = dump_referential(load_referential(reread))

    assert reread == data
    assert referential_yaml(again) == referential_yaml(data)


def test_round_trip_keeps_decimals_multiline_texts_and_open_bands(in_a, national):
    data = copy.deepcopy(national)
    data["description"] = "Première ligne.\nDeuxième ligne : « guillemets » # pas un commentaire."
    data["levels"][1]["threshold"] = 33.33
    ladder = question(data, "ENE-01")
    ladder["choices"][1]["points"] = 0.5
    ladder["choices"][2]["points"] = 1.25
    ladder["headcount_bands"] = ["01", "02", "NN"]
    numeric = question(data, "ENE-02")
    numeric["bands"] = [
        {"min": None, "max": 0.125, "points": 0},
        {"min": 0.125, "max": 12345678901.125, "points": 1.5},
        {"min": 12345678901.125, "max": None, "points": 3},
    ]

    dumped = dump_referential(load_referential(data))

    assert dumped == data
    assert yaml.safe_load(referential_yaml(dumped)) == data


def test_dump_lists_the_open_lowest_band_first(in_a, national):
    data = copy.deepcopy(national)
    question(data, "DEC-03")["bands"].reverse()  # (75, null) first, (null, 25) last

    dumped = dump_referential(load_referential(data))

    assert [band["min"] for band in question(dumped, "DEC-03")["bands"]] == [None, 25, 50, 75]


# ---- validation: every problem, with its location ----------------------------------------------------


def duplicate_code(data):
    question(data, "ENE-04")["code"] = "ENE-01"


def decreasing_ladder(data):
    question(data, "ENE-01")["choices"].reverse()


def equal_ladder_steps(data):
    question(data, "ENE-01")["choices"][2]["points"] = 1


def single_choice(data):
    del question(data, "ENE-01")["choices"][1:]


def unknown_organisation_kind(data):
    question(data, "ENE-01")["organisation_kinds"] = ["entreprise", "collectivite"]


def unknown_headcount_band(data):
    question(data, "ENE-01")["headcount_bands"] = [1]  # YAML's 01 without quotes


def thresholds_not_increasing(data):
    data["levels"][2]["threshold"] = 20


def overlapping_bands(data):
    question(data, "DEC-03")["bands"][1]["min"] = 20


def unknown_key(data):
    question(data, "ENE-01")["helptext"] = "Une aide mal orthographiée serait perdue."


def version_as_number(data):
    data["version"] = 2026.1


def too_many_decimals(data):
    question(data, "ENE-01")["choices"][1]["points"] = 1.125


def negative_points(data):
    question(data, "ENE-01")["choices"][0]["points"] = -1


def boolean_as_text(data):
    question(data, "ENE-01")["allow_not_applicable"] = "non"


def code_unfit_for_urls(data):
    theme(data, "ENE")["code"] = "ÉNERGIE/2"


def ranks_out_of_order(data):
    data["levels"][0]["rank"], data["levels"][1]["rank"] = 2, 1


def bands_on_a_ladder(data):
    question(data, "ENE-01")["bands"] = [{"min": None, "max": None, "points": 1}]


def yes_no_with_three_choices(data):
    question(data, "MOB-04")["choices"].append({"label": "Peut-être", "points": 0})


def numeric_without_unit(data):
    del question(data, "ENE-02")["unit"]


def control_character(data):
    question(data, "ENE-01")["help_text"] = "Copié depuis un traitement de texte\x0b."


def icon_not_shipped(data):
    theme(data, "EAU")["icon"] = "fr-icon-ship-line"


def theme_without_questions(data):
    theme(data, "EAU")["questions"] = []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (duplicate_code, "question ENE-01 : ce code de question est utilisé deux fois."),
        (decreasing_ladder, "question ENE-01 : les choix d'une échelle vont du moins au plus mature"),
        (equal_ladder_steps, "question ENE-01 : les choix d'une échelle vont du moins au plus mature"),
        (single_choice, "question ENE-01 : il faut au moins deux choix."),
        (unknown_organisation_kind, "question ENE-01 : type d'organisation « collectivite » inconnu"),
        (unknown_headcount_band, "question ENE-01 : tranche d'effectif INSEE « 1 » inconnue."),
        (thresholds_not_increasing, "niveau 3 : les seuils doivent être strictement croissants."),
        (overlapping_bands, "question DEC-03, tranche 2 : cette tranche chevauche la précédente."),
        (unknown_key, "question ENE-01 : clé « helptext » inconnue"),
        (version_as_number, "référentiel : « version » doit être du texte"),
        (too_many_decimals, "question ENE-01, choix 2 : les points ont au plus 2 décimales"),
        (negative_points, "question ENE-01, choix 1 : les points doivent être un nombre positif ou nul."),
        (boolean_as_text, "question ENE-01 : « allow_not_applicable » doit valoir true ou false."),
        (code_unfit_for_urls, "thème ÉNERGIE/2 : le code ne peut contenir que des lettres sans accent"),
        (ranks_out_of_order, "niveau 1 : le rang doit être 1"),
        (bands_on_a_ladder, "question ENE-01 : seul un indicateur chiffré (numeric) a des tranches"),
        (yes_no_with_three_choices, "question MOB-04 : une question oui/non a exactement deux choix."),
        (numeric_without_unit, "question ENE-02 : l'unité de l'indicateur est obligatoire."),
        (theme_without_questions, "thème EAU : le thème n'a aucune question."),
        (icon_not_shipped, "thème EAU : l'icône « fr-icon-ship-line » n'est pas de la liste des icônes"),
        (control_character, "question ENE-01 : « help_text » contient un caractère de contrôle invisible"),
    ],
)
def test_each_problem_is_reported_with_its_location(national, mutate, expected):
    data = copy.deepcopy(national)
    mutate(data)

    assert any(message.startswith(expected) for message in messages(data)), messages(data)


def test_every_problem_is_reported_at_once(national):
    data = copy.deepcopy(national)
    for mutate in (duplicate_code, decreasing_ladder, unknown_organisation_kind, thresholds_not_increasing):
        mutate(data)

    found = messages(data)

    assert len(found) == 4, found
    assert [message.split(" : ")[0] for message in found] == [
        "niveau 3",
        "question ENE-01",
        "question ENE-01",
        "question ENE-01",
    ]


def test_a_file_that_is_not_a_referential_is_reported():
    assert messages(["a", "list"]) == ["fichier : le contenu doit être un dictionnaire avec « levels » et « themes »."]


def test_unreadable_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "casse.yaml"
    path.write_text(
        'title: "Référentiel"\nversion: "1"\nlevels:\n  - rank: 1\n    name: [Découverte\n', encoding="utf-8"
    )

    with pytest.raises(ReferentialFormatError) as error:
        read_yaml(path)

    [problem] = error.value.problems
    assert problem.location.startswith("ligne ")
    assert "YAML illisible" in problem.message


def test_an_invalid_referential_creates_nothing(in_a, national):
    data = copy.deepcopy(national)
    single_choice(data)
    versions, questions = ReferentialVersion.objects.count(), Question.objects.count()

    with pytest.raises(ReferentialFormatError):
        load_referential(data, publish=True)

    assert ReferentialVersion.objects.count() == versions
    assert Question.objects.count() == questions
    assert current_version().status == VersionStatus.PUBLISHED


def test_a_second_draft_is_refused(in_a, national):
    load_referential(national)
    versions = ReferentialVersion.objects.count()

    with pytest.raises(ReferentialFormatError, match="un brouillon existe déjà"):
        load_referential(national)

    assert ReferentialVersion.objects.count() == versions
