"""Events as iCalendar (RFC 5545), built with the icalendar library: the territory's feed that calendar
applications subscribe to, and the one-event file sent with each registration email.

Times carry the territory's TZID (with its VTIMEZONE), so that an event at 18:00 in Mayotte shows at
18:00 there whatever the reader's own zone. The UID never changes; SEQUENCE grows with every change of
time, place or status (events.models.Event.sequence), which is how a calendar knows its copy is old.
"""

import zoneinfo

import icalendar

from .enums import EventStatus

PRODUCT_ID = "-//ASSETT//Programme de transition écologique//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_uid(event):
    return f"event-{event.uid}@assett"


def _vevent(event, zone, url, for_registrant):
    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("sequence", event.sequence)
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title)
    description = event.description.strip()
    # The connection link is for registered people only: never in the public feed.
    if for_registrant and event.online_url:
        description = f"{description}\n\nLien de connexion : {event.online_url}".strip()
    if url:
        description = f"{description}\n\n{url}".strip()
        item.add("url", url)
    if description:
        item.add("description", description)
    location = event.place.strip()
    if not location and for_registrant and event.online_url:
        location = event.online_url
    if location:
        item.add("location", location)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def build_calendar(events, territory, *, urls=None, for_registrant=False, method="PUBLISH", name=None):
    """The calendar of `events` as bytes. `urls` maps an event's pk to its page's absolute address.

    `method` is PUBLISH for a feed or a file to add, CANCEL when telling registrants it is off.
    """
    zone = zoneinfo.ZoneInfo(territory.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name or territory.programme_name)
    calendar.add("x-wr-timezone", territory.time_zone)
    urls = urls or {}
    for event in events:
        calendar.add_component(_vevent(event, zone, urls.get(event.pk), for_registrant))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_file(event, territory, *, url=None, for_registrant=True):
    """One event's .ics: « ajouter à mon agenda » and the registration emails' attachment."""
    method = "CANCEL" if event.status == EventStatus.CANCELLED else "PUBLISH"
    return build_calendar(
        [event], territory, urls={event.pk: url}, for_registrant=for_registrant, method=method, name=event.title
    )


def file_name(event):
    return f"evenement-{event.pk}.ics"
