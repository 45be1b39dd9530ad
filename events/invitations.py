"""Maturity-aware invitations: staff invite the organisations whose weakest themes, in their latest
submitted assessment, are among the event's themes, and the email says so.

« Weakest » is the results page's « priorities »: the PRIORITIES_COUNT lowest-scored themes, ties by
code, « non évalué » left out (referentiel.scoring.strengths_and_priorities), read from the scores
stored at submission. An organisation is invited once per event (EventInvitation, and the event row
locked while sending); people who opted out are never written to, nor those already registered.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from mailing.services import unsubscribe_headers
from organisations.models import Membership, Organisation
from referentiel import scoring
from referentiel.constants import PRIORITIES_COUNT
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from tenants.links import current_territory

from .enums import EventStatus, RegistrationStatus
from .models import Event, EventInvitation, InvitationOptOut, Registration
from .staff_mail import Site, email_event, where_text


class InvitationError(Exception):
    pass


# ---- pure: who matches, and why -----------------------------------------------------------------------


def weakest_themes(theme_scores, n=PRIORITIES_COUNT):
    """The n lowest-scored theme codes of stored theme scores ({code: {"score": …}}), weakest first."""
    themes = {
        code: scoring.ThemeScore(theme=code, score=None if data.get("score") is None else float(data["score"]),
                                 level=data.get("level"), answered=0, applicable=0)
        for code, data in (theme_scores or {}).items()
    }  # fmt: skip
    _strongest, weakest = scoring.strengths_and_priorities(
        scoring.AssessmentScore(overall=None, level=None, themes=themes), n
    )
    return weakest


@dataclass(frozen=True)
class Match:
    themes: tuple  # the event's themes among the organisation's weakest, weakest first
    includes_weakest: bool  # the organisation's very weakest theme is one of them


def match(event_themes, theme_scores, n=PRIORITIES_COUNT):
    """How an organisation's latest scores meet the event's themes; None when they do not."""
    weakest = weakest_themes(theme_scores, n)
    wanted = set(event_themes)
    themes = tuple(code for code in weakest if code in wanted)
    if not themes:
        return None
    return Match(themes=themes, includes_weakest=themes[0] == weakest[0])


def reason_text(found, title_of):
    """The sentence of the email and of the preview: why this organisation is invited."""

    def name(code):
        return f"« {title_of(code) or code} »"

    if len(found.themes) == 1:
        template = (
            _(
                "Votre thème le plus faible lors de votre dernière auto-évaluation, %(themes)s, est au cœur de "
                "cet événement."
            )
            if found.includes_weakest
            else _(
                "L'un de vos thèmes les plus faibles lors de votre dernière auto-évaluation, %(themes)s, est au cœur "
                "de cet événement."
            )
        )
        return template % {"themes": name(found.themes[0])}
    names = get_text_list([name(code) for code in found.themes], _("et"))
    if found.includes_weakest:
        return _(
            "Plusieurs de vos thèmes les plus faibles lors de votre dernière auto-évaluation, %(themes)s, sont au "
            "cœur de cet événement, dont votre thème le plus faible, %(weakest)s."
        ) % {"themes": names, "weakest": name(found.themes[0])}
    return _(
        "Plusieurs de vos thèmes les plus faibles lors de votre dernière auto-évaluation, %(themes)s, sont au "
        "cœur de cet événement."
    ) % {"themes": names}


# ---- the database side --------------------------------------------------------------------------------


@dataclass
class Candidate:
    organisation: Organisation
    found: Match
    reason: str
    recipients: list = field(default_factory=list)  # members to write to
    opted_out: int = 0
    registered: int = 0


@dataclass
class Preview:
    candidates: list  # matched and with someone to write to
    unreachable: list  # matched, but every member opted out or is registered already
    already_invited: int


def _latest_scores(event):
    """{organisation id: theme scores of its latest submitted assessment}, of the kinds the event targets."""
    assessments = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
    if event.organisation_kinds:
        assessments = assessments.filter(organisation__kind__in=event.organisation_kinds)
    return dict(
        assessments.order_by("organisation_id", "-submitted_at")
        .distinct("organisation_id")
        .values_list("organisation_id", "theme_scores")
    )


def preview_invitations(event, referential):
    """Who would be invited now and why: five queries whatever the number of organisations."""
    if not event.themes:
        return Preview([], [], 0)
    invited = set(EventInvitation.objects.filter(event=event).values_list("organisation_id", flat=True))
    matches = {}
    for organisation_id, theme_scores in _latest_scores(event).items():
        found = match(event.themes, theme_scores)
        if found and organisation_id not in invited:
            matches[organisation_id] = found
    if not matches:
        return Preview([], [], len(invited))
    organisations = (
        Organisation.objects.filter(pk__in=matches)
        .only("pk", "name", "kind", "commune")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(user__is_active=True)
                .select_related("user")
                .only("pk", "organisation_id", "user__email", "user__first_name", "user__last_name", "user__is_active")
                .order_by("pk"),
            )
        )
        .order_by("name", "pk")
    )
    opted_out = set(InvitationOptOut.objects.values_list("user_id", flat=True))
    registered = set(
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("user_id", flat=True)
    )
    candidates, unreachable = [], []
    for organisation in organisations:
        found = matches[organisation.pk]
        candidate = Candidate(organisation, found, reason_text(found, referential.theme_title))
        for membership in organisation.memberships.all():
            if membership.user_id in opted_out:
                candidate.opted_out += 1
            elif membership.user_id in registered:
                candidate.registered += 1
            else:
                candidate.recipients.append(membership.user)
        (candidates if candidate.recipients else unreachable).append(candidate)
    return Preview(candidates, unreachable, len(invited))


@dataclass(frozen=True)
class Sent:
    organisations: int
    emails: int


@transaction.atomic
def send_invitations(event, invited_by, organisation_ids, referential):
    """Invite the chosen candidates. The event row is locked: two colleagues sending at once invite each
    organisation once (the second finds the first's invitations in its preview)."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != EventStatus.PUBLISHED:
        raise InvitationError(_("Publiez l'événement avant d'inviter : les invités doivent pouvoir s'inscrire."))
    if locked.starts_at <= timezone.now():
        raise InvitationError(_("L'événement a commencé : il est trop tard pour inviter."))
    chosen = [c for c in preview_invitations(locked, referential).candidates if c.organisation.pk in organisation_ids]
    if not chosen:
        raise InvitationError(_("Aucune organisation à inviter : cochez-en au moins une de la liste."))
    EventInvitation.objects.bulk_create(
        [
            EventInvitation(
                event=locked, organisation=c.organisation, matching_themes=list(c.found.themes), invited_by=invited_by
            )
            for c in chosen
        ]
    )
    site = Site(current_territory())
    where = where_text(locked, for_registrant=False)
    emails = 0
    for candidate in chosen:
        for user in candidate.recipients:
            opt_out_url = site.opt_out_url(user)
            email_event(
                site,
                user,
                locked,
                "staff_invitation",
                {
                    "organisation": candidate.organisation,
                    "reason": candidate.reason,
                    "where": where,
                    "opt_out_url": opt_out_url,
                },
                with_ics=False,
                headers=unsubscribe_headers(opt_out_url),
            )
            emails += 1
    return Sent(len(chosen), emails)


@transaction.atomic
def opt_out_of_invitations(user_id):
    """Record the refusal (once: a second click changes nothing). Returns the user, or None if unknown."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        InvitationOptOut.objects.get_or_create(user=user)
    return user
