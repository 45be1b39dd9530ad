from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    ARCHIVED = "archived", _("Archivée")


class QuestionKind(models.TextChoices):
    # Values are the ones of referentiel/scoring.py and of the YAML format.
    LADDER = "ladder", _("Échelle de maturité")
    MULTIPLE = "multiple", _("Choix multiples")
    YESNO = "yesno", _("Oui / non")
    NUMERIC = "numeric", _("Indicateur chiffré")


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("En cours")
    SUBMITTED = "submitted", _("Validée")
