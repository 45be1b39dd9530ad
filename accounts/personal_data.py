"""A person's rights over their data: download it, delete their account.

Runs in a territory's schema: the account, its organisations and answers all live there.
What deletion does to each table holding the user's id or email (kept true by
tests/accounts/test_personal_data.py, which walks every foreign key to the user):

- deleted with the account: the user row, its email addresses (and their confirmations),
  group and permission links, memberships, join requests, invitations addressed to its email,
  the outgoing emails (mailing/) addressed to it or naming its address;
- kept without the name (SET_NULL): the answers given and the assessments started or
  submitted (they belong to the organisation), invitations sent, join requests decided,
  organisations created or accepted (staff), referential versions created or published, the
  organisations' plan items owned, created or completed, their steps ticked and notes written,
  PCAET imports, events created, registrations made for a colleague, event invitations sent, PDF reports
  asked for (they belong to the organisation);
- deleted with the account too: its own event registrations (and the opinions given on them) and
  its refusal of event invitations;
  invitations into the team (TeamInvitation) are deleted with the account;
- ended: every session of the account, database rows and their cached copies;
- forgotten: allauth's rate-limit counters keyed by the account's id or email.
No file is stored about a person today (uploads are territory logos only).
"""

from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import InvitationOptOut, Registration
from mailing.models import OutgoingEmail
from organisations.enums import MembershipRole
from organisations.models import Invitation, JoinRequest, Membership
from referentiel.models import Answer, Assessment, Choice, ReferentialVersion
from toolbox.models import PlanItem, PlanNote

from .enums import Role
from .models import TeamInvitation, User
from .services import AccountError

EXPORT_FORMAT = "assett-donnees-personnelles/1"

# allauth actions limited per account (its id) or per email address (hashed into the key).
_RATE_LIMITS_PER_USER = ("change_password", "manage_email", "reauthenticate")
_RATE_LIMITS_PER_EMAIL = ("reset_password", "request_login_code", "confirm_email")


def _when(value):
    return value.isoformat() if value else None


def export_personal_data(user):
    """Everything the platform holds about `user` in this territory, as plain JSON-ready data."""
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("created_at")
    answers = (
        Answer.objects.filter(answered_by=user)
        .select_related("question", "assessment__organisation", "assessment__version")
        .order_by("answered_at", "pk")
    )
    answers = list(answers)
    choice_ids = {choice_id for answer in answers for choice_id in answer.choice_ids}
    choice_labels = dict(Choice.objects.filter(pk__in=choice_ids).values_list("pk", "label"))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "notify_submissions": user.notify_submissions,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "organisation_id": membership.organisation_id,
                "role": membership.role,
                "since": _when(membership.created_at),
            }
            for membership in memberships
        ],
        "answers": [
            {
                "organisation": answer.assessment.organisation.name,
                "assessment_id": answer.assessment_id,
                "referential": f"{answer.assessment.version.title} {answer.assessment.version.label}",
                "question": answer.question.code,
                "question_text": answer.question.text,
                "choices": [choice_labels.get(choice_id, "") for choice_id in answer.choice_ids],
                "value": str(answer.value) if answer.value is not None else None,
                "not_applicable": answer.not_applicable,
                "none_of_these": answer.explicit_none,
                "comment": answer.comment,
                "answered_at": _when(answer.answered_at),
            }
            for answer in answers
        ],
        "assessments_started": [
            {
                "organisation": assessment.organisation.name,
                "assessment_id": assessment.pk,
                "at": _when(assessment.started_at),
            }
            for assessment in Assessment.objects.filter(started_by=user).select_related("organisation")
        ],
        "assessments_submitted": [
            {
                "organisation": assessment.organisation.name,
                "assessment_id": assessment.pk,
                "at": _when(assessment.submitted_at),
            }
            for assessment in Assessment.objects.filter(submitted_by=user).select_related("organisation")
        ],
        # The action plans: what the person is in charge of, completed, or wrote down.
        "plan_items_owned": [
            {"organisation": item.organisation.name, "title": item.title, "status": item.status}
            for item in PlanItem.objects.filter(owner=user).select_related("organisation").order_by("pk")
        ],
        "plan_items_completed": [
            {"organisation": item.organisation.name, "title": item.title, "at": _when(item.completed_at)}
            for item in PlanItem.objects.filter(completed_by=user).select_related("organisation").order_by("pk")
        ],
        "plan_notes": [
            {
                "organisation": note.item.organisation.name,
                "item": note.item.title,
                "text": note.text,
                "at": _when(note.created_at),
            }
            for note in PlanNote.objects.filter(author=user).select_related("item__organisation").order_by("pk")
        ],
        "event_registrations": [
            {
                "event": registration.event.title,
                "starts_at": _when(registration.event.starts_at),
                "organisation": registration.organisation.name,
                "status": registration.status,
                "attendance": registration.attendance,
                "registered_at": _when(registration.created_at),
                "cancelled_at": _when(registration.cancelled_at),
                "opinion": _opinion(registration),
            }
            for registration in Registration.objects.filter(user=user)
            .select_related("event", "organisation", "feedback")
            .order_by("created_at", "pk")
        ],
        "event_invitations_refused": InvitationOptOut.objects.filter(user=user).exists(),
        "team_invitations": [
            {"role": invitation.role, "at": _when(invitation.created_at), "accepted_at": _when(invitation.accepted_at)}
            for invitation in TeamInvitation.objects.filter(user=user).order_by("pk")
        ],
        "invitations_sent": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "sent_at": _when(invitation.sent_at),
                "accepted_at": _when(invitation.accepted_at),
                "revoked_at": _when(invitation.revoked_at),
            }
            for invitation in Invitation.objects.filter(invited_by=user).select_related("organisation").order_by("pk")
        ],
        "invitations_received": [
            {
                "organisation": invitation.organisation.name,
                "sent_at": _when(invitation.sent_at),
                "accepted_at": _when(invitation.accepted_at),
                "revoked_at": _when(invitation.revoked_at),
            }
            for invitation in Invitation.objects.filter(email=user.email).select_related("organisation").order_by("pk")
        ],
        "join_requests": [
            {
                "organisation": join_request.organisation.name,
                "message": join_request.message,
                "status": join_request.status,
                "sent_at": _when(join_request.created_at),
                "decided_at": _when(join_request.decided_at),
            }
            for join_request in JoinRequest.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        "referential_versions": [
            {
                "version": f"{version.title} {version.label}",
                "created": version.created_by_id == user.pk,
                "published": version.published_by_id == user.pk,
            }
            for version in ReferentialVersion.objects.filter(created_by=user).union(
                ReferentialVersion.objects.filter(published_by=user)
            )
        ],
    }


