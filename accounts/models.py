import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from assett.grammar import person_with_de

from .enums import Role


def new_token():
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person's account, identified by email.

    The table exists in every schema: national admins live in the public schema,
    each territory's staff and participants in the territory's own schema, so an
    account of one territory does not exist in another.
    """

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    # When a staff member last opened their home: « depuis votre dernière visite » counts from there.
    staff_home_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Staff are emailed when an organisation validates an assessment, unless they turn it off (« Mon compte »).
    notify_submissions = models.BooleanField(
        _("recevoir un courriel quand une organisation valide son auto-évaluation"), default=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return display_name(self.first_name, self.last_name, self.email)

    @property
    def of_name(self):
        """The display name after « de »: « d'Alex Martin » (assett/grammar.py)."""
        return person_with_de(self.display_name)

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def is_territory_staff(self):
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_territory_admin(self):
        return self.role == Role.ADMIN


class TeamInvitation(models.Model):
    """An existing participant invited into the territory's team: no access until they accept.

    (Someone without an account gets one with the role and no password: the emailed link to choose
    a password is their acceptance, and nothing is reachable before.)"""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_invitations")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation dans l'équipe")
        verbose_name_plural = _("invitations dans l'équipe")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_team_invitation",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.role}"

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None


def display_name(first_name, last_name, email):
    """How a person is shown to others (members, staff, emails): their name, else their address. Apart from
    the model for the pages that read these three columns without the user's row (toolbox/views/plan.py)."""
    return f"{first_name} {last_name}".strip() or email
