from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.db import connection, transaction

from mailing.services import queue_email
from tenants.links import territory_url

from .enums import Role
from .models import User


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


@transaction.atomic
def rename_user(user, first_name, last_name):
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
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
