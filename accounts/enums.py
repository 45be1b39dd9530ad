from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant·e")
    STAFF = "staff", _("Équipe du territoire")
    ADMIN = "admin", _("Administrateur·rice du territoire")
