"""The national toolbox file (toolbox/data/boite_a_outils_nationale.yaml), read as plain YAML.

No database: these checks guard the content itself — every action answers real questions of the
national referential at a step that can recommend it, every code it references exists, schemes say
where their facts were read, enum values are those the models accept — so that a careless edit of
the file fails here, with the action's code in the message, before anyone tries to load it.
"""

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from organisations.enums import HeadcountBand, OrganisationKind
from referentiel.scoring import BandSpec, ChoiceSpec, QuestionSpec
from toolbox.enums import CostBand, Duration, ImpactTier, SchemeKind
from toolbox.steps import top_step

ROOT = Path(__file__).resolve().parents[2]
TOOLBOX_FILE = ROOT / "toolbox" / "data" / "boite_a_outils_nationale.yaml"
REFERENTIAL_FILE = ROOT / "referentiel" / "data" / "referentiel_national.yaml"

MINIMUM_ACTIONS = 60
MINIMUM_PER_THEME = 6
LEVEL_RANKS = {1, 2, 3, 4}
ACTION_CODE = re.compile(r"^(?P<theme>[A-Z]+)-A\d{2}$")
SCHEME_OR_PARTNER_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAF_CODE = re.compile(r"^([A-U]|\d{2})$")
# Markdown is rendered without raw HTML: a tag in a body would show as text, or be a mistake.
RAW_HTML = re.compile(r"</?[a-zA-Z][^>]*>|<!--")


