"""The national library of workshop formats (events/data/deroules_nationaux.yaml) into a territory.

`validate_formats` reports every problem of the file with where it is, in French, before anything is
written; `load_national_formats` then writes the whole library in one transaction, so an invalid file
changes nothing. Loading again (a new national edition) adds and updates the national formats, hides
(never deletes: events point at them) those that left the file, and leaves the territory's own
formats, its copies of national ones included, as they are. Format: docs/events.md.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from assett.problems import FormatError, Problem, check_keys, check_text, read_yaml_file
from toolbox.enums import Origin
from toolbox.models import Action

from .enums import WorkshopPhase
from .format_rules import CODE_MAX_LENGTH, FORMAT_CODE, MIN_DURATION, duration_gap_message
from .models import FormatStep, WorkshopFormat

NATIONAL_FORMATS = Path(__file__).parent / "data" / "deroules_nationaux.yaml"

TOP_KEYS = ("title", "version", "formats")
FORMAT_KEYS = (
    "code",
    "name",
    "objective",
    "phase",
    "duration_minutes",
    "group_min",
    "group_max",
    "materials",
    "facilitator_roles",
    "actions",
    "steps",
)
STEP_KEYS = ("title", "minutes", "instructions")
LIBRARY = "bibliothèque de déroulés"


class FormatsFileError(FormatError):
    pass


def format_location(code, index):
    return f"déroulé {code}" if code else f"déroulé n° {index}"


def step_location(format_where, index):
    return f"{format_where}, étape {index}"


# ---- validation --------------------------------------------------------------------------------------


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _model_field(model, name):
    return model._meta.get_field(name)


def validate_formats(data, *, action_codes):
    """Every problem of `data`, each with where it is (the format's code, the step's number).

    `action_codes` are the toolbox actions a format may name (the territory's, or the national file's).
    """
    if not isinstance(data, dict):
        return [Problem("fichier", "le contenu doit être un dictionnaire avec une liste « formats ».")]
    checker = _Checker(set(action_codes))
    checker.check(data)
    return checker.problems


class _Checker:
    def __init__(self, action_codes):
        self.action_codes = action_codes
        self.problems = []

    def problem(self, where, message):
        self.problems.append(Problem(where, message))

    def check(self, data):
        check_keys(data, TOP_KEYS, LIBRARY, self.problem)
        for key in ("title", "version"):
            check_text(data, key, LIBRARY, self.problem)
        formats = data.get("formats")
        if formats is None:
            self.problem(LIBRARY, "la liste « formats » est obligatoire.")
            return
        if not isinstance(formats, list):
            self.problem(LIBRARY, "« formats » doit être une liste.")
            return
        if not formats:
            self.problem(LIBRARY, "la liste « formats » est vide.")
        seen = set()
        for index, item in enumerate(formats, start=1):
            code = item.get("code") if isinstance(item, dict) else None
            code = code.strip() if isinstance(code, str) else ""
            where = format_location(code, index)
            if not isinstance(item, dict):
                self.problem(where, "chaque déroulé doit être un dictionnaire (code, name, objective…).")
                continue
            if code and code in seen:
                self.problem(where, "ce code de déroulé est utilisé deux fois.")
            seen.add(code)
            self._check_format(item, code, where)

    def _check_format(self, item, code, where):
        check_keys(item, FORMAT_KEYS, where, self.problem)
        if not code:
            self.problem(where, "le code est obligatoire (par exemple « world-cafe »).")
        elif not FORMAT_CODE.fullmatch(code) or len(code) > CODE_MAX_LENGTH:
            self.problem(
                where,
                f"code « {code} » invalide : des minuscules, chiffres et tirets, {CODE_MAX_LENGTH} caractères au plus.",
            )
        for key in ("name", "objective"):
            check_text(item, key, where, self.problem, _model_field(WorkshopFormat, key))
            value = item.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.problem(where, f"« {key} » est obligatoire.")
        phase = item.get("phase")
        if phase not in WorkshopPhase.values:
            known = ", ".join(f"{value} ({label})" for value, label in WorkshopPhase.choices)
            self.problem(where, f"phase « {phase} » inconnue (phases possibles : {known}).")
        duration = self._whole(item, "duration_minutes", where, minimum=MIN_DURATION)
        group_min = self._whole(item, "group_min", where, minimum=1)
        group_max = self._whole(item, "group_max", where, minimum=1)
        if group_min is not None and group_max is not None and group_max < group_min:
            self.problem(
                where, f"« group_max » ({group_max}) est inférieur à « group_min » ({group_min}) : inversez-les ?"
            )
        for key in ("materials", "facilitator_roles"):
            self._lines(item, key, where)
        self._actions(item, where)
        total = self._steps(item, where)
        if duration is not None and total is not None:
            gap = duration_gap_message(total, duration)
            if gap:
                self.problem(where, gap)

    def _whole(self, item, key, where, minimum):
        value = item.get(key)
        if value is None:
            self.problem(where, f"« {key} » est obligatoire.")
            return None
        if not _is_int(value) or value < minimum:
            self.problem(where, f"« {key} » doit être un nombre entier d’au moins {minimum}.")
            return None
        return value

    def _list(self, item, key, where):
        value = item.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, f"« {key} » doit être une liste.")
            return []
        return value

    def _lines(self, item, key, where):
        for index, line in enumerate(self._list(item, key, where), start=1):
            if not isinstance(line, str) or not line.strip():
                self.problem(where, f"« {key} », ligne {index} : du texte non vide est attendu.")
            elif "\n" in line.strip():
                self.problem(where, f"« {key} », ligne {index} : une ligne par élément de la liste.")

    def _actions(self, item, where):
        seen = set()
        for code in self._list(item, "actions", where):
            if not isinstance(code, str):
                self.problem(where, f"« actions » : « {code} » n’est pas un code d’action.")
            elif code in seen:
                self.problem(where, f"l’action {code} est citée deux fois.")
            elif code not in self.action_codes:
                self.problem(where, f"l’action {code} n’existe pas dans la boîte à outils.")
            seen.add(code)

    def _steps(self, item, where):
        """The steps' total minutes, or None when a step's minutes are unreadable."""
        steps = self._list(item, "steps", where)
        if not steps:
            if isinstance(item.get("steps", []), list):
                self.problem(where, "un déroulé a au moins une étape (« steps »).")
            return None
        total, readable = 0, True
        for index, step in enumerate(steps, start=1):
            step_where = step_location(where, index)
            if not isinstance(step, dict):
                self.problem(step_where, "chaque étape doit être un dictionnaire (title, minutes, instructions).")
                readable = False
                continue
            check_keys(step, STEP_KEYS, step_where, self.problem)
            check_text(step, "title", step_where, self.problem, _model_field(FormatStep, "title"))
            check_text(step, "instructions", step_where, self.problem)
            title = step.get("title")
            if not isinstance(title, str) or not title.strip():
                self.problem(step_where, "« title » est obligatoire.")
            minutes = self._whole(step, "minutes", step_where, minimum=1)
            if minutes is None:
                readable = False
            else:
                total += minutes
        return total if readable else None


# ---- loading -----------------------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """What a load did, by code, for the command's message."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # national formats that left the file
    kept_local: list = field(default_factory=list)  # local formats whose code the national file also uses


