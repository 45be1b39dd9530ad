"""An event's dates as people read them, in the zone that is active (the territory's, on its site):
« mercredi 10 mars 2027, de 18:00 à 20:00 ». One spelling for pages, lists and the organisation's page."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def when(starts_at, ends_at):
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return _("%(day)s, de %(start)s à %(end)s") % {
            "day": formats.date_format(start, "l j F Y"),
            "start": formats.time_format(start, "H:i"),
            "end": formats.time_format(end, "H:i"),
        }
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(start, "l j F Y, H:i"),
        "end": formats.date_format(end, "l j F Y, H:i"),
    }
