"""Territory staff adapt the referential: a draft copied from the published version, edited, then published.

Only a draft can change. Every write here locks the version row and refuses anything
but a draft with an AuthoringError, so a published or archived version — the one
assessments were made against — never changes, even when someone publishes the draft
while a colleague still has an edit page open. Publishing validates the draft with
the importer's own rules (loader.validate_referential on loader.dump_referential), so
a referential built in the back office obeys exactly what an imported file must.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assett.problems import Problem
from tenants.links import current_territory

from .codes import RESERVED_THEME_CODES, code_problem
from .constants import NATIONAL_TITLE
from .enums import QuestionKind, VersionStatus
from .loader import ReferentialFormatError, dump_referential, load_referential, validate_referential
from .models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme

UP, DOWN = "up", "down"

VERSION_FIELDS = {"title", "label", "description"}
LEVEL_FIELDS = {"name", "description", "threshold"}
THEME_FIELDS = {"code", "title", "description", "color", "icon"}
QUESTION_FIELDS = {
    "theme",
    "code",
    "text",
    "help_text",
    "kind",
    "weight",
    "organisation_kinds",
    "headcount_bands",
    "allow_not_applicable",
    "unit",
}
CHOICE_FIELDS = {"label", "points"}
BAND_FIELDS = {"min_value", "max_value", "points"}


class AuthoringError(Exception):
    """A refused change; the French message (and, on publication, every problem) is shown to staff as is."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(message)


def locked_message(version):
    if version.status == VersionStatus.ARCHIVED:
        return _("Cette version est archivée : elle ne peut plus être modifiée.")
    return _(
        "Cette version est publiée : elle ne peut plus être modifiée. "
        "Créez un brouillon à partir d'elle pour la faire évoluer."
    )


def _lock_draft(version_id):
    """The version, locked until the end of the transaction; refused unless it is a draft.

    The status is read from the database, never from the caller's possibly stale instance.
    """
    try:
        version = ReferentialVersion.objects.select_for_update().get(pk=version_id)
    except ReferentialVersion.DoesNotExist:
        raise AuthoringError(_("Ce brouillon n'existe plus.")) from None
    if version.status != VersionStatus.DRAFT:
        raise AuthoringError(locked_message(version))
    return version


def _assign(instance, fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, name, value)


def _full_clean(instance):
    """Model-level checks (lengths, choices, bounds) turned into one French domain error."""
    try:
        # Uniqueness is checked by the services, with messages that name the code.
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = []
        for name, field_errors in error.message_dict.items():
            if name == "__all__":
                messages += field_errors
                continue
            label = instance._meta.get_field(name).verbose_name
            messages += [f"« {label} » : {message}" for message in field_errors]
        raise AuthoringError(" ".join(messages)) from error


def _check_code(instance, reserved=frozenset()):
    message = code_problem(instance.code, instance._meta.get_field("code").max_length, reserved=reserved)
    if message:
        raise AuthoringError(capfirst(message))


def _check_unique_code(instance, siblings, taken_message):
    """Unique in the version, case aside (codes.code_key): « ene » is refused beside « ENE »."""
    taken = siblings.filter(code__iexact=instance.code).exclude(pk=instance.pk).values_list("code", flat=True).first()
    if taken == instance.code:
        raise AuthoringError(taken_message % {"code": instance.code})
    if taken is not None:
        raise AuthoringError(
            _(
                "Le code « %(code)s » ne diffère de « %(taken)s » que par les majuscules et minuscules : "
                "choisissez-en un autre."
            )
            % {"code": instance.code, "taken": taken}
        )


def _check_unique_theme_code(theme):
    _check_code(theme, reserved=RESERVED_THEME_CODES)
    _check_unique_code(
        theme,
        Theme.objects.filter(version_id=theme.version_id),
        _("Le code de thème « %(code)s » est déjà utilisé dans cette version."),
    )


def _check_unique_question_code(question):
    _check_code(question)
    _check_unique_code(
        question,
        Question.objects.filter(version_id=question.version_id),
        _("Le code de question « %(code)s » est déjà utilisé dans cette version."),
    )


def _save(instance):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        # A colleague saved the same code between our check and our write.
        raise AuthoringError(_("Ce code vient d'être utilisé par ailleurs dans cette version.")) from error
    return instance


def _move(instance, siblings, direction):
    """Swap `instance` with its neighbour among `siblings`, renumbering orders 0..n so gaps and ties vanish."""
    if direction not in (UP, DOWN):
        raise AuthoringError(_("Sens de déplacement inconnu."))
    items = list(siblings.order_by("order", "pk"))
    index = next(i for i, item in enumerate(items) if item.pk == instance.pk)
    target = index - 1 if direction == UP else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    changed = []
    for order, item in enumerate(items):
        if item.order != order:
            item.order = order
            changed.append(item)
    type(instance).objects.bulk_update(changed, ["order"])
    instance.order = next(item.order for item in items if item.pk == instance.pk)
    return instance


