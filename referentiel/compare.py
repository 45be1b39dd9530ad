"""What changed between two versions of the referential (a draft and the published version).

Pure: takes two `loader.dump_referential` dicts, returns data (no database, no markup). Themes and
questions are matched by code, wherever they are: a question moved to another theme is one change,
not a removal and an addition. Choices are matched by position, as re-assessment carries answers over
(referentiel/carry_over.py).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .results import points_text, value_text
from .targeting import targeting_text

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    what: str  # « Texte », « Choix 2 », « Seuil »…
    before: str
    after: str


@dataclass
class QuestionDiff:
    code: str
    text: str
    status: str
    changes: list = field(default_factory=list)


@dataclass
class ThemeDiff:
    code: str
    title: str
    status: str  # ADDED, REMOVED, CHANGED (its own fields or its questions)
    changes: list = field(default_factory=list)
    questions: list = field(default_factory=list)


@dataclass
class VersionDiff:
    changes: list  # title, description
    levels: list  # Change per level field
    themes: list  # ThemeDiff, in the new version's order, removed themes last

    @property
    def is_empty(self):
        return not (self.changes or self.levels or self.themes)

    @property
    def question_counts(self):
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        for theme in self.themes:
            for question in theme.questions:
                counts[question.status] += 1
        return counts


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)


def _field_changes(before, after, fields):
    return [
        Change(label, _text(before.get(key)), _text(after.get(key)))
        for key, label in fields
        if _text(before.get(key)) != _text(after.get(key))
    ]


def _points(value):
    return points_text(value, value_text(value))


def _choice_text(choice):
    return _("%(label)s (%(points)s)") % {"label": choice["label"], "points": _points(choice["points"])}


def _bands_text(bands):
    def bound(value):
        return "…" if value is None else value_text(value)

    return " ; ".join(
        _("%(min)s à %(max)s : %(points)s")
        % {"min": bound(b["min"]), "max": bound(b["max"]), "points": _points(b["points"])}
        for b in bands or []
    )


def _question_changes(before, after, theme_before, theme_after):
    fields = [
        ("text", _("Texte")),
        ("help_text", _("Aide")),
        ("kind", _("Type")),
        ("weight", _("Poids")),
        ("unit", _("Unité")),
        ("allow_not_applicable", _("« Non concerné » possible")),
    ]
    changes = _field_changes(before, after, fields)
    if theme_before["code"] != theme_after["code"]:
        changes.insert(0, Change(_("Thème"), theme_before["title"], theme_after["title"]))
    whom = [targeting_text(q.get("organisation_kinds"), q.get("headcount_bands")) or _("tous") for q in (before, after)]
    if whom[0] != whom[1]:
        changes.append(Change(_("Pour qui"), *whom))
    old_choices, new_choices = before.get("choices") or [], after.get("choices") or []
    for index in range(max(len(old_choices), len(new_choices))):
        old = _choice_text(old_choices[index]) if index < len(old_choices) else ""
        new = _choice_text(new_choices[index]) if index < len(new_choices) else ""
        if old != new:
            changes.append(Change(_("Choix %(number)s") % {"number": index + 1}, old, new))
    if _bands_text(before.get("bands")) != _bands_text(after.get("bands")):
        changes.append(Change(_("Tranches"), _bands_text(before.get("bands")), _bands_text(after.get("bands"))))
    return changes


def _questions(dump):
    """code → (question, its theme), over every theme."""
    return {question["code"]: (question, theme) for theme in dump["themes"] for question in theme["questions"]}


def _level_changes(before, after):
    old = {level["rank"]: level for level in before["levels"]}
    new = {level["rank"]: level for level in after["levels"]}
    changes = []
    for rank in sorted(old.keys() | new.keys()):
        label = _("Niveau %(rank)s") % {"rank": rank}
        if rank not in new:
            changes.append(Change(label, old[rank]["name"], ""))
        elif rank not in old:
            changes.append(Change(label, "", new[rank]["name"]))
        else:
            for key, what in (("name", _("nom")), ("threshold", _("seuil")), ("description", _("description"))):
                if _text(old[rank].get(key)) != _text(new[rank].get(key)):
                    changes.append(Change(f"{label}, {what}", _text(old[rank].get(key)), _text(new[rank].get(key))))
    return changes


def compare_versions(before, after):
    """What `after` (the draft) changes in `before` (the published version)."""
    old_questions, new_questions = _questions(before), _questions(after)
    old_themes = {theme["code"]: theme for theme in before["themes"]}
    new_themes = {theme["code"]: theme for theme in after["themes"]}
    themes = []
    for theme in after["themes"]:
        previous = old_themes.get(theme["code"])
        diff = ThemeDiff(theme["code"], theme["title"], ADDED if previous is None else CHANGED)
        if previous is not None:
            diff.changes = _field_changes(previous, theme, [("title", _("Titre")), ("description", _("Description"))])
        for question in theme["questions"]:
            if question["code"] not in old_questions:
                diff.questions.append(QuestionDiff(question["code"], question["text"], ADDED))
                continue
            old, old_theme = old_questions[question["code"]]
            changes = _question_changes(old, question, old_theme, theme)
            if changes:
                diff.questions.append(QuestionDiff(question["code"], question["text"], CHANGED, changes))
        if previous is not None:
            for question in previous["questions"]:
                if question["code"] not in new_questions:
                    diff.questions.append(QuestionDiff(question["code"], question["text"], REMOVED))
        if diff.status == ADDED or diff.changes or diff.questions:
            themes.append(diff)
    for theme in before["themes"]:
        if theme["code"] not in new_themes:
            removed = ThemeDiff(theme["code"], theme["title"], REMOVED)
            removed.questions = [
                QuestionDiff(q["code"], q["text"], REMOVED)
                for q in theme["questions"]
                if q["code"] not in new_questions
            ]
            themes.append(removed)
    return VersionDiff(
        changes=_field_changes(before, after, [("title", _("Titre")), ("description", _("Description"))]),
        levels=_level_changes(before, after),
        themes=themes,
    )
