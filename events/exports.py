"""An event's registrants as a table of French headers, dates in the territory's zone, which
assett/exports.py writes as CSV and XLSX."""

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assett.exports import ExportTable

from .enums import RegistrationStatus
from .models import Registration

HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Courriel"),
    gettext_lazy("Organisation"),
    gettext_lazy("Type d'organisation"),
    gettext_lazy("SIRET"),
    gettext_lazy("État"),
    gettext_lazy("Inscrit le"),
    gettext_lazy("Présence"),
)
WIDTHS = (20, 20, 32, 32, 20, 16, 18, 18, 12)


def registrants_table(event, zone):
    """Confirmed seats first, then the waitlist in its order: who is in, who comes next."""
    registrations = (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user", "organisation")
        .order_by("status", "created_at", "pk")  # « confirmed » sorts before « waitlisted »
    )
    rows = []
    for registration in registrations:
        user, organisation = registration.user, registration.organisation
        rows.append(
            [
                user.last_name,
                user.first_name,
                user.email,
                organisation.name,
                organisation.get_kind_display(),
                organisation.siret,
                registration.get_status_display(),
                # Naive local time: spreadsheets have no zones, and staff read the territory's clock.
                registration.created_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
                registration.get_attendance_display() if registration.attendance else "",
            ]
        )
    return ExportTable(tuple(str(header) for header in HEADERS), tuple(rows), sheet_title=_("Inscrits"), widths=WIDTHS)


def filename(event):
    return f"inscrits-{slugify(event.title) or 'evenement'}-{event.starts_at:%Y-%m-%d}"
