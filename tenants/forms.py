import re
import zoneinfo
from functools import partial

from django import forms
from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from accounts.enums import Role
from assett import communes
from assett.forms import DsfrForm, DsfrModelForm
from assett.uploads import ImageUploadField

from .constants import (
    DEFAULT_ACCENT_COLOR,
    DEFAULT_OFFER_BLOCKS,
    DEFAULT_PROGRAMME_NAME,
    DEFAULT_TIME_ZONE,
    FRENCH_TIME_ZONES,
)
from .enums import EpciKind
from .models import Territory


class OnboardingForm(DsfrForm):
    name = forms.CharField(label=_("Nom du territoire"), max_length=200)
    slug = forms.CharField(
        label=_("Identifiant"),
        max_length=40,
        help_text=_("Minuscules, chiffres et tirets, par exemple grand-poitiers."),
    )
    domain = forms.CharField(
        label=_("Domaine du site"), max_length=253, help_text=_("Par exemple grand-poitiers.assett.fr")
    )
    kind = forms.ChoiceField(label=_("Type d'EPCI"), choices=EpciKind.choices)
    siren = forms.CharField(label=_("SIREN de l'EPCI"), max_length=11)
    admin_email = forms.EmailField(
        label=_("Adresse de l'administrateur·rice du territoire"),
        help_text=_("Elle recevra un lien pour choisir son mot de passe."),
    )
    programme_name = forms.CharField(label=_("Nom du programme"), max_length=200, initial=DEFAULT_PROGRAMME_NAME)
    contact_email = forms.EmailField(label=_("Adresse de contact du programme"), required=False)
    accent_color = forms.CharField(
        label=_("Couleur d'accent"),
        max_length=7,
        initial=DEFAULT_ACCENT_COLOR,
        help_text=_("Au format #RRVVBB ; contraste d'au moins 4,5:1 avec un texte blanc."),
    )
    time_zone = forms.CharField(label=_("Fuseau horaire"), max_length=64, initial=DEFAULT_TIME_ZONE)
    presentation = forms.CharField(label=_("Présentation"), widget=forms.Textarea, required=False)
    logo = ImageUploadField(label=_("Logo"), required=False)

    @staticmethod
    def initial_for(group):
        """What the official list says of the EPCI or EPT: its name spelled out, kind, SIREN, and a slug
        and domain to start from (`grand-poitiers`, `grand-poitiers.<platform domain>`)."""
        short_name = re.sub(r"^(?:CC|CA|CU) (?:du |de la |de l'|des |de |d')?", "", group.name)
        slug = slugify(short_name)[:40].strip("-")
        return {
            "name": group.full_name,
            "kind": group.kind,
            "siren": group.siren,
            "slug": slug,
            "domain": f"{slug}.{settings.PLATFORM_DOMAIN}",
        }

    def clean(self):
        cleaned = super().clean()
        siren = (cleaned.get("siren") or "").replace(" ", "")
        if not siren:
            return cleaned
        group = communes.intercommunality(siren)
        source = communes.source()
        if group is None:
            self.add_error(
                "siren",
                _("Ce SIREN n'est celui d'aucun EPCI ni EPT de la liste officielle %(year)s : choisissez-le ci-dessus.")
                % {"year": source["year"]},
            )
        elif cleaned.get("kind") and cleaned["kind"] != group.kind:
            self.add_error(
                "kind",
                _("D'après la liste officielle %(year)s, %(name)s est : %(kind)s.")
                % {"year": source["year"], "name": group.full_name, "kind": EpciKind(group.kind).label},
            )
        return cleaned


class IntercommunalitySearchForm(DsfrForm):
    """The first step of opening a territory: find its EPCI or EPT in the official list."""

    prefix = "epci"  # beside the onboarding form on one page: its own field names and error summary
    q = forms.CharField(
        label=_("EPCI ou EPT"),
        max_length=100,
        help_text=_("Des mots de son nom (« grand poitiers », « haut poitou ») ou son SIREN."),
    )


def time_zone_choices():
    """France's zones first, by name, then every other zone the system knows."""
    others = sorted(zoneinfo.available_timezones() - FRENCH_TIME_ZONES.keys())
    return [
        (_("France"), list(FRENCH_TIME_ZONES.items())),
        (_("Autres fuseaux"), [(zone, zone.replace("_", " ")) for zone in others]),
    ]


OFFER_BLOCK_COUNT = 3


class TerritorySettingsForm(DsfrModelForm):
    logo = ImageUploadField(label=_("Logo"), required=False)
    time_zone = forms.ChoiceField(
        label=_("Fuseau horaire"),
        choices=time_zone_choices,
        help_text=_("Les dates et heures du site (rencontres, échéances) s'affichent dans ce fuseau."),
    )

    class Meta:
        model = Territory
        fields = ["programme_name", "presentation", "logo", "accent_color", "contact_email", "time_zone"]
        widgets = {"presentation": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "presentation": _(
                "Affichée sur la page d'accueil. En Markdown : **gras**, *italique*, listes (- …), "
                "liens [texte](https://…). Le HTML n'est pas interprété."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The three home page blocks, as pairs of fields after the presentation.
        blocks = (self.instance.offer_blocks or []) + DEFAULT_OFFER_BLOCKS
        for index in range(OFFER_BLOCK_COUNT):
            number = index + 1
            self.fields[f"offer_{number}_title"] = forms.CharField(
                label=_("Bloc %(number)s « Ce que le programme vous propose » : titre") % {"number": number},
                max_length=80,
                initial=blocks[index]["title"],
            )
            self.fields[f"offer_{number}_text"] = forms.CharField(
                label=_("Bloc %(number)s : texte") % {"number": number},
                max_length=400,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=blocks[index]["text"],
                help_text=_("Dites ce que votre territoire propose vraiment (rencontres, accompagnement, aides)."),
            )
        self.order_fields(
            ["programme_name", "presentation"]
            + [f"offer_{n}_{part}" for n in range(1, OFFER_BLOCK_COUNT + 1) for part in ("title", "text")]
        )

    def clean(self):
        cleaned = super().clean()
        self.instance.offer_blocks = [
            {"title": cleaned.get(f"offer_{n}_title", ""), "text": cleaned.get(f"offer_{n}_text", "")}
            for n in range(1, OFFER_BLOCK_COUNT + 1)
        ]
        return cleaned

    def save(self, commit=True):
        """Save; once committed, delete the file of a replaced or removed logo (never before: a
        rolled-back save keeps the previous logo, file included)."""
        previous = self.initial.get("logo")
        with transaction.atomic():
            territory = super().save(commit)
            if commit and previous and previous.name != territory.logo.name:
                transaction.on_commit(partial(_delete_file, connection.schema_name, previous.storage, previous.name))
        return territory


def _delete_file(schema_name, storage, name):
    with schema_context(schema_name):  # the storage's folder is the current schema's
        storage.delete(name)


class TeamInvitationForm(DsfrForm):
    email = forms.EmailField(label=_("Adresse électronique"))
    role = forms.ChoiceField(label=_("Rôle"), choices=[(Role.STAFF, Role.STAFF.label), (Role.ADMIN, Role.ADMIN.label)])