def _next_order(queryset):
    last = queryset.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def suggest_label(label, taken):
    """The next version number: 2026.1 → 2026.2 within the year, the current year's first otherwise."""
    year = timezone.localdate().year
    match = re.fullmatch(r"(\d{4})\.(\d+)", label or "")
    number = int(match[2]) + 1 if match and int(match[1]) == year else 1
    while f"{year}.{number}" in taken:
        number += 1
    return f"{year}.{number}"


# ---- the version -------------------------------------------------------------------------------


def current_draft():
    return ReferentialVersion.objects.filter(status=VersionStatus.DRAFT).first()


@transaction.atomic
def start_draft(user):
    """A deep copy of the published version, as the territory's draft.

    If a draft already exists it is returned unchanged (there is one draft at a time:
    a second click, or a colleague's, lands on the same draft instead of failing).
    The copy goes through dump/load, the importer's lossless round trip, so it copies
    levels, themes, questions, choices and bands with no second copy routine to keep true.
    """
    published = ReferentialVersion.objects.select_for_update().filter(status=VersionStatus.PUBLISHED).first()
    existing = current_draft()
    if existing:
        return existing
    if published is None:
        raise AuthoringError(_("Aucune version n'est publiée : il n'y a rien à copier."))
    data = dump_referential(published)
    data["version"] = suggest_label(published.label, set(ReferentialVersion.objects.values_list("label", flat=True)))
    if data["title"] == NATIONAL_TITLE:
        data["title"] = local_title()
    try:
        return load_referential(data, created_by=user, based_on=published)
    except ReferentialFormatError as error:
        raise AuthoringError(
            _("La version publiée ne peut pas être copiée telle quelle."), problems=error.problems
        ) from error


@transaction.atomic
def discard_draft(version):
    version = _lock_draft(version.pk)
    version.delete()


@transaction.atomic
def update_version_info(version, **fields):
    locked = _lock_draft(version.pk)
    _assign(locked, fields, VERSION_FIELDS)
    _full_clean(locked)
    if ReferentialVersion.objects.filter(label=locked.label).exclude(pk=locked.pk).exists():
        raise AuthoringError(
            _("Le numéro de version « %(label)s » est déjà celui d'une autre version.") % {"label": locked.label}
        )
    locked.save(update_fields=sorted(fields))
    return locked


@transaction.atomic
def update_level(level, **fields):
    _lock_draft(level.version_id)
    level = MaturityLevel.objects.get(pk=level.pk)
    _assign(level, fields, LEVEL_FIELDS)
    if not level.name:
        raise AuthoringError(_("Le nom du niveau est obligatoire."))
    _full_clean(level)
    level.save()
    return level


def local_title():
    """A territory's own version is named for it: « Référentiel de la Communauté de communes du Haut-Poitou »."""
    title = _("Référentiel %(territory)s") % {"territory": current_territory().of_name}
    return title[: ReferentialVersion._meta.get_field("title").max_length]


def draft_problems(version):
    """Everything that stops this version from being published, each with where it is, in French."""
    dump = dump_referential(version)
    problems = list(validate_referential(dump))
    if dump["title"] == NATIONAL_TITLE:
        # Participants read the title on their results: an adapted version is not the national one.
        problems.append(
            Problem(
                _("référentiel"),
                _("le titre « %(title)s » est celui du référentiel national : donnez son titre à votre version.")
                % {"title": dump["title"]},
            )
        )
    if ReferentialVersion.objects.filter(label=version.label).exclude(pk=version.pk).exists():
        problems.append(
            Problem(
                _("référentiel"),
                _("le numéro de version « %(label)s » est déjà celui d'une autre version : changez-le.")
                % {"label": version.label},
            )
        )
    return problems


@transaction.atomic
def publish_draft(version, user):
    """Publish the draft; the published version becomes archived.

    Assessments keep pointing at the version they were started on, so those in progress
    on the now archived version can still be answered and submitted on it. `user` is
    accepted for the audit trail (the model records who created a version, not yet who
    published it).
    """
    draft = _lock_draft(version.pk)
    problems = draft_problems(draft)
    if problems:
        raise AuthoringError(
            ngettext(
                "Le brouillon ne peut pas être publié : %(count)s point à corriger.",
                "Le brouillon ne peut pas être publié : %(count)s points à corriger.",
                len(problems),
            )
            % {"count": len(problems)},
            problems=problems,
        )
    now = timezone.now()
    ReferentialVersion.objects.select_for_update().filter(status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.ARCHIVED, archived_at=now
    )
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = now
    draft.published_by = user
    draft.save(update_fields=["status", "published_at", "published_by"])
    return draft


# ---- themes --------------------------------------------------------------------------------------


@transaction.atomic
def add_theme(version, **fields):
    version = _lock_draft(version.pk)
    theme = Theme(version=version, order=_next_order(version.themes.all()))
    _assign(theme, fields, THEME_FIELDS)
    _check_unique_theme_code(theme)
    _full_clean(theme)
    return _save(theme)


