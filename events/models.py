"""The territory's events (meetings, workshops, webinars, site visits), who registers, who came and
what they thought, and the library of workshop formats (« déroulés d'ateliers »).

Times are stored in UTC and shown in the territory's time zone (Territory.time_zone): an event at
18:00 in Mayotte is 15:00 UTC. An event's `uid` never changes and its `sequence` grows each time
its time, place or status changes, so that calendar applications update the copy they hold.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organisations.enums import OrganisationKind
from toolbox.enums import Origin

from .enums import Attendance, EventKind, EventMode, EventStatus, RegistrationStatus, WorkshopPhase


class WorkshopFormat(models.Model):
    """A workshop's running order: what it is for, for how many, with what, step by step."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices, default=Origin.LOCAL)
    # A territory's copy of a national format remembers where it comes from.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", verbose_name=_("copié de")
    )
    name = models.CharField(_("nom"), max_length=200)
    objective = models.TextField(_("objectif"))
    phase = models.CharField(_("phase"), max_length=10, choices=WorkshopPhase.choices)
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), validators=[MinValueValidator(5)])
    group_min = models.PositiveIntegerField(_("participants (minimum)"), validators=[MinValueValidator(1)])
    group_max = models.PositiveIntegerField(_("participants (maximum)"), validators=[MinValueValidator(1)])
    materials = models.TextField(_("matériel"), blank=True)
    facilitator_roles = models.TextField(_("rôles d'animation"), blank=True)
    actions = models.ManyToManyField(
        "toolbox.Action", blank=True, related_name="workshop_formats", verbose_name=_("actions travaillées")
    )
    hidden = models.BooleanField(_("masqué"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("déroulé d'atelier")
        verbose_name_plural = _("déroulés d'ateliers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(group_max__gte=F("group_min")), name="format_group_bounds"),
        ]

    def __str__(self):
        return self.name


class FormatStep(models.Model):
    """One timed step of a format, with what the facilitator does."""

    format = models.ForeignKey(WorkshopFormat, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("ordre"))
    title = models.CharField(_("titre"), max_length=200)
    minutes = models.PositiveIntegerField(_("durée (minutes)"), validators=[MinValueValidator(1)])
    instructions = models.TextField(_("consignes pour l'animateur"), blank=True)

    class Meta:
        verbose_name = _("étape du déroulé")
        verbose_name_plural = _("étapes du déroulé")
        ordering = ["format", "order"]
        constraints = [models.UniqueConstraint(fields=["format", "order"], name="format_step_order")]

    def __str__(self):
        return self.title


class Event(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=EventKind.choices)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # Theme codes of the referential, as toolbox actions hold them.
    themes = ArrayField(models.CharField(max_length=20), default=list, blank=True, verbose_name=_("thèmes"))
    organisation_kinds = ArrayField(
        models.CharField(max_length=30, choices=OrganisationKind.choices),
        default=list,
        blank=True,
        verbose_name=_("types d'organisation visés"),
        help_text=_("Vide : tous les types."),
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    mode = models.CharField(_("modalité"), max_length=10, choices=EventMode.choices, default=EventMode.ON_SITE)
    place = models.TextField(_("lieu (adresse)"), blank=True)
    # Shown only to registered people.
    online_url = models.URLField(_("lien de connexion"), blank=True)
    capacity = models.PositiveIntegerField(
        _("nombre de places"), null=True, blank=True, help_text=_("Vide : sans limite.")
    )
    seats_per_organisation = models.PositiveIntegerField(
        _("places par organisation"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vide : sans limite."),
    )
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    # Empty: registrations (and cancellations) close when the event starts.
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    format = models.ForeignKey(
        WorkshopFormat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("déroulé d'atelier"),
    )
    actions = models.ManyToManyField(
        "toolbox.Action", blank=True, related_name="events", verbose_name=_("actions travaillées")
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("rappel (jours avant)"), default=2, validators=[MaxValueValidator(30)], help_text=_("0 : pas de rappel.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def registration_deadline(self):
        return self.registration_closes_at or self.starts_at


class Registration(models.Model):
    """A person's seat at an event, for their organisation: confirmed, on the waitlist or cancelled.

    At most one live registration per person and event; the waitlist is served in `created_at` order.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="registrations"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("état"), max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    attendance = models.CharField(_("présence"), max_length=10, choices=Attendance.choices, blank=True)
    # Set in the transaction that queues the reminder: a second run finds it set and sends nothing.
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    feedback_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="one_live_registration_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.event}"


class Feedback(models.Model):
    """An attendee's opinion of an event, asked once it is over."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    keep = models.TextField(_("ce qu'il faut garder"), blank=True)
    change = models.TextField(_("ce qu'il faut changer"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="satisfaction_1_to_5")
        ]

    def __str__(self):
        return f"{self.satisfaction}/5 – {self.registration}"


class EventInvitation(models.Model):
    """Staff invited an organisation's members to an event, and why (its weakest themes that match)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    matching_themes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation à un événement")
        verbose_name_plural = _("invitations à un événement")
        constraints = [models.UniqueConstraint(fields=["event", "organisation"], name="one_invitation_per_org")]

    def __str__(self):
        return f"{self.organisation} → {self.event}"


class InvitationOptOut(models.Model):
    """A person who no longer wants invitations to events (their own registrations' emails stay)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refus des invitations")
        verbose_name_plural = _("refus des invitations")

    def __str__(self):
        return str(self.user)
