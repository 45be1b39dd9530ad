"""What a toolbox file may say (docs/toolbox-format.md): every problem, with where it is, in French.

`validate_toolbox` checks the plain data of a YAML file or of a workbook against the format, against
itself (codes, references, prerequisite loops) and against the territory's published referential
(themes, levels, question codes and their answer steps, toolbox/steps.py), before anything is written.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from assett.problems import Problem, as_decimal, check_keys, check_text, decimal_field_message, fits_decimal_field
from organisations.enums import HeadcountBand, OrganisationKind

from .constants import ACTION_ROW_FIELDS, NATIONAL_ACTION_FIELDS
from .enums import CostBand, Duration, ImpactTier, Origin, SchemeKind
from .models import Action, ActionStep, Partner, Scheme
from .referential_links import published_referential
from .steps import recommends_up_to

# Keys of each item of the format: anything else is refused rather than silently dropped.
TOP_KEYS = ("title", "version", "schemes", "partners", "actions")
SCHEME_KEYS = ("code", "name", "provider", "kind", "url", "conditions", "valid_until", "source_url", "checked_on")
PARTNER_KEYS = ("code", "name", "role", "contact", "website")
ACTION_KEYS = ("code", *ACTION_ROW_FIELDS, "prerequisites", "steps", "questions", "schemes", "partners")
STEP_KEYS = ("text", "url")
QUESTION_KEYS = ("code", "up_to_step")
# What only a territory's export carries: the national file never says how a territory shows its rows.
TERRITORY_ACTION_KEYS = ("origin", "hidden", "order", "adapted_fields")
TERRITORY_ROW_KEYS = ("origin",)

ACTION_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
NATIONAL_ACTION_CODE = re.compile(r"(?P<theme>[A-Z]+)-A\d{2,}")
ROW_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NAF_CODE = re.compile(r"[A-U]|\d{2}")
# Raw HTML in a Markdown body (autolinks such as <https://…> are Markdown, not HTML).
RAW_HTML = re.compile(r"<(?!(?:https?|mailto):)[A-Za-z!/?][^>\n]*>")
MAX_ORDER = 2_147_483_647  # PositiveIntegerField


# Locations, shared with the spreadsheet reader (toolbox/spreadsheet.py), which maps them to a sheet and a row.
TOOLBOX = "boîte à outils"


def scheme_location(code, index):
    return f"dispositif {code}" if code else f"dispositif n° {index}"


def partner_location(code, index):
    return f"partenaire {code}" if code else f"partenaire n° {index}"


def action_location(code, index):
    return f"action {code}" if code else f"action n° {index}"


def step_location(action_where, index):
    return f"{action_where}, étape {index}"


def question_link_location(action_where, index):
    return f"{action_where}, question liée {index}"


# ---- validation --------------------------------------------------------------------------------------


def validate_toolbox(data, *, national=False, referential=None):
    """Every problem of `data`, each with where it is (action code, step, question link, scheme...).

    `referential` (referential_links.PublishedReferential) defaults to the current schema's published one.
    """
    if not isinstance(data, dict):
        return [Problem("fichier", "le contenu doit être un dictionnaire avec une liste « actions ».")]
    if referential is None:
        referential = published_referential()
    checker = _Checker(national, referential)
    checker.check(data)
    return checker.problems


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def as_date(value):
    """A date from YAML (a date), a spreadsheet (a datetime) or text (« 2027-12-31 »); None if unreadable."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class _Checker:
    def __init__(self, national, referential):
        self.national = national
        self.referential = referential
        self.problems = []
        self.url = URLValidator(schemes=("http", "https"))

    def problem(self, where, message):
        self.problems.append(Problem(where, message))

    def check(self, data):
        check_keys(data, TOP_KEYS, TOOLBOX, self.problem)
        # Title and version say which edition a file is; nothing stores them (a workbook has no place for them).
        for key in ("title", "version"):
            check_text(data, key, TOOLBOX, self.problem)
        if not self.referential.published:
            self.problem(
                "territoire", "aucun référentiel n'est publié : les actions ne peuvent être liées à aucune question."
            )
        schemes = self._codes_of(data, "schemes", Scheme, self._check_scheme, scheme_location)
        partners = self._codes_of(data, "partners", Partner, self._check_partner, partner_location)
        actions = self._list(data, "actions", TOOLBOX)
        if not actions and "actions" in data and isinstance(data["actions"], list):
            self.problem(TOOLBOX, "la liste « actions » est vide.")
        elif "actions" not in data:
            self.problem(TOOLBOX, "la liste « actions » est obligatoire.")
        action_codes = {}  # code → its location
        for index, action in enumerate(actions, start=1):
            code = action.get("code") if isinstance(action, dict) else None
            code = code.strip() if isinstance(code, str) else ""
            where = action_location(code, index)
            if code in action_codes:
                self.problem(where, "ce code d'action est utilisé deux fois.")
            elif code:
                action_codes[code] = where
        for index, action in enumerate(actions, start=1):
            self._check_action(action, index, action_codes, schemes, partners)
        self._check_cycles(actions, action_codes)

    def _list(self, item, key, where):
        value = item.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, f"« {key} » doit être une liste.")
            return []
        return value

    def _codes_of(self, data, key, model, check, location):
        """The codes of the schemes (or partners) of the file, each row checked."""
        codes = set()
        for index, item in enumerate(self._list(data, key, TOOLBOX), start=1):
            if not isinstance(item, dict):
                self.problem(location("", index), "chaque élément doit être un dictionnaire (code, name...).")
                continue
            code = item.get("code")
            code = code.strip() if isinstance(code, str) else ""
            where = check(item, code, index)
            if code in codes:
                self.problem(where, "ce code est utilisé deux fois.")
            self._check_row_code(item, where, model)
            if code:
                codes.add(code)
            self._check_origin(item, where, TERRITORY_ROW_KEYS)
            check_text(item, "name", where, self.problem, model._meta.get_field("name"))
            if not str(item.get("name") or "").strip():
                self.problem(where, "le nom est obligatoire.")
        return codes

    def _check_row_code(self, item, where, model):
        code = item.get("code")
        max_length = model._meta.get_field("code").max_length
        if not isinstance(code, str) or not code.strip():
            self.problem(where, "le code est obligatoire (du texte).")
        elif not ROW_CODE.fullmatch(code.strip()):
            self.problem(where, "le code ne peut contenir que des minuscules sans accent, des chiffres et « - ».")
        elif len(code.strip()) > max_length:
            self.problem(where, f"le code dépasse {max_length} caractères.")

    def _check_origin(self, item, where, territory_keys):
        """The territory's own keys: refused in the national file, checked in a territory's."""
        for key in territory_keys:
            if key in item and self.national:
                self.problem(
                    where, f"« {key} » n'a pas sa place dans la boîte à outils nationale (export d'un territoire)."
                )
        if not self.national and "origin" in item and item["origin"] not in Origin.values:
            self.problem(where, f"origine « {item['origin']} » inconnue (attendues : {', '.join(Origin.values)}).")

    def _check_scheme(self, item, code, index):
        where = scheme_location(code, index)
        check_keys(item, SCHEME_KEYS + TERRITORY_ROW_KEYS, where, self.problem)
        for key in ("provider", "conditions"):
            check_text(item, key, where, self.problem, Scheme._meta.get_field(key))
        if item.get("kind") not in SchemeKind.values:
            self.problem(where, f"nature « {item.get('kind')} » inconnue (attendues : {', '.join(SchemeKind.values)}).")
        for key in ("url", "source_url"):
            self._check_url(item, key, where, Scheme)
        for key in ("valid_until", "checked_on"):
            if item.get(key) is not None and as_date(item[key]) is None:
                self.problem(where, f"« {key} » doit être une date AAAA-MM-JJ.")
        if self.national:
            for key in ("source_url", "checked_on"):
                if item.get(key) in (None, ""):
                    self.problem(
                        where,
                        f"« {key} » est obligatoire pour un dispositif national : d'où viennent les faits, et quand.",
                    )
        return where

    def _check_partner(self, item, code, index):
        where = partner_location(code, index)
        check_keys(item, PARTNER_KEYS + TERRITORY_ROW_KEYS, where, self.problem)
        for key in ("role", "contact"):
            check_text(item, key, where, self.problem, Partner._meta.get_field(key))
        self._check_url(item, "website", where, Partner)
        return where

    def _check_url(self, item, key, where, model):
        value = item.get(key)
        if value in (None, ""):
            return
        max_length = model._meta.get_field(key).max_length
        if not isinstance(value, str):
            self.problem(where, f"« {key} » doit être une adresse web (texte).")
            return
        try:
            self.url(value.strip())
        except ValidationError:
            self.problem(where, f"« {key} » n'est pas une adresse web valide (https://…).")
            return
        if len(value.strip()) > max_length:
            self.problem(where, f"« {key} » dépasse {max_length} caractères.")

    # -- actions

    def _check_action(self, action, index, action_codes, schemes, partners):
        if not isinstance(action, dict):
            self.problem(action_location("", index), "chaque action doit être un dictionnaire.")
            return
        raw_code = action.get("code")
        code = raw_code.strip() if isinstance(raw_code, str) else ""
        where = action_location(code, index)
        check_keys(action, ACTION_KEYS + TERRITORY_ACTION_KEYS, where, self.problem)
        self._check_action_code(action, code, where)
        for key in ("title", "promise", "body", "co2_source"):
            check_text(action, key, where, self.problem, Action._meta.get_field(key))
        for key in ("title", "promise"):
            if not str(action.get(key) or "").strip():
                self.problem(where, f"« {key} » est obligatoire.")
        if isinstance(action.get("promise"), str) and "\n" in action["promise"].strip():
            self.problem(where, "la promesse tient en une ligne.")
        if isinstance(action.get("body"), str) and RAW_HTML.search(action["body"]):
            self.problem(where, "« body » contient du HTML brut, qui ne sera pas affiché : écrivez en Markdown.")
        self._check_themes(action, where)
        self._check_targets(action, where)
        for key, enum in (("cost", CostBand), ("duration", Duration), ("impact", ImpactTier)):
            if action.get(key) is None:
                self.problem(where, f"« {key} » est obligatoire (valeurs possibles : {', '.join(enum.values)}).")
            elif action.get(key) not in enum.values:
                self.problem(where, f"« {key} » : « {action.get(key)} » inconnu (attendus : {', '.join(enum.values)}).")
        self._check_co2(action, where)
        prerequisites = self._list(action, "prerequisites", where)
        for prerequisite in prerequisites:
            if prerequisite == code:
                self.problem(where, "une action ne peut pas être son propre prérequis.")
            elif not isinstance(prerequisite, str) or prerequisite not in action_codes:
                self.problem(where, f"le prérequis « {prerequisite} » n'est pas une action du fichier.")
        self._check_unique(prerequisites, "prerequisites", where)
        for key, known, what in (("schemes", schemes, "dispositif"), ("partners", partners, "partenaire")):
            values = self._list(action, key, where)
            for value in values:
                if not isinstance(value, str) or value not in known:
                    self.problem(where, f"le {what} « {value} » n'est pas dans la liste « {key} » du fichier.")
            self._check_unique(values, key, where)
        self._check_steps(action, where)
        self._check_questions(action, where)
        self._check_territory_fields(action, where)

    def _check_action_code(self, action, code, where):
        max_length = Action._meta.get_field("code").max_length
        if not isinstance(action.get("code"), str) or not code:
            self.problem(where, "le code est obligatoire (du texte).")
        elif not ACTION_CODE.fullmatch(code):
            self.problem(where, "le code ne peut contenir que des majuscules sans accent, des chiffres et « - ».")
        elif len(code) > max_length:
            self.problem(where, f"le code dépasse {max_length} caractères.")
        elif self.national:
            match = NATIONAL_ACTION_CODE.fullmatch(code)
            if not match or match["theme"] not in self.referential.theme_codes:
                self.problem(where, "le code d'une action nationale s'écrit <THÈME>-A<nn>, par exemple ENE-A01.")

    def _check_unique(self, values, key, where):
        seen = set()
        for value in values:
            if isinstance(value, (str, int)) and value in seen:
                self.problem(where, f"« {value} » est deux fois dans « {key} ».")
            if isinstance(value, (str, int)):
                seen.add(value)

    def _check_themes(self, action, where):
        themes = self.referential.theme_codes
        main = action.get("main_theme")
        if main not in themes:
            self.problem(where, f"thème principal « {main} » inconnu du référentiel (attendus : {', '.join(themes)}).")
        others = self._list(action, "themes", where)
        for theme in others:
            if theme == main:
                self.problem(where, f"le thème « {theme} » est déjà le thème principal.")
            elif theme not in themes:
                self.problem(where, f"thème « {theme} » inconnu du référentiel (attendus : {', '.join(themes)}).")
        self._check_unique(others, "themes", where)

    def _check_targets(self, action, where):
        """To whom the action speaks: maturity levels, kinds of organisation, sizes, activities."""
        levels = self._list(action, "levels", where)
        ranks = sorted(self.referential.level_ranks)
        for level in levels:
            if not _is_int(level) or level not in self.referential.level_ranks:
                self.problem(where, f"niveau « {level} » inconnu (rangs des niveaux : {', '.join(map(str, ranks))}).")
        self._check_unique(levels, "levels", where)
        kinds = self._list(action, "organisation_kinds", where)
        for kind in kinds:
            if kind not in OrganisationKind.values:
                self.problem(
                    where, f"type d'organisation « {kind} » inconnu (attendus : {', '.join(OrganisationKind.values)})."
                )
        self._check_unique(kinds, "organisation_kinds", where)
        bands = self._list(action, "headcount_bands", where)
        for band in bands:
            if not isinstance(band, str) or band not in HeadcountBand.values:
                hint = " : mettez le code entre guillemets (« 01 »)" if _is_int(band) else ""
                self.problem(where, f"tranche d'effectif INSEE « {band} » inconnue{hint}.")
        self._check_unique(bands, "headcount_bands", where)
        naf_codes = self._list(action, "naf_codes", where)
        for naf in naf_codes:
            if not isinstance(naf, str) or not NAF_CODE.fullmatch(naf):
                self.problem(
                    where,
                    f"code NAF « {naf} » illisible : une section (lettre A à U) ou une division (deux chiffres, "
                    "entre guillemets).",
                )
        self._check_unique(naf_codes, "naf_codes", where)

    def _check_co2(self, action, where):
        raw = action.get("co2_tonnes_per_year")
        source = str(action.get("co2_source") or "").strip()
        if raw is None:
            if source:
                self.problem(
                    where, "« co2_source » sans « co2_tonnes_per_year » : donnez le chiffre, ou retirez la source."
                )
            return
        co2_field = Action._meta.get_field("co2_tonnes_per_year")
        number = as_decimal(raw)
        if number is None or number < 0:
            self.problem(where, "« co2_tonnes_per_year » doit être un nombre positif ou nul (tonnes de CO2e par an).")
        elif not fits_decimal_field(number, co2_field):
            self.problem(where, f"« co2_tonnes_per_year » a {decimal_field_message(co2_field)}")
        if not source:
            self.problem(where, "un gain de CO2 s'accompagne de sa source (« co2_source ») : d'où vient le chiffre ?")

    def _check_steps(self, action, where):
        for index, step in enumerate(self._list(action, "steps", where), start=1):
            step_where = step_location(where, index)
            if not isinstance(step, dict):
                self.problem(step_where, "chaque étape doit être un dictionnaire (text, url).")
                continue
            check_keys(step, STEP_KEYS, step_where, self.problem)
            check_text(step, "text", step_where, self.problem, ActionStep._meta.get_field("text"))
            if not str(step.get("text") or "").strip():
                self.problem(step_where, "le texte de l'étape est obligatoire.")
            self._check_url(step, "url", step_where, ActionStep)

    def _check_questions(self, action, where):
        links = self._list(action, "questions", where)
        if not links:
            self.problem(
                where, "il faut au moins une question liée : celles du référentiel auxquelles l'action répond."
            )
        seen = set()
        for index, link in enumerate(links, start=1):
            link_where = question_link_location(where, index)
            if not isinstance(link, dict):
                self.problem(link_where, "chaque question liée doit être un dictionnaire (code, up_to_step).")
                continue
            check_keys(link, QUESTION_KEYS, link_where, self.problem)
            code = link.get("code")
            top = self.referential.top_step(code) if isinstance(code, str) else None
            if top is None:
                if self.referential.published:
                    self.problem(link_where, f"la question « {code} » n'existe pas dans le référentiel publié.")
                continue
            if code in seen:
                self.problem(link_where, f"la question « {code} » est déjà liée à cette action.")
            seen.add(code)
            step = link.get("up_to_step")
            if not recommends_up_to(step, top):
                highest = top - 1
                self.problem(
                    link_where,
                    f"« up_to_step » doit être un entier de 1 à {highest} pour la question « {code} » "
                    f"(échelon le plus haut : {top}, où l'action n'est plus recommandée)."
                    if highest >= 1
                    else f"la question « {code} » n'a qu'un échelon : aucune réponse ne peut recommander l'action.",
                )

    def _check_territory_fields(self, action, where):
        self._check_origin(action, where, TERRITORY_ACTION_KEYS)
        if self.national:
            return
        if "hidden" in action and not isinstance(action["hidden"], bool):
            self.problem(where, "« hidden » doit valoir true ou false.")
        order = action.get("order", 0)
        if not _is_int(order) or not 0 <= order <= MAX_ORDER:
            self.problem(where, "« order » doit être un entier positif ou nul.")
        adapted = self._list(action, "adapted_fields", where)
        for name in adapted:
            if name not in NATIONAL_ACTION_FIELDS:
                self.problem(
                    where, f"« {name} » n'est pas un champ national (champs : {', '.join(NATIONAL_ACTION_FIELDS)})."
                )
        self._check_unique(adapted, "adapted_fields", where)
        if adapted and action.get("origin", Origin.LOCAL) != Origin.NATIONAL:
            self.problem(where, "« adapted_fields » ne concerne qu'une action nationale (origin: national).")

    def _check_cycles(self, actions, action_codes):
        """A prerequisite chain that loops back would leave every action of the loop locked for ever."""
        graph = {}
        for action in actions:
            if isinstance(action, dict) and isinstance(action.get("code"), str):
                own, prerequisites = action["code"].strip(), action.get("prerequisites")
                # An action that is its own prerequisite is reported as such, not as a loop.
                graph[own] = (
                    [
                        code
                        for code in prerequisites or []
                        if isinstance(code, str) and code != own and code in action_codes
                    ]
                    if isinstance(prerequisites, list)
                    else []
                )
        done, reported = set(), set()
        for start in graph:
            if start in done:
                continue
            path, stack, on_path = [start], [(start, iter(graph[start]))], {start}
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    path.pop()
                    on_path.discard(node)
                    done.add(node)
                elif child in on_path:
                    loop = path[path.index(child) :]
                    if frozenset(loop) not in reported:
                        reported.add(frozenset(loop))
                        self.problem(
                            action_codes[child],
                            f"les prérequis forment une boucle ({' → '.join([*loop, child])}) : retirez-en un.",
                        )
                elif child not in done:
                    stack.append((child, iter(graph.get(child, ()))))
                    on_path.add(child)
                    path.append(child)
