"""The events' section of the programme review (review/sections.py): what the territory's meetings
gathered in the period, by kind and event by event.

Events count when they started in the period, before now: the review tells what happened (the
upcoming ones are on the staff's events page). A cancelled one is listed, with no figures.
Registered and present are counts of people; an average satisfaction is shown from five opinions
on, so that a few attendees' marks cannot be read back from it.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from review.tables import Section, Table

from .dates import day
from .enums import EventKind, EventStatus
from .figures import event_figures, figures_by_event
from .models import Event

MIN_OPINIONS = 5


def _satisfaction(figures):
    if figures.feedback_count < MIN_OPINIONS or figures.satisfaction is None:
        return None
    return float(figures.satisfaction)


def _events(period):
    start, end = period.bounds()
    events = Event.objects.filter(
        status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], starts_at__lt=timezone.now()
    )
    if start:
        events = events.filter(starts_at__gte=start)
    if end:
        events = events.filter(starts_at__lt=end)
    return list(events.order_by("starts_at", "pk").only("pk", "title", "kind", "status", "starts_at"))


def events_section(review):
    events = _events(review.period)
    if not events:
        return Section(
            slug="evenements",
            title=_("Rencontres et ateliers"),
            empty=_("Aucun événement ne s'est tenu dans la période."),
        )
    figures = figures_by_event([event.pk for event in events])
    empty = event_figures((), ())
    held = [event for event in events if event.status == EventStatus.PUBLISHED]

    by_kind = []
    for kind, label in EventKind.choices:
        of_kind = [figures.get(event.pk, empty) for event in held if event.kind == kind]
        if not of_kind:
            continue
        marks = sum(item.feedback_count for item in of_kind)
        weighted = sum(float(item.satisfaction) * item.feedback_count for item in of_kind if item.satisfaction)
        by_kind.append(
            (
                str(label),
                len(of_kind),
                sum(item.registered for item in of_kind),
                sum(item.present for item in of_kind),
                round(weighted / marks, 1) if marks >= MIN_OPINIONS else None,
            )
        )
    summary = Table(
        slug="evenements-par-type",
        title=_("Événements par type"),
        headers=(_("Type"), _("Événements"), _("Inscrits"), _("Présents"), _("Satisfaction moyenne (sur 5)")),
        rows=tuple(by_kind),
        note=_("Les événements annulés ne sont pas comptés ; une moyenne s'affiche à partir de 5 avis."),
    )
    rows = []
    for event in events:
        item = figures.get(event.pk, empty)
        cancelled = event.status == EventStatus.CANCELLED
        rows.append(
            (
                event.title,
                day(timezone.localtime(event.starts_at)),
                _("Annulé") if cancelled else event.get_kind_display(),
                None if cancelled else item.registered,
                None if cancelled else item.present,
                None if cancelled else item.feedback_count,
                None if cancelled else _satisfaction(item),
            )
        )
    detail = Table(
        slug="evenements",
        title=_("Événements tenus dans la période"),
        headers=(
            _("Événement"),
            _("Date"),
            _("Type"),
            _("Inscrits"),
            _("Présents"),
            _("Avis"),
            _("Satisfaction (sur 5)"),
        ),
        rows=tuple(rows),
        note=_("Présents : les personnes inscrites marquées présentes par l'équipe."),
    )
    return Section(slug="evenements", title=_("Rencontres et ateliers"), tables=(summary, detail))
