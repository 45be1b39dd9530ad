from django.db import models
from django.utils.translation import gettext_lazy as _


class EpciKind(models.TextChoices):
    METROPOLE = "metropole", _("Métropole")
    COMMUNAUTE_URBAINE = "cu", _("Communauté urbaine")
    COMMUNAUTE_AGGLOMERATION = "ca", _("Communauté d'agglomération")
    COMMUNAUTE_COMMUNES = "cc", _("Communauté de communes")
    ETABLISSEMENT_PUBLIC_TERRITORIAL = "ept", _("Établissement public territorial")


class TerritoryStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    SUSPENDED = "suspended", _("Suspendu")