def _opinion(registration):
    feedback = getattr(registration, "feedback", None)
    if feedback is None:
        return None
    return {"satisfaction": feedback.satisfaction, "keep": feedback.keep, "change": feedback.change}


def organisations_blocking_deletion(user):
    """Organisations of which `user` is the only owner: someone must take them over first."""
    owned = Membership.objects.filter(user=user, role=MembershipRole.OWNER).values("organisation_id")
    others = Membership.objects.filter(organisation_id__in=owned, role=MembershipRole.OWNER).exclude(user=user)
    return [
        membership.organisation
        for membership in Membership.objects.filter(user=user, role=MembershipRole.OWNER)
        .exclude(organisation_id__in=others.values("organisation_id"))
        .select_related("organisation")
        .order_by("organisation__name")
    ]


def is_last_territory_admin(user):
    return user.role == Role.ADMIN and not User.objects.filter(role=Role.ADMIN).exclude(pk=user.pk).exists()


@transaction.atomic
def delete_account(user, request=None):
    """Delete `user`'s account and everything personal attached to it (see the module's docstring).

    Refused (AccountError, nothing changed) while they are the last owner of an organisation
    or the territory's last admin. `request`, when given, is the one asking: allauth keys
    its failed-login counters by the host it was reached on.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    # Lock their organisations so that a colleague cannot step down while we check.
    list(Membership.objects.select_for_update().filter(user=user).values_list("pk", flat=True))
    blocking = organisations_blocking_deletion(user)
    if blocking:
        raise AccountError(
            _(
                "Vous êtes le seul ou la seule responsable de : %(names)s. Confiez d'abord ce rôle à un·e "
                "collègue ou supprimez l'organisation."
            )
            % {"names": ", ".join(organisation.name for organisation in blocking)}
        )
    if is_last_territory_admin(user):
        raise AccountError(_("Vous administrez seul·e le territoire : nommez d'abord un·e autre administrateur·rice."))
    email, user_id = user.email, user.pk
    session_keys = end_sessions(user)
    # Invitations addressed to them hold their email and are no use to anyone once they are gone.
    Invitation.objects.filter(email=email).delete()
    OutgoingEmail.objects.filter(
        Q(recipients__contains=[email]) | Q(subject__icontains=email) | Q(body__icontains=email)
    ).delete()
    user.delete()  # cascades and SET_NULLs: see the module's docstring
    host = request.get_host() if request is not None else None
    transaction.on_commit(lambda: _forget_cached(session_keys, user_id, email, host))


def end_sessions(user):
    """Delete every session row of `user` in this schema; returns their keys (for the cache).

    Django does not index sessions by user: every row is decoded. Deleting an account is rare
    and a territory holds thousands of sessions, not millions.
    """
    store = Session.get_session_store_class()()
    user_id = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=500)
        if store.decode(session.session_data).get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return keys


def _forget_cached(session_keys, user_id, email, host):
    caches[settings.SESSION_CACHE_ALIAS].delete_many([SESSION_CACHE_PREFIX + key for key in session_keys])
    cache.delete_many(rate_limit_keys(user_id, email, host))


def rate_limit_keys(user_id, email, host=None):
    """allauth's rate-limit cache keys that name this account (by id, or by a hash of its email).

    Counters per IP address are left alone: they are about a machine, shared by others.
    """
    holder = User(pk=user_id, email=email)
    per_key = {action: email for action in _RATE_LIMITS_PER_EMAIL}
    if host:
        # allauth's adapter counts failed logins per "<host>:<email>".
        per_key["login_failed"] = f"{host}:{email}"
    keys = []
    for action in (*_RATE_LIMITS_PER_USER, *per_key):
        for rate in ratelimit.get_rates(app="allauth.account", action=action):
            if rate.per in ("user", "key"):
                keys.append(
                    ratelimit.get_cache_key(
                        None, app="allauth.account", action=action, rate=rate, key=per_key.get(action), user=holder
                    )
                )
    return keys
