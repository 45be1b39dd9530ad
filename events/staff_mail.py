"""What the staff side and the background jobs put in their emails about an event: its links, its date
in the territory's words, and the .ics that goes with it.

Emails are rendered outside any request (a Celery worker, a staff view about many people): every date
is formatted here in the territory's own zone, never in whatever zone the process is in.
"""

import zoneinfo

from django.conf import settings
from django.core import signing
from django.urls import reverse

from mailing.services import attachment, queue_email
from tenants.links import site_url

from . import dates, ics
from .enums import EventMode

OPT_OUT_SALT = "events.invitation-opt-out"


class Site:
    """A territory and its primary domain, read once: a job that emails a thousand people asks once."""

    def __init__(self, territory):
        self.territory = territory
        self.domain = territory.get_primary_domain().domain
        self.zone = zoneinfo.ZoneInfo(territory.time_zone)
        # Every attendee gets the same .ics of an event: built once per version of it (20 ms each,
        # half of it the VTIMEZONE), not once per email.
        self._files = {}

    def url(self, path):
        return site_url(self.domain, path)

    def event_url(self, event):
        """The participants' page of the event."""
        return self.url(reverse("events:detail", args=[event.pk], urlconf=settings.ROOT_URLCONF))

    def opt_out_url(self, user):
        return self.url(reverse("events_invitations:opt_out", args=[opt_out_token(self.territory, user)]))

    def when(self, event):
        return dates.when(event.starts_at, event.ends_at, self.zone)

    def ics_attachment(self, event):
        key = (event.pk, event.sequence, event.status, event.updated_at)
        if key not in self._files:
            content = ics.event_file(event, self.territory, url=self.event_url(event)).decode()
            self._files = {key: attachment(ics.file_name(event), content, ics.CONTENT_TYPE)}
        return self._files[key]


def opt_out_token(territory, user):
    """A signed, login-free link to stop invitations. The salt names the schema: user ids repeat from one
    territory to the next, and A's link must never opt out B's user of the same id."""
    return signing.dumps(user.pk, salt=f"{OPT_OUT_SALT}:{territory.schema_name}")


def user_of_opt_out_token(territory, token):
    """The user id the token was made for, or None if it was not made for this territory."""
    try:
        return signing.loads(token, salt=f"{OPT_OUT_SALT}:{territory.schema_name}")
    except signing.BadSignature:
        return None


def where_text(event, *, for_registrant=True):
    """The place, and the connection link for registered people (never shown to others)."""
    lines = []
    if event.mode in (EventMode.ON_SITE, EventMode.HYBRID) and event.place:
        lines.append(f"Lieu : {' '.join(event.place.split())}")
    if event.mode in (EventMode.ONLINE, EventMode.HYBRID):
        if for_registrant and event.online_url:
            lines.append(f"En ligne : {event.online_url}")
        else:
            lines.append("En ligne : le lien de connexion est envoyé aux inscrits.")
    return "\n".join(lines)


def email_event(site, user, event, template, extra=None, *, with_ics=True, headers=None):
    """Queue one email about `event` to `user` from templates/events/email/<template>_{subject,message}.txt."""
    context = {
        "user": user,
        "event": event,
        "territory": site.territory,
        "when": site.when(event),
        "where": where_text(event),
        "event_url": site.event_url(event),
        "site_home": site.url("/"),
        **(extra or {}),
    }
    return queue_email(
        user.email,
        f"events/email/{template}_subject.txt",
        f"events/email/{template}_message.txt",
        context,
        attachments=[site.ics_attachment(event)] if with_ics else (),
        headers=headers,
    )
