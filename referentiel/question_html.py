"""HTML of one question of the questionnaire, and of its « enregistré » status line.

Built in Python rather than with nested template includes: a theme page shows up to a
dozen of these, and they are the bulk of its markup. The referential's own texts (question,
help, choice labels) are escaped once per loaded structure and kept on the question; what
changes per request (ticks, comment, value, status) is escaped here, with `html.escape`,
which is what Django's escape does minus its lazy-string machinery, the main cost of the
page when every value went through `format_html` (bench/bench_questionnaire.py).
The markup is the DSFR's fieldset, radio and checkbox groups; htmx attributes save the
question as soon as it changes.
"""

from dataclasses import dataclass
from html import escape

from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from assett.dates import french_date

from .enums import QuestionKind
from .forms import NOT_APPLICABLE


@dataclass(frozen=True)
class _Texts:
    """A question's own texts, escaped: they only change in a draft, whose structure is reloaded."""

    text: str
    help_text: str
    labels: dict  # choice value (str) → escaped label


def _texts(question):
    texts = getattr(question, "_escaped_texts", None)
    if texts is None:
        texts = _Texts(
            text=escape(question.text),
            help_text=escape(question.help_text),
            labels={str(choice.pk): escape(choice.label) for choice in question.choice_list},
        )
        question._escaped_texts = texts
    return texts


def status_html(answer, errors, user, autosaved):
    """The line under a question: its errors, or when (and by whom) it was saved."""
    if errors:
        html = "".join(f'<p class="fr-message fr-message--error">{escape(str(error))}</p>' for error in errors)
        if autosaved:
            unsaved = _("Cette réponse n'est pas enregistrée.")
            html += f'<p class="fr-message">{escape(unsaved)}</p>'
        return mark_safe(html)  # noqa: S308 — every value above is escaped
    if answer is None:
        return mark_safe("")  # noqa: S308 — a constant empty string
    when = localtime(answer.answered_at)
    if answer.to_confirm and not autosaved:
        text = _(
            "À confirmer : réponse reprise de votre auto-évaluation précédente (donnée le %(date)s). "
            "Modifiez-la, ou gardez-la avec « Enregistrer et continuer »."
        ) % {"date": french_date(when)}
        return mark_safe(f'<p class="fr-message fr-message--info">{escape(text)}</p>')  # noqa: S308
    if autosaved:
        text = _("Enregistré à %(time)s") % {"time": date_format(when, "H:i")}
    else:
        text = _("Enregistré le %(date)s à %(time)s") % {
            "date": french_date(when),
            "time": date_format(when, "H:i"),
        }
        if answer.answered_by_id and answer.answered_by_id != user.pk:
            text += " " + _("par %(person)s") % {"person": answer.answered_by}
    return mark_safe(f'<p class="fr-message fr-message--valid">{escape(text)}</p>')  # noqa: S308


def _changed_html(block):
    if not getattr(block, "changed", False):
        return ""
    text = _("Cette question a changé depuis votre auto-évaluation précédente : sa réponse n'a pas été reprise.")
    return f'<p class="fr-message fr-message--info">{escape(text)}</p>'


def _box(input_type, input_id, name, value, label, checked, described):
    """One DSFR radio or checkbox; `label` is already escaped, ids and names are « q<id>-… »."""
    group = "fr-checkbox-group" if input_type == "checkbox" else "fr-radio-group"
    ticked = " checked" if checked else ""
    return (
        f'<div class="fr-fieldset__element"><div class="{group}">'
        f'<input type="{input_type}" id="{input_id}" name="{name}" value="{value}"{ticked}{described}>'
        f'<label class="fr-label" for="{input_id}">{label}</label></div></div>'
    )


def _choice_inputs(p, form, question, texts, described):
    multiple = question.kind == QuestionKind.MULTIPLE
    input_type = "checkbox" if multiple else "radio"
    labels = texts.labels
    if not multiple and question.allow_not_applicable:
        labels = {**labels, NOT_APPLICABLE: escape(_("Non concerné"))}
    selected = form.selected
    return "".join(
        _box(input_type, f"{p}-choice-{value}", f"{p}-choice", value, label, value in selected, described)
        for value, label in labels.items()
    )


def _checkbox(p, name, label, checked, described):
    return _box("checkbox", f"{p}-{name}", f"{p}-{name}", "on", escape(label), checked, described)


