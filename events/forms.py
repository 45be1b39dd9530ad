"""The participants' forms: the agenda's filters (GET) and the feedback form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm

from .enums import EventKind
from .feedback import MAX_TEXT, FeedbackInput

UPCOMING, PAST = "a-venir", "passes"


class AgendaFilterForm(DsfrForm):
    period = forms.ChoiceField(
        label=_("Période"),
        required=False,
        choices=[(UPCOMING, _("À venir")), (PAST, _("Passés"))],
    )
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    kind = forms.ChoiceField(label=_("Type d'événement"), required=False, choices=[("", _("Tous"))] + EventKind.choices)

    def __init__(self, data, *, themes):
        super().__init__(data)
        self.fields["theme"].choices = [("", _("Tous les thèmes")), *themes.items()]

    def filters(self):
        """The valid filters; an invalid one (its error is shown) filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("period") or UPCOMING, data.get("theme") or "", data.get("kind") or ""


SATISFACTION_CHOICES = [
    (1, _("1 – pas du tout satisfait·e")),
    (2, _("2 – peu satisfait·e")),
    (3, _("3 – assez satisfait·e")),
    (4, _("4 – satisfait·e")),
    (5, _("5 – très satisfait·e")),
]


class FeedbackForm(DsfrForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Votre satisfaction"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5.")},
    )
    keep = forms.CharField(
        label=_("Ce qu'il faut garder"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    change = forms.CharField(
        label=_("Ce qu'il faut changer"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def to_input(self):
        data = self.cleaned_data
        return FeedbackInput(data["satisfaction"], data.get("keep", ""), data.get("change", ""))
