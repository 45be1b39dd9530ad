import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assett.grammar import with_a, with_article, with_de
from assett.validators import validate_single_line

from .constants import INVITATION_VALIDITY, JOIN_REQUEST_VALIDITY
from .enums import HeadcountBand, InvitationState, JoinRequestStatus, MembershipRole, OrganisationKind
from .naf import NAF_VERSION, naf_section, normalize_naf
from .search import normalize_search_text
from .validators import normalize_identifier, validate_naf_code, validate_siren, validate_siret


class Organisation(models.Model):
    """A participant: a business, an association or a public establishment of the territory."""

    name = models.CharField(_("nom"), max_length=200)
    # The name as searched (lower case, no accents), kept beside it by save(): no database extension needed.
    search_name = models.CharField(max_length=200, editable=False, default="")
    # How the join page addresses an organisation: the sequential pk would let anyone walk the list.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("type d'organisation"), max_length=30, choices=OrganisationKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    naf_code = models.CharField(_("code NAF"), max_length=6, blank=True, validators=[validate_naf_code])
    naf_version = models.CharField(_("version de la nomenclature NAF"), max_length=10, blank=True)
    naf_section = models.CharField(_("section NAF"), max_length=1, blank=True, editable=False)
    headcount_band = models.CharField(_("tranche d'effectif"), max_length=2, choices=HeadcountBand.choices)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=120)
    # The INSEE code of the commune chosen from the official list (assett/communes.py); blank for
    # organisations registered before the list shipped, whose commune is only a name.
    commune_code = models.CharField(_("code INSEE de la commune"), max_length=5, blank=True)
    # Outside the territory's communes when registered or moved: staff accept it explicitly.
    outside_territory = models.BooleanField(_("hors du territoire"), default=False)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="unique_siret"),
        ]
        indexes = [models.Index(fields=["kind", "naf_section", "headcount_band"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The NAF version is stored beside the code: the nomenclature will change (NAF 2025).
        self.naf_version = NAF_VERSION if self.naf_code else ""
        self.naf_section = naf_section(self.naf_code) if self.naf_code else ""
        self.search_name = normalize_search_text(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        # Checked here rather than as a field validator: the name reaches email subjects, and a
        # validator would need a migration of this app for no change in the database.
        try:
            validate_single_line(self.name)
        except ValidationError as error:
            errors["name"] = error
        try:
            self._clean_identifiers()
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)

    @property
    def awaits_acceptance(self):
        """Outside the territory and not yet accepted by its staff."""
        return self.outside_territory and self.accepted_at is None

    def _clean_identifiers(self):
        self.siret = normalize_identifier(self.siret)
        self.siren = normalize_identifier(self.siren)
        if self.siret:
            self.siren = self.siret[:9]
        elif self.kind == OrganisationKind.ASSOCIATION:
            if not self.siren:
                raise ValidationError(
                    {"siret": _("Indiquez le SIRET de l'association ou, à défaut, son SIREN.")}, code="required"
                )
        elif self.kind:
            raise ValidationError(
                {"siret": _("Le SIRET est obligatoire pour ce type d'organisation.")}, code="required"
            )
        if self.naf_code:
            self.naf_code = normalize_naf(self.naf_code)

    @property
    def of_name(self):
        """« de la Boulangerie du Marché », « des Jardins partagés » (assett/grammar.py)."""
        return with_de(self.name)

    @property
    def the_name(self):
        """« la Boulangerie du Marché », « l'Association Nguyen », « Les Jardins partagés »."""
        return with_article(self.name)

    @property
    def to_name(self):
        """« à la Boulangerie du Marché », « aux Jardins partagés »."""
        return with_a(self.name)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} – {self.organisation}"

    @property
    def is_owner(self):
        return self.role == MembershipRole.OWNER


def new_token():
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked: what owners see, pending or expired, and may re-send."""
        return self.filter(accepted_at=None, revoked_at=None)

    def pending(self):
        """Open and still within its validity: a link that works."""
        return self.open().filter(sent_at__gt=timezone.now() - INVITATION_VALIDITY)


class Invitation(models.Model):
    """An owner's invitation to a colleague, accepted from the link emailed to them.

    Valid for INVITATION_VALIDITY from `sent_at`; re-sending gives it a new token and a new `sent_at`
    (`created_at` keeps the first sending). Revoking keeps the row, so that the link can say so.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse électronique"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self):
        return self.email

    @property
    def expires_at(self):
        return self.sent_at + INVITATION_VALIDITY

    @property
    def state(self):
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if timezone.now() >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        """Waiting for an owner and still within JOIN_REQUEST_VALIDITY."""
        return self.filter(status=JoinRequestStatus.PENDING, created_at__gt=timezone.now() - JOIN_REQUEST_VALIDITY)

    def expired(self):
        """Left unanswered too long: still stored as pending until a newer request replaces it."""
        return self.filter(
            Q(status=JoinRequestStatus.EXPIRED)
            | Q(status=JoinRequestStatus.PENDING, created_at__lte=timezone.now() - JOIN_REQUEST_VALIDITY)
        )


class JoinRequest(models.Model):
    """A participant asks to join an organisation that already exists; an owner decides."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation}"

    @property
    def expires_at(self):
        return self.created_at + JOIN_REQUEST_VALIDITY

    @property
    def is_expired(self):
        return self.status == JoinRequestStatus.EXPIRED or (
            self.status == JoinRequestStatus.PENDING and timezone.now() >= self.expires_at
        )
