"""Writes on organisations and their members. Views call these and show DomainError messages."""

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assett import communes
from mailing.services import queue_email
from tenants.links import current_territory, territory_url

from .enums import InvitationState, JoinRequestStatus, MembershipRole
from .models import Invitation, JoinRequest, Membership, Organisation, new_token
from .registration import ALREADY_REGISTERED, registered_organisation


class OrganisationError(Exception):
    """A refused operation; the message is French and shown to the user as is."""


class AlreadyRegistered(OrganisationError):
    """Another organisation of the territory holds this SIRET; `organisation` is the one to ask to join."""

    def __init__(self, organisation):
        super().__init__(str(ALREADY_REGISTERED))
        self.organisation = organisation


def _save_with_unique_siret(organisation):
    """Save, turning the SIRET's unique constraint into AlreadyRegistered.

    The model's own constraint check would say « La contrainte « unique_siret » n'est pas respectée »;
    the check before the write answers most cases, the savepoint the colleague who saved in between.
    """
    organisation.full_clean(validate_constraints=False)
    registered = registered_organisation(organisation.siret, exclude=organisation)
    if registered is not None:
        raise AlreadyRegistered(registered)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        registered = registered_organisation(organisation.siret, exclude=organisation)
        if registered is None:
            raise
        raise AlreadyRegistered(registered) from None


@transaction.atomic
def create_organisation(user, **fields):
    """Create the organisation (already validated by its form) with `user` as owner."""
    organisation = Organisation(created_by=user, **fields)
    _check_territory(organisation)
    _save_with_unique_siret(organisation)
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return organisation


@transaction.atomic
def invite_member(organisation, inviter, email):
    """Invite `email`; an address already invited (pending or expired) gets the invitation again, renewed."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email=email).exists():
        raise OrganisationError(
            _("%(email)s fait déjà partie %(of_org)s.") % {"email": email, "of_org": organisation.of_name}
        )
    invitation = Invitation.objects.select_for_update().open().filter(organisation=organisation, email=email).first()
    if invitation is None:
        invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=inviter)
        _email_invitation(invitation, inviter)
        return invitation
    return resend_invitation(invitation, inviter)


@transaction.atomic
def resend_invitation(invitation, inviter):
    """A new link, valid from now: the previous link stops working (it may have been forwarded)."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise OrganisationError(_("Cette invitation a déjà été acceptée ou annulée : invitez de nouveau la personne."))
    invitation.token = new_token()
    invitation.sent_at = timezone.now()
    invitation.invited_by = inviter
    invitation.save(update_fields=["token", "sent_at", "invited_by"])
    _email_invitation(invitation, inviter)
    return invitation


def _email_invitation(invitation, inviter):
    territory = current_territory()
    context = {
        "organisation": invitation.organisation,
        "inviter": inviter,
        "territory": territory,
        "expires_at": invitation.expires_at,
        "url": territory_url(territory, "organisations:accept_invitation", token=invitation.token),
    }
    queue_email(
        invitation.email,
        "organisations/email/invitation_subject.txt",
        "organisations/email/invitation_message.txt",
        context,
    )


@transaction.atomic
def accept_invitation(token, user):
    invitation = Invitation.objects.select_for_update().select_related("organisation").filter(token=token).first()
    if invitation is None or invitation.state != InvitationState.PENDING:
        raise OrganisationError(_("Cette invitation n'est plus valable."))
    if invitation.email != user.email.lower():
        raise OrganisationError(
            _("Cette invitation a été envoyée à une autre adresse électronique que celle de votre compte.")
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": MembershipRole.MEMBER}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    JoinRequest.objects.filter(
        organisation=invitation.organisation, user=user, status=JoinRequestStatus.PENDING
    ).update(status=JoinRequestStatus.ACCEPTED, decided_at=timezone.now())
    return membership


@transaction.atomic
def cancel_invitation(invitation):
    """Revoke it; the row stays so that its link tells the person it was cancelled."""
    Invitation.objects.open().filter(pk=invitation.pk).update(revoked_at=timezone.now())


