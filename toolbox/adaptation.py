"""The adaptation rule: which national fields of an action a territory changed.

A national action's fields (constants.NATIONAL_ACTION_FIELDS) belong to the national toolbox; when
staff change one, its name goes into `Action.adapted_fields` and the next national import leaves it
alone. `Action.national_data` holds the national values as last imported, in the toolbox file's
shape (TOOLBOX_FORMAT / docs/toolbox-format.md): scalars as in YAML, `steps` as a list of
{"text", "url"}, `questions` as a list of {"code", "up_to_step"}, `prerequisites` as a list of
action codes. Values of both sides are brought to one plain form before they are compared, so that
a Decimal and the float a JSON file holds, or a missing "url" and an empty one, read the same.
"""

from decimal import Decimal, InvalidOperation

from .constants import NATIONAL_ACTION_FIELDS
from .enums import Origin

LIST_FIELDS = {"themes", "organisation_kinds", "headcount_bands", "naf_codes"}
# Sets stored as lists: a form sends its ticked boxes in its own order, which is no change.
# (naf_codes keeps its order: the most specific code comes first.)
UNORDERED_FIELDS = {"themes", "levels", "organisation_kinds", "headcount_bands"}


def plain(name, value):
    """`value` of field `name`, from an action or from national_data, in the form they are compared in."""
    if name == "co2_tonnes_per_year":
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            return str(value)
    if name == "levels":
        return sorted(int(rank) for rank in value or ())
    if name in LIST_FIELDS:
        items = [str(item) for item in value or ()]
        return sorted(items) if name in UNORDERED_FIELDS else items
    if name == "steps":
        return [{"text": str(step.get("text", "")), "url": str(step.get("url") or "")} for step in value or ()]
    if name == "questions":
        links = [{"code": str(link["code"]), "up_to_step": int(link["up_to_step"])} for link in value or ()]
        return sorted(links, key=lambda link: link["code"])
    if name == "prerequisites":
        return sorted(str(code) for code in value or ())
    return "" if value is None else str(value)


def current_value(action, name):
    """The action's own value of a national field, in plain form.

    Related fields read `steps`, `question_links` and `prerequisites` (prefetched by the caller when
    it reads many actions).
    """
    if name == "steps":
        return plain(name, [{"text": step.text, "url": step.url} for step in action.steps.all()])
    if name == "questions":
        links = action.question_links.all()
        return plain(name, [{"code": link.question_code, "up_to_step": link.up_to_step} for link in links])
    if name == "prerequisites":
        return plain(name, [other.code for other in action.prerequisites.all()])
    return plain(name, getattr(action, name))


def has_national_value(action, name):
    return name in (action.national_data or {})


def national_value(action, name):
    return plain(name, action.national_data[name])


def adapted_after_change(action, changed):
    """`adapted_fields` once the national fields `changed` took their new values (read from `action`).

    A local action adapts nothing. A changed field becomes adapted, unless its new value is the
    national one again (then it is no adaptation any more). Fields not in `changed` keep their state.
    """
    adapted = list(action.adapted_fields)
    if action.origin != Origin.NATIONAL:
        return adapted
    for name in changed:
        if name not in NATIONAL_ACTION_FIELDS:
            continue
        back_to_national = has_national_value(action, name) and current_value(action, name) == national_value(
            action, name
        )
        if back_to_national and name in adapted:
            adapted.remove(name)
        elif not back_to_national and name not in adapted:
            adapted.append(name)
    return sorted(adapted, key=NATIONAL_ACTION_FIELDS.index)
