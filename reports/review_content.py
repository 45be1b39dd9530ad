"""What the programme review's PDF shows, as plain data: the dashboard's sections (review.sections.Review)
over one period, with the territory's branding. Its hash (reports.content.content_hash) says whether it
changed, as for a maturity report.

Every figure comes from the same `Review(period).sections` as /gestion/bilan/, already through the
small-group rule (a hidden figure is the text review.tables.SUPPRESSED): the PDF can show no more
than the page. Nothing that changes without the review changing (the time of the render) is in it.
"""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assett.dates import french_date
from review.sections import Review
from tenants.links import current_territory

from .content import _territory

# Bump when the template changes what a review shows: every review is then rendered again on request.
REVIEW_FORMAT = "1"


def period_label(period):
    """The period as the dashboard says it (templates/review/dashboard.html)."""

    def day(value):
        return french_date(value)

    if period.is_whole:
        return _("Depuis le début du programme.")
    if period.start and period.end:
        return _("Du %(start)s au %(end)s.") % {"start": day(period.start), "end": day(period.end)}
    if period.start:
        return _("Depuis le %(start)s.") % {"start": day(period.start)}
    return _("Jusqu'au %(end)s.") % {"end": day(period.end)}


def _table(table):
    return {
        "slug": table.slug,
        "title": str(table.title),
        "headers": [str(header) for header in table.headers],
        "rows": table.cell_rows(),
        "note": str(table.note),
        "chart": str(table.chart),
    }


def _section(section):
    # The section's link (a page of the site) is left out: a PDF is read away from the site.
    return {
        "slug": section.slug,
        "title": str(section.title),
        "intro": str(section.intro),
        "empty": str(section.empty),
        "tables": [_table(table) for table in section.tables],
    }


def review_content(period):
    """Everything the review's PDF shows for `period` (review.data.Period), in the territory's language
    and time zone."""
    territory = current_territory()
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(zoneinfo.ZoneInfo(territory.time_zone or settings.TIME_ZONE)),
    ):
        review = Review(period)
        branding = _territory(territory)
        branding.pop("presentation")  # not shown in the review
        return {
            "format": REVIEW_FORMAT,
            "kind": "review",
            "language": settings.LANGUAGE_CODE,
            "territory": branding,
            "period": {
                "start": period.start.isoformat() if period.start else "",
                "end": period.end.isoformat() if period.end else "",
                "label": period_label(period),
            },
            "sections": [_section(section) for section in review.sections],
        }
