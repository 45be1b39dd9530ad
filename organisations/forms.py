from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from assett import communes
from assett.forms import DsfrForm, DsfrModelForm
from tenants.links import current_territory

from .constants import JOIN_SEARCH_MIN_LENGTH
from .enums import HeadcountBand, OrganisationKind
from .models import Organisation
from .naf import SECTIONS, normalize_naf
from .registration import ALREADY_REGISTERED, registered_organisation
from .search import normalize_search_text
from .validators import normalize_identifier


class OrganisationForm(DsfrModelForm):
    # Longer than the stored 14/9 digits: people paste "732 829 320 00074"; clean_* normalises.
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 chiffres, sur l'avis de situation SIRENE ou annuaire-entreprises.data.gouv.fr."),
    )
    siren = forms.CharField(
        label=_("SIREN"),
        max_length=12,
        required=False,
        help_text=_("Seulement pour une association sans SIRET : 9 chiffres."),
    )

    postal_code = forms.CharField(
        label=_("Code postal"),
        max_length=5,
        help_text=_("5 chiffres : la liste des communes de ce code postal s'affiche ensuite."),
    )
    # The value is the INSEE code of a commune of the official list (assett/communes.py) that the
    # postal code serves; a commune's name is accepted too, for clients that post it as before.
    # Not required as a field: the postal code's error says what to do first, and a postal code that
    # serves one commune needs no choice.
    commune = forms.CharField(label=_("Commune"), widget=forms.Select, required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "siret", "siren", "naf_code", "headcount_band", "address", "postal_code"]
        help_texts = {
            "naf_code": _("Code APE / NAF rév. 2, par exemple 62.01Z."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation that already holds the SIRET typed in, if any: the page offers to join it.
        self.registered_organisation = None
        self.territory = current_territory()
        if self.instance.pk and not self.is_bound:
            self.initial["commune"] = self.instance.commune_code or self._commune_named(self.instance.commune)
        # With JavaScript, htmx replaces the commune's list as the postal code is typed (views.commune_field).
        self.fields["postal_code"].widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                "data-hx-get": reverse_lazy("organisations:commune_field"),
                "data-hx-trigger": "input changed delay:300ms",
                "data-hx-target": "#commune-field",
                "data-hx-swap": "outerHTML",
            }
        )
        self.fields["commune"].widget.choices = self.commune_choices()
        self.fields["commune"].help_text = self.commune_help_text()

    def typed_postal_code(self):
        if self.is_bound:
            return (self.data.get("postal_code") or "").strip()
        return str(self.initial.get("postal_code") or self.instance.postal_code or "").strip()

    def postal_code_communes(self):
        return communes.communes_for_postal_code(self.typed_postal_code())

    def _commune_named(self, name):
        commune = communes.commune_named(self.typed_postal_code(), name)
        return commune.insee if commune else ""

    def commune_choices(self):
        found = self.postal_code_communes()
        if not found:
            return [("", _("Saisissez d'abord le code postal"))]
        choices = [] if len(found) == 1 else [("", _("Choisissez la commune"))]
        for commune in found:
            label = commune.name
            if communes.is_outside(self.territory.siren, commune.insee):
                label = _("%(commune)s (hors du territoire)") % {"commune": commune.name}
            choices.append((commune.insee, label))
        return choices

    def commune_help_text(self):
        if communes.territory_communes(self.territory.siren) is None:
            return ""
        return _(
            "Une organisation installée hors des communes %(territory)s peut s'inscrire : "
            "l'équipe du programme accepte alors son inscription."
        ) % {"territory": self.territory.of_name}

    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if not communes.POSTAL_CODE.match(postal_code) or not communes.communes_for_postal_code(postal_code):
            raise forms.ValidationError(_("Ce code postal n'existe pas : indiquez les 5 chiffres du code postal."))
        return postal_code

    def clean_commune(self):
        value = self.cleaned_data["commune"].strip()
        found = self.postal_code_communes()
        if not value and len(found) == 1:
            return found[0]
        chosen = next((commune for commune in found if commune.insee == value), None)
        if chosen is None and value:
            chosen = communes.commune_named(self.typed_postal_code(), value)
        if chosen is None and found:
            raise forms.ValidationError(_("Choisissez la commune dans la liste de ce code postal."), code="commune")
        return chosen

    def organisation_fields(self):
        """The organisation's fields as the services take them: the commune as its name and INSEE code."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        commune = self.cleaned_data["commune"]
        return {**fields, "commune": commune.name, "commune_code": commune.insee}

    @property
    def chosen_commune_is_outside(self):
        commune = self.cleaned_data.get("commune") if hasattr(self, "cleaned_data") else None
        return commune is not None and communes.is_outside(self.territory.siren, commune.insee)

    # People paste identifiers with spaces ("732 829 320 00074"): normalise before validating.
    def clean_siret(self):
        siret = normalize_identifier(self.cleaned_data["siret"])
        # Checked here, before the model's conditional constraint, whose own message names the
        # database constraint: two colleagues registering the same company is common.
        registered = registered_organisation(siret, exclude=self.instance)
        if registered is not None:
            self.registered_organisation = registered
            raise forms.ValidationError(ALREADY_REGISTERED, code="already_registered")
        return siret

    def clean_siren(self):
        return normalize_identifier(self.cleaned_data["siren"])

    def clean_naf_code(self):
        code = self.cleaned_data["naf_code"]
        return normalize_naf(code) if code else code


class InvitationForm(DsfrForm):
    email = forms.EmailField(label=_("Adresse électronique de votre collègue"))


class JoinRequestForm(DsfrForm):
    message = forms.CharField(
        label=_("Message aux responsables (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )


class JoinSearchForm(DsfrForm):
    q = forms.CharField(
        label=_("Nom, SIRET ou SIREN de l'organisation"),
        max_length=100,
        help_text=_("Au moins 3 caractères du nom, ou le numéro SIRET (14 chiffres) ou SIREN (9 chiffres) complet."),
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        if len(normalize_search_text(query)) < JOIN_SEARCH_MIN_LENGTH:
            raise forms.ValidationError(
                _("Saisissez au moins %(count)d caractères.") % {"count": JOIN_SEARCH_MIN_LENGTH}, code="min_length"
            )
        return query


class StaffFilterForm(DsfrForm):
    q = forms.CharField(label=_("Recherche"), required=False, help_text=_("Nom, SIRET ou commune"))
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Tous"))] + OrganisationKind.choices, required=False)
    naf_section = forms.ChoiceField(
        label=_("Section NAF"),
        choices=[("", _("Toutes"))] + [(letter, f"{letter} – {label}") for letter, label in SECTIONS.items()],
        required=False,
    )
    headcount_band = forms.ChoiceField(
        label=_("Tranche d'effectif"), choices=[("", _("Toutes"))] + HeadcountBand.choices, required=False
    )
    to_accept = forms.BooleanField(label=_("Seulement celles hors du territoire, à accepter"), required=False)


class DeleteOrganisationForm(DsfrForm):
    name = forms.CharField(label=_("Nom de l'organisation, pour confirmer"), max_length=200)

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        if self.cleaned_data["name"].strip() != self.organisation.name.strip():
            raise forms.ValidationError(_("Ce nom n'est pas celui de l'organisation."))
        return self.cleaned_data["name"]
