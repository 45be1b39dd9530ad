"""Forms of the referential editor. They check input; referentiel/authoring.py decides what may change."""

import re

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm, DsfrModelForm
from assett.icons import THEME_ICONS
from organisations.enums import HeadcountBand, OrganisationKind

from .codes import RESERVED_THEME_CODES, code_problem
from .models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme

COLOR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _clean_code(form, reserved=frozenset()):
    """The code rule of referentiel/codes.py, shown beside the field (the services check it again)."""
    code = form.cleaned_data["code"].strip()
    message = code_problem(code, form._meta.model._meta.get_field("code").max_length, reserved=reserved)
    if message:
        raise forms.ValidationError(capfirst(message))
    return code


class VersionInfoForm(DsfrModelForm):
    class Meta:
        model = ReferentialVersion
        fields = ["title", "label", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class LevelForm(DsfrModelForm):
    class Meta:
        model = MaturityLevel
        fields = ["name", "description", "threshold"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "threshold": _(
                "Score global (sur 100) à partir duquel ce niveau est atteint. Le premier niveau commence à 0, "
                "les suivants ont des seuils strictement croissants."
            )
        }


class ThemeForm(DsfrModelForm):
    # A list rather than a name to type: the platform ships only these icons (assett/icons.py).
    icon = forms.ChoiceField(
        label=_("Icône"),
        help_text=_("Facultatif : l'icône affichée à côté du thème."),
        required=False,
        choices=[("", _("Aucune")), *THEME_ICONS.items()],
        error_messages={"invalid_choice": _("Choisissez une icône de la liste.")},
    )

    class Meta:
        model = Theme
        fields = ["code", "title", "description", "color", "icon"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "code": _("Court et unique dans la version, par exemple ENE. Lettres sans accent, chiffres, - et _."),
            "color": _("Facultatif, au format #RRVVBB, par exemple #B34000."),
        }

    def clean_code(self):
        return _clean_code(self, reserved=RESERVED_THEME_CODES)

    def clean_color(self):
        color = self.cleaned_data["color"].strip()
        if color and not COLOR_PATTERN.match(color):
            raise forms.ValidationError(_("Indiquez une couleur au format #RRVVBB, par exemple #B34000."))
        return color


class QuestionForm(DsfrModelForm):
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Types d'organisation concernés"),
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Aucune case cochée : la question est posée à tous les types."),
    )
    headcount_bands = forms.MultipleChoiceField(
        label=_("Tranches d'effectif concernées"),
        choices=HeadcountBand.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Aucune case cochée : la question est posée quelle que soit la taille."),
    )

    class Meta:
        model = Question
        fields = [
            "theme",
            "code",
            "text",
            "help_text",
            "kind",
            "weight",
            "unit",
            "allow_not_applicable",
            "organisation_kinds",
            "headcount_bands",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "help_text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "code": _("Unique dans la version, par exemple ENE-07."),
            "help_text": _("Explique la pratique attendue ; affichée sous la question."),
            "kind": _(
                "Échelle : un choix parmi des pratiques de la moins à la plus mature. Choix multiples : plusieurs "
                "cases. Oui / non : deux choix créés d'office. Indicateur chiffré : une valeur, notée par tranches."
            ),
            "weight": _("Importance de la question dans le score du thème (0 : suivie mais non notée)."),
            "unit": _("Pour un indicateur chiffré seulement, par exemple kWh/an ou %."),
        }

    def __init__(self, *args, version, with_theme=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_theme:
            self.fields["theme"].label = _("Thème")
            self.fields["theme"].queryset = Theme.objects.filter(version=version).order_by("order", "pk")
            self.fields["theme"].empty_label = None
        else:
            del self.fields["theme"]

    def clean_code(self):
        return _clean_code(self)

    def clean(self):
        data = super().clean()
        if data.get("kind") == "numeric" and not (data.get("unit") or "").strip():
            self.add_error("unit", _("Un indicateur chiffré a une unité, par exemple kWh/an."))
        return data


class ChoiceForm(DsfrModelForm):
    class Meta:
        model = Choice
        fields = ["label", "points"]
        widgets = {"label": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"points": _("Sur une échelle, les points croissent du premier au dernier choix.")}


class BandForm(DsfrModelForm):
    class Meta:
        model = NumericBand
        fields = ["min_value", "max_value", "points"]
        help_texts = {
            "min_value": _("Inclus ; vide : pas de minimum."),
            "max_value": _("Exclu ; vide : pas de maximum."),
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low >= high:
            self.add_error("max_value", _("Le maximum doit être supérieur au minimum."))
        return data


class PreviewForm(DsfrForm):
    kind = forms.ChoiceField(
        label=_("Type d'organisation"),
        choices=OrganisationKind.choices,
        initial=OrganisationKind.ENTREPRISE,
        widget=forms.RadioSelect,
    )
    headcount_band = forms.ChoiceField(
        label=_("Tranche d'effectif (facultatif)"),
        choices=[("", _("Toutes les tailles"))] + HeadcountBand.choices,
        required=False,
        help_text=_("Sans tranche choisie, les questions réservées à certaines tailles sont affichées et signalées."),
    )
    points = forms.BooleanField(
        label=_("Afficher les points de chaque réponse"),
        required=False,
        help_text=_("Les participants ne les voient pas."),
    )
