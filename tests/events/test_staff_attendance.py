"""During and after: the attendance list on a phone, the registrants' exports, the feedback summary and
the figures the programme review reads."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.enums import Role
from events.enums import Attendance, RegistrationStatus
from events.figures import average_satisfaction, event_figures, feedback_summary, figures_by_event
from events.models import Feedback, Registration

from .factories import EventFactory, OrganisationFactory, UserFactory, member_of, register, territory_zone, utc

BASE = "/gestion/evenements"


@pytest.fixture
def staff_client(client_a, in_a):
    client_a.force_login(UserFactory(role=Role.STAFF))
    return client_a


# ---- attendance ----------------------------------------------------------------------------------


def test_staff_mark_present_and_absent_with_plain_forms(in_a, staff_client):
    event = EventFactory()
    alice, bob = register(event), register(event)
    waiting = register(event, status=RegistrationStatus.WAITLISTED)

    page = staff_client.get(f"{BASE}/{event.pk}/presences/").content.decode()
    assert page.count('name="attendance" value="present"') == 2  # the waitlisted person is not on the list
    response = staff_client.post(f"{BASE}/{event.pk}/presences/", {"registration": alice.pk, "attendance": "present"})
    staff_client.post(f"{BASE}/{event.pk}/presences/", {"registration": bob.pk, "attendance": "absent"})

    assert response["Location"] == f"{BASE}/{event.pk}/presences/#inscription-{alice.pk}"
    alice.refresh_from_db(), bob.refresh_from_db()
    assert (alice.attendance, bob.attendance) == (Attendance.PRESENT, Attendance.ABSENT)
    assert "1 présent · 1 absent · 0 à noter" in staff_client.get(f"{BASE}/{event.pk}/presences/").content.decode()
    # Only a confirmed seat of this very event can be marked.
    other = register(EventFactory())
    for registration in (waiting, other):
        staff_client.post(f"{BASE}/{event.pk}/presences/", {"registration": registration.pk, "attendance": "present"})
        registration.refresh_from_db()
        assert registration.attendance == ""


def test_the_attendance_page_costs_the_same_queries_for_2_or_40_registrants(
    in_a, staff_client, django_assert_num_queries
):
    event = EventFactory()
    for _ in range(2):
        register(event)
    staff_client.get(f"{BASE}/{event.pk}/presences/")
    # The user, the event, the registrants with their person and organisation.
    with django_assert_num_queries(3):
        staff_client.get(f"{BASE}/{event.pk}/presences/")
    for _ in range(38):
        register(event)
    with django_assert_num_queries(3):
        page = staff_client.get(f"{BASE}/{event.pk}/presences/").content.decode()
    assert page.count('value="absent"') == 40


# ---- exports --------------------------------------------------------------------------------------


@pytest.fixture
def in_mayotte(in_a, territory_a):
    with territory_zone(territory_a, "Indian/Mayotte"):
        yield territory_a


def test_the_exports_list_the_registrants_in_the_territory_time(in_mayotte, staff_client):
    event = EventFactory(title="Atelier énergie")
    organisation = OrganisationFactory(name='=HYPERLINK("http://x")', siret="73282932000074")
    first = register(
        event,
        user=member_of(organisation, UserFactory(first_name="Inès", last_name="Abdou")),
        organisation=organisation,
        attendance=Attendance.PRESENT,
    )
    Registration.objects.filter(pk=first.pk).update(created_at=utc(2027, 3, 1, 9, 30))
    register(event, status=RegistrationStatus.WAITLISTED)
    register(event, status=RegistrationStatus.CANCELLED)

    response = staff_client.get(f"{BASE}/{event.pk}/inscrits.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="inscrits-atelier-energie-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Nom", "Prénom", "Courriel", "Organisation"]
    assert len(rows) == 3  # headers, confirmed, waitlisted: the cancelled seat is not a registrant
    assert rows[1][0:2] == ["Abdou", "Inès"]
    assert rows[1][3] == '\'=HYPERLINK("http://x")'  # no formula
    assert rows[1][6:] == ["Inscrit", "01/03/2027 12:30", "Présent"]
    assert rows[2][6] == "Sur liste d'attente"

    workbook = load_workbook(io.BytesIO(staff_client.get(f"{BASE}/{event.pk}/inscrits.xlsx").content))
    sheet = workbook.active
    assert sheet["D2"].value == '=HYPERLINK("http://x")' and sheet["D2"].data_type == "s"
    assert sheet["H2"].value.isoformat() == "2027-03-01T12:30:00"
    assert sheet.max_row == 3


# ---- feedback and figures ------------------------------------------------------------------------


def test_the_feedback_page_sums_up_marks_and_lists_the_comments(in_a, staff_client):
    event = EventFactory()
    for mark, keep, change in ((5, "Les échanges entre pairs", ""), (4, "", "Plus de temps"), (4, "", "")):
        Feedback.objects.create(registration=register(event), satisfaction=mark, keep=keep, change=change)
    Feedback.objects.create(registration=register(EventFactory()), satisfaction=1, change="Autre événement")

    page = staff_client.get(f"{BASE}/{event.pk}/avis/").content.decode()

    assert (
        "Satisfaction moyenne : 4,3 / 5, sur 3 avis." in page or "Satisfaction moyenne : 4.3 / 5, sur 3 avis." in page
    )
    assert "Les échanges entre pairs" in page and "Plus de temps" in page
    assert "Autre événement" not in page
    # The marks' column: allauth's catalogue translates a bare « Note » into « Remarque ».
    assert '<th scope="col">Note</th>' in page and "Remarque" not in page


def test_event_figures_count_registered_present_and_satisfaction():
    rows = [
        (RegistrationStatus.CONFIRMED, Attendance.PRESENT),
        (RegistrationStatus.CONFIRMED, Attendance.PRESENT),
        (RegistrationStatus.CONFIRMED, Attendance.ABSENT),
        (RegistrationStatus.CONFIRMED, ""),
        (RegistrationStatus.WAITLISTED, ""),
        (RegistrationStatus.CANCELLED, ""),
    ]

    figures = event_figures(rows, [5, 4])

    assert (figures.registered, figures.waitlisted, figures.present, figures.absent, figures.unmarked) == (
        4,
        1,
        2,
        1,
        1,
    )
    assert (figures.feedback_count, figures.satisfaction, figures.attendance_rate) == (2, Decimal("4.5"), 67)
    assert event_figures([], []).satisfaction is None and event_figures([], []).attendance_rate is None


@given(st.lists(st.integers(min_value=1, max_value=5), max_size=60))
def test_the_average_stays_within_the_marks(marks):
    average = average_satisfaction(marks)
    summary = feedback_summary(marks)
    assert summary.count == len(marks) == sum(count for _mark, count in summary.distribution)
    if marks:
        assert min(marks) <= average <= max(marks)
        assert abs(average - Decimal(sum(marks)) / len(marks)) <= Decimal("0.05")
    else:
        assert average is None


def test_figures_by_event_reads_each_event_in_two_queries(in_a, django_assert_num_queries):
    first, second, empty = EventFactory(), EventFactory(), EventFactory()
    Feedback.objects.create(registration=register(first, attendance=Attendance.PRESENT), satisfaction=3)
    register(first, attendance=Attendance.ABSENT)
    register(second, status=RegistrationStatus.WAITLISTED)

    with django_assert_num_queries(2):
        figures = figures_by_event([first.pk, second.pk, empty.pk])

    assert (figures[first.pk].registered, figures[first.pk].present, figures[first.pk].satisfaction) == (2, 1, 3)
    assert figures[second.pk].waitlisted == 1
    assert empty.pk not in figures


def test_the_event_sheet_offers_the_exports_once_someone_is_registered(in_a, staff_client):
    event = EventFactory()
    export = f"{BASE}/{event.pk}/inscrits.csv"

    assert export not in staff_client.get(f"{BASE}/{event.pk}/").content.decode()
    register(event, attendance=Attendance.PRESENT)
    register(event, attendance=Attendance.ABSENT)
    register(event, attendance=Attendance.ABSENT)
    page = staff_client.get(f"{BASE}/{event.pk}/").content.decode()
    assert export in page and "1 présent, 2 absents" in page