def _lines_text(item, key):
    return "\n".join(line.strip() for line in item.get(key) or [])


FORMAT_FIELDS = (
    "name",
    "objective",
    "phase",
    "duration_minutes",
    "group_min",
    "group_max",
    "materials",
    "facilitator_roles",
)


def format_values(item):
    """The columns of a format row from a file item (validated)."""
    return {
        "name": item["name"].strip(),
        "objective": item["objective"].strip(),
        "phase": item["phase"],
        "duration_minutes": item["duration_minutes"],
        "group_min": item["group_min"],
        "group_max": item["group_max"],
        "materials": _lines_text(item, "materials"),
        "facilitator_roles": _lines_text(item, "facilitator_roles"),
    }


@transaction.atomic
def load_national_formats(data, *, action_codes=None):
    """Write a validated national library into the current schema, all or nothing; returns a LoadSummary.

    A format the file leaves as it is gets no write at all: `seed_demo` runs the hook on every territory
    each time, and the steps' rows keep their ids.
    """
    actions = Action.objects.only("pk", "code").in_bulk(field_name="code")
    problems = validate_formats(data, action_codes=actions.keys() if action_codes is None else action_codes)
    if problems:
        raise FormatsFileError(problems)
    # Two imports at once in one territory would interleave their writes: the second waits.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"formats-import:{connection.schema_name}"])
    existing = WorkshopFormat.objects.prefetch_related("steps", "actions").in_bulk(field_name="code")
    summary = LoadSummary()
    in_file = set()
    steps_of, actions_of = {}, {}  # code → (row, item) whose steps (actions) the file changes
    for item in data["formats"]:
        code = item["code"].strip()
        in_file.add(code)
        row = existing.get(code)
        if row is not None and row.origin == Origin.LOCAL:
            summary.kept_local.append(code)
            continue
        values, steps, action_codes = _file_state(item)
        if row is None:
            row = WorkshopFormat.objects.create(code=code, origin=Origin.NATIONAL, **values)
            summary.created.append(code)
            steps_of[code] = actions_of[code] = (row, item)
            continue
        # Staff never edit a national row (they copy it), so the file's values are the row's;
        # `hidden` is the territory's choice and stays.
        old_values, old_steps, old_actions = _row_state(row)
        if old_values != values:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
        if old_steps != steps:
            steps_of[code] = (row, item)
        if old_actions != action_codes:
            actions_of[code] = (row, item)
        changed = old_values != values or code in steps_of or code in actions_of
        (summary.updated if changed else summary.unchanged).append(code)
    _replace_steps(steps_of)
    _replace_actions(actions_of, actions)
    gone = [
        row
        for code, row in existing.items()
        if row.origin == Origin.NATIONAL and code not in in_file and not row.hidden
    ]
    if gone:
        WorkshopFormat.objects.filter(pk__in=[row.pk for row in gone]).update(hidden=True)
    summary.hidden = sorted(row.code for row in gone)
    return summary


