"""Toolbox ⇄ plain data (the YAML format of docs/toolbox-format.md).

`validate_toolbox` (toolbox/validation.py) reports every problem with its location, in French,
before anything is written; `load_toolbox` then writes the whole file in one transaction, so an invalid file
changes nothing. `dump_toolbox` is its exact inverse: dump → load → dump gives the same data.

Two ways to load:
- a territory's own file (`national=False`), as `dump_toolbox` writes it: every row it names is
  created or updated with every field, the territory's own (origin, hidden, order, adapted_fields)
  included;
- the national toolbox (`national=True`): national rows are added or updated, but an action's
  fields the territory adapted (`adapted_fields`) are left alone, local rows are never touched,
  and a national action that left the file is hidden, never deleted (plans point at it).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from assett.problems import FormatError, as_decimal, plain_number, read_yaml_file

from .constants import ACTION_RELATED_FIELDS, ACTION_ROW_FIELDS, NATIONAL_ACTION_FIELDS
from .enums import Origin
from .models import Action, ActionQuestion, ActionStep, Partner, Scheme
from .validation import as_date, validate_toolbox

NATIONAL_TOOLBOX = Path(__file__).parent / "data" / "boite_a_outils_nationale.yaml"


class ToolboxFormatError(FormatError):
    pass


# ---- plain values: one normalisation for the rows, national_data and the dump -----------------------


def _text(item, key):
    return (item.get(key) or "").strip()


def national_values(item):
    """The national fields of an action item, as plain data (what `dump_toolbox` writes and `national_data` keeps)."""
    co2 = as_decimal(item.get("co2_tonnes_per_year"))
    return {
        "title": _text(item, "title"),
        "promise": _text(item, "promise"),
        "body": _text(item, "body"),
        "main_theme": item["main_theme"],
        "themes": list(item.get("themes") or []),
        "levels": list(item.get("levels") or []),
        "organisation_kinds": list(item.get("organisation_kinds") or []),
        "headcount_bands": list(item.get("headcount_bands") or []),
        "naf_codes": list(item.get("naf_codes") or []),
        "cost": item["cost"],
        "duration": item["duration"],
        "impact": item["impact"],
        "co2_tonnes_per_year": plain_number(co2),
        "co2_source": _text(item, "co2_source") if co2 is not None else "",
        "steps": [_plain_step(step.get("text"), step.get("url")) for step in item.get("steps") or []],
        "questions": [{"code": link["code"], "up_to_step": link["up_to_step"]} for link in item["questions"]],
        "prerequisites": list(item.get("prerequisites") or []),
    }


def _plain_step(text, url):
    step = {"text": (text or "").strip()}
    if (url or "").strip():
        step["url"] = url.strip()
    return step


def _column_value(values, name):
    if name == "co2_tonnes_per_year":
        number = values[name]
        return None if number is None else Decimal(str(number))
    return values[name]


def _scheme_fields(item):
    return {
        "name": _text(item, "name"),
        "provider": _text(item, "provider"),
        "kind": item["kind"],
        "url": _text(item, "url"),
        "conditions": _text(item, "conditions"),
        "valid_until": as_date(item.get("valid_until")),
        "source_url": _text(item, "source_url"),
        "checked_on": as_date(item.get("checked_on")),
    }


def _partner_fields(item):
    return {
        "name": _text(item, "name"),
        "role": _text(item, "role"),
        "contact": _text(item, "contact"),
        "website": _text(item, "website"),
    }


# ---- loading -----------------------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """What a load did, by code, for the command's message."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # national actions that left the national file
    kept_local: list = field(default_factory=list)  # local rows whose code the national file also uses
    adapted_kept: dict = field(default_factory=dict)  # action code → the adapted fields left alone


@transaction.atomic
def load_toolbox(data, *, national=False, referential=None):
    """Write validated toolbox data into the current schema, all or nothing; returns a LoadSummary."""
    problems = validate_toolbox(data, national=national, referential=referential)
    if problems:
        raise ToolboxFormatError(problems)
    # Two imports at once in one territory would interleave their updates: the second waits.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"toolbox-import:{connection.schema_name}"])
    summary = LoadSummary()
    schemes = _load_rows(Scheme, data.get("schemes") or [], _scheme_fields, national, summary)
    partners = _load_rows(Partner, data.get("partners") or [], _partner_fields, national, summary)
    _load_actions(data["actions"], national, schemes, partners, summary)
    return summary