def _completed_actions_html(titles):
    """The plan's actions completed since the last assessment that answer this question: a nudge to re-answer."""
    quoted = get_text_list([f"« {title} »" for title in titles], _("et"))
    text = _("Vous avez réalisé %(actions)s : votre pratique a-t-elle changé ?") % {"actions": quoted}
    return f'<div class="fr-fieldset__element"><p class="fr-message fr-message--info fr-mb-1w">{escape(text)}</p></div>'


# A typed value or comment is saved once typing pauses.
TYPING_AUTOSAVE = 'data-hx-trigger="keyup changed delay:800ms" data-hx-sync="closest fieldset:queue last"'


def question_html(block, user):
    """One question as a DSFR fieldset; `block` carries the question, its AnswerForm or SavedAnswer,
    its number and the URL of its autosave."""
    question, form = block.question, block.form
    texts = _texts(question)
    p = form.prefix  # « q<id> »: safe in attributes as it is
    errors = form.error_messages
    url = block.autosave_url

    def autosave(attributes):
        # The staff's preview (no autosave URL) shows the same question, saving nothing and loading no htmx.
        return f' data-hx-post="{url}" {attributes}' if url else ""

    # Errors are announced with the input they concern.
    described = f' aria-describedby="{p}-status"' if errors else ""
    error_class = " fr-fieldset--error" if errors else ""
    fieldset_autosave = autosave(
        f'data-hx-trigger="change" data-hx-target="#{p}-status" data-hx-swap="innerHTML" data-hx-sync="this:queue last"'
    )
    parts = [
        f'<fieldset class="fr-fieldset{error_class}" id="question-{question.pk}"{fieldset_autosave}>'
        f'<legend class="fr-fieldset__legend" id="{p}-legend">{block.number}. {texts.text}</legend>'
    ]
    if block.completed_actions:
        parts.append(_completed_actions_html(block.completed_actions))
    if texts.help_text:
        parts.append(
            '<div class="fr-fieldset__element"><details class="fr-mb-1w">'
            f'<summary class="fr-text--sm">{escape(_("Comprendre la question"))}</summary>'
            f'<p class="fr-hint-text fr-mt-1w">{texts.help_text}</p></details></div>'
        )
    if question.kind == QuestionKind.NUMERIC:
        label = escape(_("Valeur (en %(unit)s)") % {"unit": question.unit} if question.unit else _("Valeur"))
        invalid = ' aria-invalid="true"' if errors else ""
        group_error = " fr-input-group--error" if errors else ""
        parts.append(
            f'<div class="fr-fieldset__element"><div class="fr-input-group{group_error}">'
            f'<label class="fr-label" for="{p}-value">{label}'
            f'<span class="fr-hint-text">{escape(_("Un nombre, par exemple 12 500 ou 12,5."))}</span></label>'
            f'<input class="fr-input{" fr-input--error" if errors else ""}" type="text" inputmode="decimal" '
            f'autocomplete="off" id="{p}-value" name="{p}-value" value="{escape(form.value_text)}"{invalid} '
            f'aria-describedby="{p}-status"{autosave(TYPING_AUTOSAVE)}></div></div>'
        )
    else:
        parts.append(_choice_inputs(p, form, question, texts, described))
        if question.kind == QuestionKind.MULTIPLE:
            parts.append(_checkbox(p, "none", _("Aucune de ces pratiques"), form.explicit_none, described))
    if question.allow_not_applicable and question.kind in (QuestionKind.NUMERIC, QuestionKind.MULTIPLE):
        parts.append(_checkbox(p, "na", _("Non concerné"), form.not_applicable, described))
    comment = form.comment_text
    summary = _("Commentaire") if comment else _("Ajouter un commentaire")
    hint = _(
        "Pour préciser votre réponse. Vos collègues et l'équipe du territoire le liront (2 000 caractères au plus)."
    )
    parts.append(
        f'<div class="fr-fieldset__element"><details{" open" if comment else ""}>'
        f'<summary class="fr-text--sm">{escape(summary)}</summary>'
        f'<div class="fr-input-group fr-mt-1w"><label class="fr-label" for="{p}-comment">'
        f'{escape(_("Commentaire (facultatif)"))}<span class="fr-hint-text">{escape(hint)}</span></label>'
        f'<textarea class="fr-input" id="{p}-comment" name="{p}-comment" rows="3" maxlength="2000"'
        f"{autosave(TYPING_AUTOSAVE)}>"
        f"{escape(comment)}</textarea></div></details></div>"
    )
    parts.append(
        f'<div class="fr-messages-group" id="{p}-status" aria-live="polite">'
        f"{_changed_html(block)}{status_html(block.answer, errors, user, autosaved=False)}</div></fieldset>"
    )
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
