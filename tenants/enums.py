from django.db import models
from django.utils.translation import gettext_lazy as _


class EpciKind(models.TextChoices):
    METROPOLE = "metropole", _("Métropole")
    COMMUNAUTE_URBAINE = "cu", _("Communauté urbaine")
    COMMUNAUTE_AGGLOMERATION = "ca", _("Communauté d'agglomération")
    COMMUNAUTE_COMMUNES = "cc", _("Communauté de communes")
    ETABLISSEMENT_PUBLIC_TERRITORIAL = "ept", _("Établissement public territorial")


class TerritoryStatus(models.TextChoices):
    # A new territory is prepared by its team (referential, toolbox, texts) before it is announced:
    # its site works, says so, and the national page does not list it yet.
    PREPARING = "preparing", _("En préparation")
    ACTIVE = "active", _("Ouvert")
    SUSPENDED = "suspended", _("Suspendu")