@transaction.atomic
def request_to_join(organisation, user, message=""):
    if organisation.memberships.filter(user=user).exists():
        raise OrganisationError(_("Vous faites déjà partie de cette organisation."))
    # A request left unanswered past its validity no longer blocks a new one (one pending per person).
    JoinRequest.objects.expired().filter(organisation=organisation, user=user, status=JoinRequestStatus.PENDING).update(
        status=JoinRequestStatus.EXPIRED
    )
    join_request, created = JoinRequest.objects.get_or_create(
        organisation=organisation, user=user, status=JoinRequestStatus.PENDING, defaults={"message": message}
    )
    if not created:
        raise OrganisationError(_("Votre demande est déjà en attente de réponse."))
    owners = list(organisation.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True))
    territory = current_territory()
    context = {
        "organisation": organisation,
        "requester": user,
        "message": message,
        "territory": territory,
        "url": territory_url(territory, "organisations:detail", pk=organisation.pk),
    }
    queue_email(
        owners, "organisations/email/join_request_subject.txt", "organisations/email/join_request_message.txt", context
    )
    return join_request


@transaction.atomic
def withdraw_join_request(join_request):
    """The requester changes their mind; an answered request stays as it was."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequestStatus.PENDING:
        raise OrganisationError(_("Cette demande a déjà été traitée."))
    join_request.status = JoinRequestStatus.WITHDRAWN
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_at"])
    return join_request


@transaction.atomic
def decide_join_request(join_request, owner, accept):
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status == JoinRequestStatus.WITHDRAWN:
        raise OrganisationError(_("Cette demande a été retirée par la personne qui l'avait envoyée."))
    if join_request.is_expired:
        raise OrganisationError(
            _("Cette demande a expiré : la personne peut en envoyer une nouvelle, ou vous pouvez l'inviter.")
        )
    if join_request.status != JoinRequestStatus.PENDING:
        raise OrganisationError(_("Cette demande a déjà été traitée."))
    join_request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = owner
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if accept:
        Membership.objects.get_or_create(
            user=join_request.user, organisation=join_request.organisation, defaults={"role": MembershipRole.MEMBER}
        )
    return join_request


def _ensure_an_owner_remains(organisation, leaving_membership):
    other_owners = organisation.memberships.filter(role=MembershipRole.OWNER).exclude(pk=leaving_membership.pk)
    if leaving_membership.is_owner and not other_owners.exists():
        raise OrganisationError(_("L'organisation doit garder au moins un·e responsable."))


@transaction.atomic
def remove_member(membership):
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    _ensure_an_owner_remains(membership.organisation, membership)
    membership.delete()


@transaction.atomic
def change_member_role(membership, role):
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    if role == MembershipRole.MEMBER:
        _ensure_an_owner_remains(membership.organisation, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def update_organisation(organisation, **fields):
    moved = "commune_code" in fields and fields["commune_code"] != organisation.commune_code
    for name, value in fields.items():
        setattr(organisation, name, value)
    if moved:
        _check_territory(organisation)
    _save_with_unique_siret(organisation)
    return organisation


def _check_territory(organisation):
    """Flag an organisation whose commune is outside the territory's: staff accept it (accept_organisation).
    A move to another commune outside asks again; one whose commune is only a name is not judged."""
    territory = current_territory()
    outside = bool(organisation.commune_code) and communes.is_outside(territory.siren, organisation.commune_code)
    organisation.outside_territory = outside
    organisation.accepted_at = None
    organisation.accepted_by = None


@transaction.atomic
def accept_organisation(organisation, staff_member):
    """Territory staff accept an organisation registered outside the territory's communes."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.awaits_acceptance:
        raise OrganisationError(_("Cette organisation n'attend pas d'acceptation."))
    organisation.accepted_at = timezone.now()
    organisation.accepted_by = staff_member
    organisation.save(update_fields=["accepted_at", "accepted_by"])
    return organisation


def deletion_summary(organisation):
    """What deleting `organisation` takes with it, for its confirmation page."""
    answers = Organisation.objects.filter(pk=organisation.pk).aggregate(count=Count("assessments__answers"))
    return {
        "members": organisation.memberships.count(),
        "assessments": organisation.assessments.count(),
        "answers": answers["count"],
        "invitations": organisation.invitations.open().count(),
        "join_requests": organisation.join_requests.pending().count(),
    }


@transaction.atomic
def delete_organisation(organisation):
    """Delete the organisation with its memberships, invitations, join requests, assessments and answers.

    The people's accounts stay: they only stop being members.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.delete()