class _StrictLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word: a pasted second copy of a block (or of the
    whole file) would silently replace the first. This loader refuses them instead."""


def _mapping_without_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    duplicates = _duplicates(keys)
    if duplicates:
        raise yaml.constructor.ConstructorError(None, None, f"clés en double : {duplicates}", node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _load(path):
    with path.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=_StrictLoader)  # noqa: S506 — a SafeLoader subclass


@pytest.fixture(scope="module")
def toolbox():
    return _load(TOOLBOX_FILE)


@pytest.fixture(scope="module")
def actions(toolbox):
    return toolbox["actions"]


@pytest.fixture(scope="module")
def referential():
    return _load(REFERENTIAL_FILE)


def _spec(question, number, theme):
    """The scoring spec of a referential question, as the database would give it to toolbox.steps."""
    choices = tuple(
        ChoiceSpec(id=number * 100 + index, points=choice["points"])
        for index, choice in enumerate(question.get("choices") or [])
    )
    bands = tuple(
        BandSpec(min=band.get("min"), max=band.get("max"), points=band["points"])
        for band in question.get("bands") or []
    )
    return QuestionSpec(
        id=number, theme=theme, kind=question["kind"], weight=question["weight"], choices=choices, bands=bands
    )


@pytest.fixture(scope="module")
def question_specs(referential):
    specs = {}
    for theme in referential["themes"]:
        for question in theme["questions"]:
            specs[question["code"]] = _spec(question, len(specs) + 1, theme["code"])
    return specs


@pytest.fixture(scope="module")
def theme_codes(referential):
    return {theme["code"] for theme in referential["themes"]}


def _duplicates(codes):
    return sorted(code for code, count in Counter(codes).items() if count > 1)


def test_no_key_is_given_twice(toolbox):
    # The fixture loads the file with _StrictLoader: reaching here means no mapping repeats a key.
    assert set(toolbox) <= {"title", "version", "schemes", "partners", "actions"}


def test_codes_are_unique(toolbox, actions):
    assert _duplicates(action["code"] for action in actions) == []
    assert _duplicates(scheme["code"] for scheme in toolbox.get("schemes") or []) == []
    assert _duplicates(partner["code"] for partner in toolbox.get("partners") or []) == []


def test_action_codes_name_their_main_theme(actions):
    wrong = [
        action["code"]
        for action in actions
        if not (match := ACTION_CODE.match(action["code"])) or match["theme"] != action["main_theme"]
    ]
    assert wrong == []


def test_enough_actions_overall_and_per_theme(actions, theme_codes):
    assert len(actions) >= MINIMUM_ACTIONS
    per_theme = Counter(action["main_theme"] for action in actions)
    thin = {theme: per_theme.get(theme, 0) for theme in theme_codes if per_theme.get(theme, 0) < MINIMUM_PER_THEME}
    assert thin == {}


def test_themes_are_themes_of_the_national_referential(actions, theme_codes):
    wrong = [
        (action["code"], theme)
        for action in actions
        for theme in [action["main_theme"], *(action.get("themes") or [])]
        if theme not in theme_codes
    ]
    assert wrong == []


def test_each_action_answers_questions_at_a_step_that_can_recommend_it(actions, question_specs):
    problems = []
    for action in actions:
        links = action.get("questions") or []
        if not links:
            problems.append((action["code"], "aucune question"))
        for link in links:
            spec = question_specs.get(link["code"])
            if spec is None:
                problems.append((action["code"], link["code"], "question inconnue"))
            elif not 1 <= link["up_to_step"] < top_step(spec):
                top = top_step(spec)
                problems.append((action["code"], link["code"], link["up_to_step"], f"échelon hors de 1..{top - 1}"))
        if len({link["code"] for link in links}) != len(links):
            problems.append((action["code"], "question liée deux fois"))
    assert problems == []


def test_referenced_schemes_partners_and_prerequisites_exist(toolbox, actions):
    scheme_codes = {scheme["code"] for scheme in toolbox.get("schemes") or []}
    partner_codes = {partner["code"] for partner in toolbox.get("partners") or []}
    action_codes = {action["code"] for action in actions}
    missing = []
    for action in actions:
        missing += [(action["code"], "aide", code) for code in action.get("schemes") or [] if code not in scheme_codes]
        missing += [
            (action["code"], "partenaire", code) for code in action.get("partners") or [] if code not in partner_codes
        ]
        missing += [
            (action["code"], "prérequis", code)
            for code in action.get("prerequisites") or []
            if code not in action_codes or code == action["code"]
        ]
    assert missing == []


def test_prerequisites_have_no_cycle(actions):
    graph = {action["code"]: list(action.get("prerequisites") or []) for action in actions}
    done, in_progress, cycles = set(), [], []

    def visit(code):
        if code in done or code not in graph:
            return
        if code in in_progress:
            cycles.append(in_progress[in_progress.index(code) :] + [code])
            return
        in_progress.append(code)
        for prerequisite in graph[code]:
            visit(prerequisite)
        in_progress.pop()
        done.add(code)

    for code in graph:
        visit(code)
    assert cycles == []


def test_schemes_say_where_and_when_their_facts_were_read(toolbox):
    problems = []
    for scheme in toolbox.get("schemes") or []:
        if not SCHEME_OR_PARTNER_CODE.match(scheme["code"]):
            problems.append((scheme["code"], "code"))
        if scheme.get("kind") not in SchemeKind.values:
            problems.append((scheme["code"], "kind", scheme.get("kind")))
        if not str(scheme.get("source_url") or "").startswith("https://"):
            problems.append((scheme["code"], "source_url"))
        if not isinstance(scheme.get("checked_on"), datetime.date):
            problems.append((scheme["code"], "checked_on"))
        if scheme.get("valid_until") is not None and not isinstance(scheme["valid_until"], datetime.date):
            problems.append((scheme["code"], "valid_until"))
        if not scheme.get("name") or not scheme.get("provider"):
            problems.append((scheme["code"], "nom ou porteur"))
    for partner in toolbox.get("partners") or []:
        if not SCHEME_OR_PARTNER_CODE.match(partner["code"]) or not partner.get("name"):
            problems.append((partner["code"], "partenaire"))
    assert problems == []


def test_co2_figures_have_a_source(actions):
    wrong = [
        action["code"]
        for action in actions
        if action.get("co2_tonnes_per_year") is not None
        and (not str(action.get("co2_source") or "").strip() or action["co2_tonnes_per_year"] < 0)
    ]
    assert wrong == []


def test_titles_and_promises_fit_and_promises_are_one_line(actions):
    wrong = []
    for action in actions:
        title, promise = action.get("title") or "", action.get("promise") or ""
        if not title.strip() or len(title) > 200 or "\n" in title:
            wrong.append((action["code"], "titre"))
        if not promise.strip() or len(promise) > 300 or "\n" in promise.strip():
            wrong.append((action["code"], "promesse"))
    assert wrong == []


def test_bodies_are_markdown_of_a_readable_length_without_raw_html(actions):
    wrong = []
    for action in actions:
        body = action.get("body") or ""
        words = len(body.split())
        if RAW_HTML.search(body):
            wrong.append((action["code"], "HTML"))
        if not 60 <= words <= 230:
            wrong.append((action["code"], f"{words} mots"))
    assert wrong == []


def test_steps_are_three_to_six_with_https_links(actions):
    wrong = []
    for action in actions:
        steps = action.get("steps") or []
        if not 3 <= len(steps) <= 6:
            wrong.append((action["code"], f"{len(steps)} étapes"))
        for step in steps:
            if not step.get("text", "").strip() or len(step["text"]) > 500:
                wrong.append((action["code"], "texte d'étape"))
            if step.get("url") is not None and not step["url"].startswith("https://"):
                wrong.append((action["code"], step["url"]))
    assert wrong == []


def test_enum_values_are_those_of_the_models(actions):
    wrong = []
    for action in actions:
        code = action["code"]
        for field, allowed in (("cost", CostBand.values), ("duration", Duration.values), ("impact", ImpactTier.values)):
            if action.get(field) not in allowed:
                wrong.append((code, field, action.get(field)))
        wrong += [(code, "levels", rank) for rank in action.get("levels") or [] if rank not in LEVEL_RANKS]
        wrong += [
            (code, "organisation_kinds", kind)
            for kind in action.get("organisation_kinds") or []
            if kind not in OrganisationKind.values
        ]
        wrong += [
            (code, "headcount_bands", band)
            for band in action.get("headcount_bands") or []
            if band not in HeadcountBand.values
        ]
        wrong += [(code, "naf_codes", naf) for naf in action.get("naf_codes") or [] if not NAF_CODE.match(str(naf))]
    assert wrong == []
