"""The toolbox list's search box and filters (a GET form: every state of the list has its URL)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm
from organisations.enums import OrganisationKind

from .enums import CostBand, Duration
from .search import MAX_QUERY_LENGTH, Filters, clean_query

# « au plus »: the last band of each would be no filter at all.
DURATION_CHOICES = [
    ("", _("Toutes les durées")),
    (Duration.DAYS, _("Quelques jours")),
    (Duration.WEEKS, _("Quelques semaines au plus")),
    (Duration.MONTHS, _("Quelques mois au plus")),
]
COST_CHOICES = [
    ("", _("Tous les coûts")),
    (CostBand.FREE, _("Sans coût")),
    (CostBand.LOW, _("Moins de 1 000 €")),
    (CostBand.MEDIUM, _("10 000 € au plus")),
]


class SearchField(forms.CharField):
    """Control characters (a NUL byte would make PostgreSQL refuse the query) are never meant: they
    are dropped from what is searched and from what the box shows again."""

    def to_python(self, value):
        return clean_query(super().to_python(value))

    def prepare_value(self, value):
        return clean_query(value) if isinstance(value, str) else value


class BrowseForm(DsfrForm):
    q = SearchField(
        label=_("Rechercher une action"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Des mots du titre, de la description ou des étapes (par exemple : déchets, chauffage)."),
    )
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    level = forms.TypedChoiceField(label=_("Niveau de maturité"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Type d'organisation"), required=False, choices=[("", _("Tous"))] + OrganisationKind.choices
    )
    duration = forms.ChoiceField(label=_("Durée de mise en œuvre"), required=False, choices=DURATION_CHOICES)
    cost = forms.ChoiceField(label=_("Coût"), required=False, choices=COST_CHOICES)
    free_support = forms.BooleanField(label=_("Avec un accompagnement gratuit"), required=False)

    def __init__(self, data, *, labels):
        super().__init__(data)
        self.fields["theme"].choices = [("", _("Tous les thèmes")), *labels.themes.items()]
        self.fields["level"].choices = [("", _("Tous les niveaux")), *labels.levels.items()]

    def filters(self):
        """The valid choices as Filters; an invalid field (its error is shown) filters nothing."""
        data = self.cleaned_data if self.is_bound else {}
        return Filters(
            theme=data.get("theme") or "",
            level=data.get("level"),
            organisation_kind=data.get("kind") or "",
            duration=data.get("duration") or "",
            cost=data.get("cost") or "",
            free_support=bool(data.get("free_support")),
        )

    def query(self):
        return (self.cleaned_data.get("q") or "") if self.is_bound else ""
