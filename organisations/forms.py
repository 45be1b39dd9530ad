from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm, DsfrModelForm

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

    class Meta:
        model = Organisation
        fields = ["name", "kind", "siret", "siren", "naf_code", "headcount_band", "address", "postal_code", "commune"]
        help_texts = {
            "naf_code": _("Code APE / NAF rév. 2, par exemple 62.01Z."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation that already holds the SIRET typed in, if any: the page offers to join it.
        self.registered_organisation = None

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


class DeleteOrganisationForm(DsfrForm):
    name = forms.CharField(label=_("Nom de l'organisation, pour confirmer"), max_length=200)

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        if self.cleaned_data["name"].strip() != self.organisation.name.strip():
            raise forms.ValidationError(_("Ce nom n'est pas celui de l'organisation."))
        return self.cleaned_data["name"]
