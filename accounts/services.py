from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailing.services import queue_email
from tenants.links import territory_url

from .enums import Role
from .models import TeamInvitation, User


class AccountError(Exception):
    """A refused account operation; its message is shown to the user as is."""


def set_password_url(territory, user):
    # allauth's password-reset page doubles as "choose your password" for invited people.
    return territory_url(
        territory,
        "account_reset_password_from_key",
        uidb36=user_pk_to_url_str(user),
        key=default_token_generator.make_token(user),
    )


def _invite_participant(territory, user, role, invited_by):
    invitation = TeamInvitation.objects.filter(user=user, accepted_at=None, revoked_at=None).first()
    if invitation is None:
        invitation = TeamInvitation.objects.create(user=user, role=role, invited_by=invited_by)
    elif invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    context = {
        "territory": territory,
        "user": user,
        "invited_by": invited_by,
        "role_label": Role(role).label,
        "url": territory_url(territory, "accept_team_invitation", token=invitation.token),
    }
    queue_email(
        user.email,
        "accounts/email/team_invitation_subject.txt",
        "accounts/email/team_invitation_pending_message.txt",
        context,
    )
    return False


@transaction.atomic
def accept_team_invitation(invitation, user):
    """The invited participant accepts: from now on they are in the team."""
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != user.pk or not invitation.is_open:
        raise AccountError(_("Cette invitation n'est plus valable."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    User.objects.filter(pk=user.pk).update(role=invitation.role)


@transaction.atomic
def remove_team_member(member):
    """Back to participant; an invitation not yet accepted is withdrawn."""
    TeamInvitation.objects.filter(user=member, accepted_at=None, revoked_at=None).update(revoked_at=timezone.now())
    member.role = Role.PARTICIPANT
    member.save(update_fields=["role"])


@transaction.atomic
def rename_user(user, first_name, last_name):
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def set_notifications(user, *, notify_submissions):
    user.notify_submissions = notify_submissions
    user.save(update_fields=["notify_submissions"])
    return user


@transaction.atomic
def invite_team_member(territory, email, role, invited_by=None):
    """Create (or promote) a territory admin/staff account and email them a link to set a password.

    Runs in the territory's schema. Returns (user, created).
    """
    assert connection.schema_name == territory.schema_name, "call inside the territory's schema"
    if role not in (Role.ADMIN, Role.STAFF):
        raise AccountError("Rôle d'équipe inconnu.")
    email = email.strip().lower()
    user, created = User.objects.get_or_create(email=email, defaults={"role": role})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        # The address is proven when they follow the link sent to it.
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif user.role == Role.PARTICIPANT:
        # Staff read every organisation's answers: a participant gets that only by accepting.
        return user, _invite_participant(territory, user, role, invited_by)
    elif user.role != role and user.role != Role.ADMIN:
        user.role = role
        user.save(update_fields=["role"])
    else:
        return user, False

    context = {
        "territory": territory,
        "user": user,
        "invited_by": invited_by,
        "role_label": Role(role).label,
        "url": set_password_url(territory, user) if not user.has_usable_password() else territory_url(territory),
    }
    queue_email(
        email, "accounts/email/team_invitation_subject.txt", "accounts/email/team_invitation_message.txt", context
    )
    return user, created
