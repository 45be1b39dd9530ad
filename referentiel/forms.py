"""Parsing of the questionnaire's inputs into services.AnswerInput.

Every input of a question is namespaced by its id (q<id>-choice, q<id>-value,
q<id>-na, q<id>-none, q<id>-comment) so that one page can hold a whole theme and
the autosave endpoint can pick one question out of the same POST.

For a ladder or yes/no question, « non concerné » is one more radio of the same
group (q<id>-choice=na): a radio cannot be unticked without JavaScript, so a
separate checkbox would leave people stuck with a contradictory answer.
A q<id>-na checkbox is what multiple-choice and numeric questions use.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import QuestionKind
from .services import AnswerInput, value_problem

NOT_APPLICABLE = "na"
# Answer.value is a DecimalField(max_digits=14, decimal_places=3).
MAX_VALUE = Decimal("99999999999.999")
_THOUSANDS_SEPARATORS = re.compile(r"[\s\u00a0\u202f']")


def prefix_for(question):
    return f"q{question.pk}"


class FrenchDecimalField(forms.CharField):
    """A number as people type it in French: « 12,5 », « 12 500 », « 1 250,75 »."""

    default_error_messages = {
        "invalid": _("Indiquez un nombre."),
        "negative": _("Indiquez un nombre positif ou nul."),
        "too_large": _("Indiquez un nombre inférieur à 100 milliards."),
    }

    def to_python(self, value):
        text = _THOUSANDS_SEPARATORS.sub("", super().to_python(value)).replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():  # Decimal() accepts « NaN » and « Infinity »
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if number < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        number = number.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        if number > MAX_VALUE:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return number


class AnswerForm(forms.Form):
    """One question's posted inputs. `answer` is the saved Answer (or None): what they replace."""

    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Le commentaire ne doit pas dépasser 2 000 caractères.")},
    )
    na = forms.BooleanField(label=_("Non concerné"), required=False)

    def __init__(self, question, data, answer=None):
        super().__init__(data=data, prefix=prefix_for(question))
        self.question = question
        self.answer = answer
        choices = [(str(choice.pk), choice.label) for choice in question.choice_list]
        if question.kind == QuestionKind.MULTIPLE:
            self.fields["choice"] = forms.MultipleChoiceField(choices=choices, required=False)
            self.fields["none"] = forms.BooleanField(label=_("Aucune de ces pratiques"), required=False)
        elif question.kind == QuestionKind.NUMERIC:
            self.fields["value"] = FrenchDecimalField(required=False)
        else:
            # Always accepted here so that clean() can explain a refused « non concerné ».
            choices.append((NOT_APPLICABLE, _("Non concerné")))
            self.fields["choice"] = forms.ChoiceField(choices=choices, required=False)

    def clean(self):
        data = super().clean()
        question = self.question
        choice = data.get("choice")
        picked = [] if not choice else [choice] if isinstance(choice, str) else list(choice)
        not_applicable = bool(data.get("na")) or NOT_APPLICABLE in picked
        picked = [pk for pk in picked if pk != NOT_APPLICABLE]
        value = data.get("value")
        explicit_none = bool(data.get("none"))
        if not_applicable and not question.allow_not_applicable:
            raise forms.ValidationError(
                _("La réponse « non concerné » n'est pas possible pour cette question."), code="not_applicable"
            )
        if not_applicable and (picked or value is not None or explicit_none):
            raise forms.ValidationError(
                _("Répondez à la question ou cochez « Non concerné », pas les deux."), code="contradiction"
            )
        if explicit_none and picked:
            raise forms.ValidationError(
                _("Cochez des pratiques ou « Aucune de ces pratiques », pas les deux."), code="contradiction"
            )
        problem = value_problem(question, value)
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")
        self.answer_input = AnswerInput(
            choice_ids=tuple(sorted(int(pk) for pk in picked)),
            value=value,
            not_applicable=not_applicable,
            explicit_none=explicit_none,
            comment=data.get("comment", ""),
        )
        return data

    @property
    def error_messages(self):
        """Every error of the question, field errors included, in one flat list."""
        return [message for messages in self.errors.values() for message in messages]

    def needs_saving(self):
        """Whether the valid input differs from the saved answer (so that re-posting a page stamps nothing)."""
        data = self.answer_input
        answer = self.answer
        if answer is None:
            return data != AnswerInput()
        return data != AnswerInput(
            choice_ids=tuple(sorted(answer.choice_ids)),
            value=answer.value,
            not_applicable=answer.not_applicable,
            explicit_none=answer.explicit_none,
            comment=answer.comment,
        )

    # What the page shows again after an error: the posted input (SavedAnswer shows the saved one).

    @property
    def selected(self):
        """Ids (as strings) of the ticked choices, « na » included for radio questions."""
        raw = self.data.getlist(self.add_prefix("choice"))
        if self._posted("na") and self.question.kind != QuestionKind.MULTIPLE:
            raw = [*raw, NOT_APPLICABLE]
        return set(raw)

    @property
    def not_applicable(self):
        return self._posted("na")

    @property
    def explicit_none(self):
        return self._posted("none")

    def _posted(self, name):
        """A ticked checkbox, read the way forms.BooleanField reads it."""
        return (
            self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if name in self.fields
            else False
        )

    @property
    def value_text(self):
        return self.data.get(self.add_prefix("value"), "")

    @property
    def comment_text(self):
        return self.data.get(self.add_prefix("comment"), "")


class SavedAnswer:
    """A question as saved (or not yet answered), read through the same properties as a posted AnswerForm.

    Displaying a question needs no form: building a Django form for each question of the
    page only to read its saved answer back was a tenth of the questionnaire page's time.
    """

    error_messages = ()

    def __init__(self, question, answer):
        self.question = question
        self.answer = answer
        self.prefix = prefix_for(question)

    @property
    def selected(self):
        if self.answer is None:
            return set()
        selected = {str(pk) for pk in self.answer.choice_ids}
        if self.answer.not_applicable:
            selected.add(NOT_APPLICABLE)
        return selected

    @property
    def not_applicable(self):
        return bool(self.answer and self.answer.not_applicable)

    @property
    def explicit_none(self):
        return bool(self.answer and self.answer.explicit_none)

    @property
    def value_text(self):
        if self.answer is None or self.answer.value is None:
            return ""
        return format_decimal(self.answer.value)

    @property
    def comment_text(self):
        return self.answer.comment if self.answer else ""


def format_decimal(value):
    """12500.500 → « 12500,5 »: what a French speaker typed, without useless zeros."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")
