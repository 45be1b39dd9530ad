from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """Where a toolbox row comes from: the national toolbox (updated by re-imports) or the territory."""

    NATIONAL = "national", _("Nationale")
    LOCAL = "local", _("Locale")


class CostBand(models.TextChoices):
    FREE = "free", _("Sans coût")
    LOW = "low", _("Moins de 1 000 €")
    MEDIUM = "medium", _("De 1 000 à 10 000 €")
    HIGH = "high", _("Plus de 10 000 €")


class Duration(models.TextChoices):
    DAYS = "days", _("Quelques jours")
    WEEKS = "weeks", _("Quelques semaines")
    MONTHS = "months", _("Quelques mois")
    YEAR = "year", _("Un an ou plus")


class ImpactTier(models.TextChoices):
    LOW = "low", _("Impact modéré")
    MEDIUM = "medium", _("Impact notable")
    HIGH = "high", _("Impact fort")


class SchemeKind(models.TextChoices):
    FREE_SUPPORT = "free_support", _("Accompagnement gratuit")
    TRAINING = "training", _("Formation")
    GRANT = "grant", _("Subvention")
    LOAN = "loan", _("Prêt")
    TAX_AID = "tax_aid", _("Aide fiscale")


class PlanStatus(models.TextChoices):
    TODO = "todo", _("À lancer")
    IN_PROGRESS = "in_progress", _("En cours")
    PAUSED = "paused", _("En pause")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


class Priority(models.TextChoices):
    HIGH = "high", _("Haute")
    NORMAL = "normal", _("Normale")
    LOW = "low", _("Basse")