def _step_values(title, minutes, instructions):
    return (title.strip(), minutes, (instructions or "").strip())


def _file_state(item):
    steps = [_step_values(step["title"], step["minutes"], step.get("instructions")) for step in item["steps"]]
    return format_values(item), steps, sorted(item.get("actions") or [])


def _row_state(row):
    values = {name: getattr(row, name) for name in FORMAT_FIELDS}
    steps = [_step_values(step.title, step.minutes, step.instructions) for step in row.steps.all()]
    return values, steps, sorted(action.code for action in row.actions.all())


def _replace_steps(written):
    if not written:
        return
    FormatStep.objects.filter(format__in=[row for row, _item in written.values()]).delete()
    FormatStep.objects.bulk_create(
        FormatStep(format=row, order=order, title=title, minutes=minutes, instructions=instructions)
        for row, item in written.values()
        for order, (title, minutes, instructions) in enumerate(_file_state(item)[1], start=1)
    )


def _replace_actions(written, actions):
    if not written:
        return
    through = WorkshopFormat.actions.through
    through.objects.filter(workshopformat__in=[row for row, _item in written.values()]).delete()
    through.objects.bulk_create(
        through(workshopformat=row, action=actions[code])
        for row, item in written.values()
        for code in item.get("actions") or []
    )


# ---- files and provisioning --------------------------------------------------------------------------


def read_formats_file(path):
    return read_yaml_file(path, FormatsFileError)


def install_national_formats(territory=None):
    """Provisioning hook: every territory gets the national library (after the toolbox, whose actions
    the formats name). Idempotent: seed_demo calls the hooks again on existing territories."""
    return load_national_formats(read_formats_file(NATIONAL_FORMATS))