@transaction.atomic
def update_theme(theme, **fields):
    _lock_draft(theme.version_id)
    theme = Theme.objects.get(pk=theme.pk)
    _assign(theme, fields, THEME_FIELDS)
    _check_unique_theme_code(theme)
    _full_clean(theme)
    return _save(theme)


@transaction.atomic
def delete_theme(theme):
    """Deletes the theme with its questions: a draft has no answers yet."""
    _lock_draft(theme.version_id)
    Theme.objects.filter(pk=theme.pk).delete()


@transaction.atomic
def move_theme(theme, direction):
    _lock_draft(theme.version_id)
    return _move(theme, Theme.objects.filter(version_id=theme.version_id), direction)


# ---- questions -----------------------------------------------------------------------------------

YES_NO_CHOICES = ((gettext_lazy("Oui"), 1), (gettext_lazy("Non"), 0))


@transaction.atomic
def add_question(theme, **fields):
    """A new question at the end of the theme; a yes/no question comes with its two choices."""
    _lock_draft(theme.version_id)
    question = Question(version_id=theme.version_id, theme=theme, order=_next_order(theme.questions.all()))
    _assign(question, fields, QUESTION_FIELDS - {"theme"})
    _check_unique_question_code(question)
    _full_clean(question)
    _save(question)
    if question.kind == QuestionKind.YESNO:
        Choice.objects.bulk_create(
            Choice(question=question, label=str(label), points=points, order=order)
            for order, (label, points) in enumerate(YES_NO_CHOICES)
        )
    return question


@transaction.atomic
def update_question(question, **fields):
    """Edit a question; moving it to another theme of the same draft puts it last there."""
    _lock_draft(question.version_id)
    question = Question.objects.get(pk=question.pk)
    old_theme_id = question.theme_id
    _assign(question, fields, QUESTION_FIELDS)
    if question.theme.version_id != question.version_id:
        raise AuthoringError(_("Ce thème n'appartient pas à ce brouillon."))
    if question.theme_id != old_theme_id:
        question.order = _next_order(Question.objects.filter(theme_id=question.theme_id))
    _check_unique_question_code(question)
    _full_clean(question)
    return _save(question)


@transaction.atomic
def delete_question(question):
    _lock_draft(question.version_id)
    Question.objects.filter(pk=question.pk).delete()


@transaction.atomic
def move_question(question, direction):
    _lock_draft(question.version_id)
    question = Question.objects.get(pk=question.pk)  # its theme as stored, not as the caller last saw it
    return _move(question, Question.objects.filter(theme_id=question.theme_id), direction)


# ---- choices and numeric bands -------------------------------------------------------------------


@transaction.atomic
def add_choice(question, **fields):
    _lock_draft(question.version_id)
    question = Question.objects.get(pk=question.pk)
    if question.kind == QuestionKind.NUMERIC:
        raise AuthoringError(_("Un indicateur chiffré n'a pas de choix : définissez plutôt des tranches de valeurs."))
    choice = Choice(question=question, order=_next_order(question.choices.all()))
    _assign(choice, fields, CHOICE_FIELDS)
    _full_clean(choice)
    choice.save()
    return choice


@transaction.atomic
def update_choice(choice, **fields):
    _lock_draft(Question.objects.filter(pk=choice.question_id).values_list("version_id", flat=True).get())
    choice = Choice.objects.get(pk=choice.pk)
    _assign(choice, fields, CHOICE_FIELDS)
    _full_clean(choice)
    choice.save()
    return choice


@transaction.atomic
def delete_choice(choice):
    _lock_draft(Question.objects.filter(pk=choice.question_id).values_list("version_id", flat=True).get())
    Choice.objects.filter(pk=choice.pk).delete()


@transaction.atomic
def move_choice(choice, direction):
    _lock_draft(Question.objects.filter(pk=choice.question_id).values_list("version_id", flat=True).get())
    return _move(choice, Choice.objects.filter(question_id=choice.question_id), direction)


@transaction.atomic
def add_band(question, **fields):
    """A value range of a numeric indicator: [min, max) → points; an empty bound is open."""
    _lock_draft(question.version_id)
    question = Question.objects.get(pk=question.pk)
    if question.kind != QuestionKind.NUMERIC:
        raise AuthoringError(_("Seul un indicateur chiffré a des tranches de valeurs."))
    band = NumericBand(question=question)
    _assign(band, fields, BAND_FIELDS)
    if band.min_value is not None and band.max_value is not None and band.min_value >= band.max_value:
        raise AuthoringError(_("Le minimum de la tranche doit être inférieur à son maximum."))
    _full_clean(band)
    band.save()
    return band


@transaction.atomic
def delete_band(band):
    _lock_draft(Question.objects.filter(pk=band.question_id).values_list("version_id", flat=True).get())
    NumericBand.objects.filter(pk=band.pk).delete()