def _load_rows(model, items, fields_of, national, summary):
    """Schemes or partners by code; in national mode a local row of the same code is kept as it is."""
    existing = model.objects.in_bulk(field_name="code")
    for item in items:
        code = item["code"].strip()
        values = fields_of(item)
        row = existing.get(code)
        if national:
            if row is not None and row.origin == Origin.LOCAL:
                summary.kept_local.append(code)
                continue
            values["origin"] = Origin.NATIONAL
        else:
            values["origin"] = item.get("origin", Origin.LOCAL)
        if row is None:
            existing[code] = model.objects.create(code=code, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    return existing


# What a load writes on an existing action row.
WRITTEN_FIELDS = (*ACTION_ROW_FIELDS, "origin", "hidden", "order", "adapted_fields", "national_data", "updated_at")


def _load_actions(items, national, schemes, partners, summary):
    """Every action of the file in a few statements, whatever their number (provisioning runs this)."""
    existing = Action.objects.in_bulk(field_name="code")
    now = timezone.now()
    in_file, new, changed = set(), [], []
    related = {}  # code → the related fields (steps, questions, prerequisites) to write from the item
    links = {}  # code → (scheme codes, partner codes) to write
    for item in items:
        code = item["code"].strip()
        in_file.add(code)
        values = national_values(item)
        action = existing.get(code)
        if national and action is not None and action.origin == Origin.LOCAL:
            summary.kept_local.append(code)
            continue
        created = action is None
        if created:
            action = existing[code] = Action(code=code)
        before = None if created else _row_state(action)
        adapted = set(action.adapted_fields) if national and not created else set()
        for name in ACTION_ROW_FIELDS:
            if name not in adapted:
                setattr(action, name, _column_value(values, name))
        if national:
            action.origin = Origin.NATIONAL
            action.national_data = values
            if adapted:
                summary.adapted_kept[code] = [name for name in NATIONAL_ACTION_FIELDS if name in adapted]
        else:
            action.origin = item.get("origin", Origin.LOCAL)
            action.hidden = item.get("hidden", False)
            action.order = item.get("order", 0)
            action.adapted_fields = list(item.get("adapted_fields") or [])
        if created:
            new.append(action)
        elif _row_state(action) != before:
            action.updated_at = now
            changed.append(action)
        (summary.created if created else summary.updated).append(code)
        related[code] = {name: values[name] for name in ACTION_RELATED_FIELDS if name not in adapted}
        # Schemes and partners are local once the action exists: staff choose them for their territory.
        if created or not national:
            links[code] = (item.get("schemes") or [], item.get("partners") or [])
    Action.objects.bulk_create(new)
    # One UPDATE per changed row (a re-import of the same file changes none): bulk_update's CASE over
    # twenty fields costs more to build than these round trips.
    for action in changed:
        action.save(update_fields=WRITTEN_FIELDS)
    _replace_related(related, existing)
    _replace_links(Action.schemes.through, "scheme", {code: links[code][0] for code in links}, existing, schemes)
    _replace_links(Action.partners.through, "partner", {code: links[code][1] for code in links}, existing, partners)
    if national:
        gone = [
            action
            for code, action in existing.items()
            if action.origin == Origin.NATIONAL and code not in in_file and not action.hidden
        ]
        Action.objects.filter(pk__in=[action.pk for action in gone]).update(hidden=True, updated_at=now)
        summary.hidden = sorted(action.code for action in gone)


def _row_state(action):
    return [getattr(action, name) for name in WRITTEN_FIELDS]


def _replace_related(related, actions):
    """Steps, question links and prerequisites of each action, rewritten in the file's order."""
    steps_of = [code for code, fields in related.items() if "steps" in fields]
    links_of = [code for code, fields in related.items() if "questions" in fields]
    ActionStep.objects.filter(action__in=[actions[code] for code in steps_of]).delete()
    ActionQuestion.objects.filter(action__in=[actions[code] for code in links_of]).delete()
    ActionStep.objects.bulk_create(
        ActionStep(action=actions[code], order=order, text=step["text"], url=step.get("url", ""))
        for code in steps_of
        for order, step in enumerate(related[code]["steps"])
    )
    ActionQuestion.objects.bulk_create(
        ActionQuestion(action=actions[code], question_code=link["code"], up_to_step=link["up_to_step"])
        for code in links_of
        for link in related[code]["questions"]
    )
    prerequisites = {code: fields["prerequisites"] for code, fields in related.items() if "prerequisites" in fields}
    through = Action.prerequisites.through
    through.objects.filter(from_action__in=[actions[code] for code in prerequisites]).delete()
    through.objects.bulk_create(
        through(from_action=actions[code], to_action=actions[other])
        for code, others in prerequisites.items()
        for other in others
    )


def _replace_links(through, target, codes_by_action, actions, rows):
    """An M2M of actions (schemes or partners) rewritten for the actions of `codes_by_action`."""
    through.objects.filter(action__in=[actions[code] for code in codes_by_action]).delete()
    through.objects.bulk_create(
        through(action=actions[code], **{target: rows[other]})
        for code, others in codes_by_action.items()
        for other in others
    )


# ---- dumping -----------------------------------------------------------------------------------------


def _without_empty(item, keep=()):
    return {key: value for key, value in item.items() if key in keep or value not in (None, "", [])}


def dump_toolbox():
    """The current schema's toolbox as plain data: a territory's export, which `load_toolbox` reads back."""
    schemes = [
        _without_empty({"code": scheme.code, "origin": scheme.origin, **_row_values(scheme, _SCHEME_FIELDS)})
        for scheme in Scheme.objects.order_by("code")
    ]
    partners = [
        _without_empty({"code": partner.code, "origin": partner.origin, **_row_values(partner, _PARTNER_FIELDS)})
        for partner in Partner.objects.order_by("code")
    ]
    actions = Action.objects.order_by("order", "code").prefetch_related(
        "steps", "question_links", "prerequisites", "schemes", "partners"
    )
    data = {}
    if schemes:
        data["schemes"] = schemes
    if partners:
        data["partners"] = partners
    data["actions"] = [_dump_action(action) for action in actions]
    return data


_SCHEME_FIELDS = ("name", "provider", "kind", "url", "conditions", "valid_until", "source_url", "checked_on")
_PARTNER_FIELDS = ("name", "role", "contact", "website")


def _row_values(row, names):
    return {name: getattr(row, name) for name in names}


def _dump_action(action):
    item = {
        "code": action.code,
        "origin": action.origin,
        "hidden": action.hidden,
        "order": action.order,
        "adapted_fields": list(action.adapted_fields),
    }
    for name in ACTION_ROW_FIELDS:
        value = getattr(action, name)
        item[name] = plain_number(value) if name == "co2_tonnes_per_year" else value
    item["prerequisites"] = sorted(prerequisite.code for prerequisite in action.prerequisites.all())
    item["steps"] = [_plain_step(step.text, step.url) for step in action.steps.all()]
    item["questions"] = [
        {"code": link.question_code, "up_to_step": link.up_to_step}
        for link in sorted(action.question_links.all(), key=lambda link: link.pk)
    ]
    item["schemes"] = sorted(scheme.code for scheme in action.schemes.all())
    item["partners"] = sorted(partner.code for partner in action.partners.all())
    return _without_empty(item, keep=("hidden", "order", "adapted_fields", "questions"))


# ---- files and provisioning --------------------------------------------------------------------------


def read_yaml(path):
    return read_yaml_file(path, ToolboxFormatError)


def install_national_toolbox(territory=None):
    """Provisioning hook: every territory gets the national toolbox, merged with its adaptations.

    Idempotent: seed_demo calls the hooks again on existing territories, and a second national
    import of the same file changes nothing.
    """
    return load_toolbox(read_yaml(NATIONAL_TOOLBOX), national=True)
