from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Rencontre")
    WORKSHOP = "workshop", _("Atelier")
    WEBINAR = "webinar", _("Webinaire")
    SITE_VISIT = "site_visit", _("Visite de site")


class EventMode(models.TextChoices):
    ON_SITE = "on_site", _("Sur place")
    ONLINE = "online", _("En ligne")
    HYBRID = "hybrid", _("Mixte")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    CANCELLED = "cancelled", _("Annulé")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Inscrit")
    WAITLISTED = "waitlisted", _("Sur liste d'attente")
    CANCELLED = "cancelled", _("Annulé")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")


class WorkshopPhase(models.TextChoices):
    """The four moments of a collective-intelligence workshop, in the order they come."""

    OPEN = "open", _("Ouvrir")
    EXPLORE = "explore", _("Explorer")
    CONVERGE = "converge", _("Converger")
    COMMIT = "commit", _("S'engager")
