"""HTML of one question of the questionnaire, and of its « enregistré » status line.

Built in Python rather than with nested template includes: a theme page shows up to a
dozen of these, and through the template engine they were two thirds of the page's
rendering time (bench/bench_questionnaire.py). The markup is the DSFR's fieldset, radio
and checkbox groups; htmx attributes save the question as soon as it changes.
"""

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .enums import QuestionKind


def status_html(answer, errors, user, autosaved):
    """The line under a question: its errors, or when (and by whom) it was saved."""
    if errors:
        html = format_html_join("", '<p class="fr-message fr-message--error">{}</p>', ((error,) for error in errors))
        if autosaved:
            html += format_html('<p class="fr-message">{}</p>', _("Cette réponse n'est pas enregistrée."))
        return html
    if answer is None:
        return mark_safe("")  # noqa: S308 — a constant empty string
    when = localtime(answer.answered_at)
    if autosaved:
        text = _("Enregistré à %(time)s") % {"time": date_format(when, "H:i")}
    else:
        text = _("Enregistré le %(date)s à %(time)s") % {
            "date": date_format(when, "j F Y"),
            "time": date_format(when, "H:i"),
        }
        if answer.answered_by_id and answer.answered_by_id != user.pk:
            text += " " + _("par %(person)s") % {"person": answer.answered_by}
    return format_html('<p class="fr-message fr-message--valid">{}</p>', text)


def _choice_inputs(p, form, kind, described):
    input_type, group = (
        ("checkbox", "fr-checkbox-group") if kind == QuestionKind.MULTIPLE else ("radio", "fr-radio-group")
    )
    return format_html_join(
        "",
        '<div class="fr-fieldset__element"><div class="{}">'
        '<input type="{}" id="{}-choice-{}" name="{}-choice" value="{}"{}{}>'
        '<label class="fr-label" for="{}-choice-{}">{}</label></div></div>',
        (
            (
                group,
                input_type,
                p,
                value,
                p,
                value,
                mark_safe(" checked") if checked else "",
                described,
                p,
                value,
                label,
            )  # noqa: S308
            for value, label, checked in form.options
        ),
    )


def _checkbox(p, name, label, checked, described):
    return format_html(
        '<div class="fr-fieldset__element"><div class="fr-checkbox-group">'
        '<input type="checkbox" id="{}-{}" name="{}-{}" value="on"{}{}>'
        '<label class="fr-label" for="{}-{}">{}</label></div></div>',
        p,
        name,
        p,
        name,
        mark_safe(" checked") if checked else "",
        described,
        p,
        name,
        label,  # noqa: S308
    )


def question_html(block, assessment, user):
    """One question as a DSFR fieldset; `block` carries the question, its AnswerForm and its number."""
    question, form = block.question, block.form
    p = form.prefix
    errors = form.error_messages
    url = reverse("referentiel:autosave", args=[assessment.pk, question.pk])
    # Errors are announced with the input they concern.
    described = format_html(' aria-describedby="{}-status"', p) if errors else ""
    parts = [
        format_html(
            '<fieldset class="fr-fieldset{}" id="question-{}" hx-post="{}" hx-trigger="change" '
            'hx-target="#{}-status" hx-swap="innerHTML" hx-sync="this:queue last">'
            '<legend class="fr-fieldset__legend" id="{}-legend">{}. {}</legend>',
            " fr-fieldset--error" if errors else "",
            question.pk,
            url,
            p,
            p,
            block.number,
            question.text,
        )
    ]
    if question.help_text:
        parts.append(
            format_html(
                '<div class="fr-fieldset__element"><details class="fr-mb-1w">'
                '<summary class="fr-text--sm">{}</summary><p class="fr-hint-text fr-mt-1w">{}</p></details></div>',
                _("Comprendre la question"),
                question.help_text,
            )
        )
    if question.kind == QuestionKind.NUMERIC:
        label = _("Valeur (en %(unit)s)") % {"unit": question.unit} if question.unit else _("Valeur")
        parts.append(
            format_html(
                '<div class="fr-fieldset__element"><div class="fr-input-group{}">'
                '<label class="fr-label" for="{}-value">{}<span class="fr-hint-text">{}</span></label>'
                '<input class="fr-input{}" type="text" inputmode="decimal" autocomplete="off" id="{}-value" '
                'name="{}-value" value="{}"{} aria-describedby="{}-status" hx-post="{}" '
                'hx-trigger="keyup changed delay:800ms" hx-sync="closest fieldset:queue last"></div></div>',
                " fr-input-group--error" if errors else "",
                p,
                label,
                _("Un nombre, par exemple 12 500 ou 12,5."),
                " fr-input--error" if errors else "",
                p,
                p,
                form.value_text,
                mark_safe(' aria-invalid="true"') if errors else "",
                p,
                url,  # noqa: S308
            )
        )
    else:
        parts.append(_choice_inputs(p, form, question.kind, described))
        if question.kind == QuestionKind.MULTIPLE:
            parts.append(_checkbox(p, "none", _("Aucune de ces pratiques"), form.explicit_none, described))
    if question.allow_not_applicable and question.kind in (QuestionKind.NUMERIC, QuestionKind.MULTIPLE):
        parts.append(_checkbox(p, "na", _("Non concerné"), form.not_applicable, described))
    comment = form.comment_text
    parts.append(
        format_html(
            '<div class="fr-fieldset__element"><details{}><summary class="fr-text--sm">{}</summary>'
            '<div class="fr-input-group fr-mt-1w"><label class="fr-label" for="{}-comment">{}'
            '<span class="fr-hint-text">{}</span></label>'
            '<textarea class="fr-input" id="{}-comment" name="{}-comment" rows="3" maxlength="2000" hx-post="{}" '
            'hx-trigger="keyup changed delay:800ms" hx-sync="closest fieldset:queue last">{}</textarea>'
            "</div></details></div>",
            mark_safe(" open") if comment else "",  # noqa: S308
            _("Commentaire") if comment else _("Ajouter un commentaire"),
            p,
            _("Commentaire (facultatif)"),
            _("Pour préciser votre réponse, à votre intention et à celle de vos collègues (2 000 caractères au plus)."),
            p,
            p,
            url,
            comment,
        )
    )
    parts.append(
        format_html(
            '<div class="fr-messages-group" id="{}-status" aria-live="polite">{}</div></fieldset>',
            p,
            status_html(block.answer, errors, user, autosaved=False),
        )
    )
    return mark_safe("".join(parts))  # noqa: S308 — every part above is escaped by format_html
