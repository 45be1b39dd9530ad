import secrets
import zoneinfo
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from assett.grammar import article_from_de, with_article, with_de
from organisations.validators import validate_siren

from .branding import validate_accent_color
from .constants import DEFAULT_ACCENT_COLOR, DEFAULT_OFFER_BLOCKS, DEFAULT_PROGRAMME_NAME, DEFAULT_TIME_ZONE
from .enums import EpciKind, TerritoryStatus

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    _("L'identifiant ne peut contenir que des minuscules, des chiffres et des tirets (40 caractères au plus)."),
)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Le fuseau horaire « %(tz)s » est inconnu."), params={"tz": value}, code="tz")


def logo_upload_to(territory, filename):
    # A new name for each upload: the media view lets browsers keep a file for an hour, and a
    # replaced logo must show at once. The extension is the one the upload field checked.
    return f"branding/logo-{secrets.token_hex(8)}{PurePath(filename).suffix.lower()}"


def default_offer_blocks():
    return [dict(block) for block in DEFAULT_OFFER_BLOCKS]


class Territory(TenantMixin):
    """A territory (EPCI) running the programme: one PostgreSQL schema, one site.

    The public schema has its own row (schema_name='public') as django-tenants requires;
    it is the national platform, never listed as a territory.
    """

    name = models.CharField(_("nom"), max_length=200)
    # « de la Communauté de communes du Haut-Poitou »: how sentences name the territory (tenants/grammar.py).
    name_de = models.CharField(
        _("nom précédé de « de »"),
        max_length=210,
        blank=True,
        help_text=_("Par exemple « de la Communauté de communes du Haut-Poitou ». Vide : déduit du nom."),
    )
    slug = models.SlugField(_("identifiant"), max_length=40, unique=True, validators=[slug_validator])
    kind = models.CharField(_("type d'EPCI"), max_length=20, choices=EpciKind.choices, blank=True)
    siren = models.CharField(_("SIREN de l'EPCI"), max_length=9, blank=True, validators=[validate_siren])
    programme_name = models.CharField(_("nom du programme"), max_length=200, default=DEFAULT_PROGRAMME_NAME)
    presentation = models.TextField(_("présentation"), blank=True, help_text=_("En Markdown."))
    # The home page's three « Ce que le programme vous propose » blocks: [{title, text}] × 3.
    offer_blocks = models.JSONField(_("ce que le programme propose"), default=default_offer_blocks, blank=True)
    # Stored in the territory's own media folder (tenants.storage); checked by assett.uploads.
    logo = models.ImageField(_("logo"), upload_to=logo_upload_to, blank=True)
    accent_color = models.CharField(
        _("couleur d'accent"), max_length=7, default=DEFAULT_ACCENT_COLOR, validators=[validate_accent_color]
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    time_zone = models.CharField(
        _("fuseau horaire"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=TerritoryStatus.choices, default=TerritoryStatus.PREPARING
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    # provision_territory() creates the schema itself, inside its all-or-nothing guard.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def of_name(self):
        return self.name_de or with_de(self.name)

    @property
    def the_name(self):
        """The name as a verb's object: « Suspendre la Communauté de communes du Haut-Poitou ? »."""
        return article_from_de(self.name_de) if self.name_de else with_article(self.name)

    @property
    def is_public(self):
        return self.schema_name == "public"

    @property
    def is_active(self):
        return self.status == TerritoryStatus.ACTIVE

    @property
    def is_preparing(self):
        return self.status == TerritoryStatus.PREPARING


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")

    def __str__(self):
        return self.domain
