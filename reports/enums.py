from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En préparation")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")


LIVE = (JobStatus.PENDING, JobStatus.RUNNING)


class ReportKind(models.TextChoices):
    MATURITY = "maturity", _("Rapport de maturité")
    REVIEW = "review", _("Bilan du programme")
