"""The events' section of the programme review: registered and present by event and by kind, a
satisfaction only from five opinions, cancelled events listed without figures, the period respected."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.enums import Role
from events.enums import Attendance, EventKind, EventStatus
from events.models import Feedback

from .factories import EventFactory, UserFactory, register

URL = "/gestion/bilan/"


@pytest.fixture
def staff_client(client_a, in_a):
    client_a.force_login(UserFactory(role=Role.STAFF))
    return client_a


def rows(html, slug):
    body = html[html.index(f'id="tableau-{slug}"') :].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def past(days, **fields):
    start = (timezone.now() - timedelta(days=days)).replace(second=0, microsecond=0)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def attended(event, marks=(), present=0, absent=0):
    for index in range(present + absent):
        registration = register(event, attendance=Attendance.PRESENT if index < present else Attendance.ABSENT)
        if index < len(marks):
            Feedback.objects.create(registration=registration, satisfaction=marks[index])


def test_the_review_counts_each_event_and_each_kind(staff_client):
    workshop = past(20, title="Atelier énergie", kind=EventKind.WORKSHOP)
    attended(workshop, marks=(5, 4, 4, 3, 5), present=6, absent=1)
    visit = past(10, title="Visite de la chaufferie", kind=EventKind.SITE_VISIT)
    attended(visit, marks=(2, 5), present=3)
    past(5, title="Webinaire annulé", kind=EventKind.WEBINAR, status=EventStatus.CANCELLED)
    EventFactory(title="Brouillon", status=EventStatus.DRAFT)

    html = staff_client.get(URL).content.decode()

    assert rows(html, "evenements-par-type") == [
        ["Atelier", "1", "7", "6", "4,2"],
        ["Visite de site", "1", "3", "3", "–"],  # two opinions: no average
    ]
    detail = rows(html, "evenements")
    assert [row[0] for row in detail] == ["Atelier énergie", "Visite de la chaufferie", "Webinaire annulé"]
    assert detail[0][3:] == ["7", "6", "5", "4,2"]
    assert detail[1][3:] == ["3", "3", "2", "–"]
    assert detail[2][2:] == ["Annulé", "–", "–", "–", "–"]
    assert "Brouillon" not in html


def test_a_period_keeps_the_events_that_start_in_it(staff_client):
    past(40, title="Rencontre d'octobre")
    past(3, title="Atelier de la semaine")
    since = (timezone.localdate() - timedelta(days=10)).isoformat()

    html = staff_client.get(URL, {"du": since}).content.decode()

    assert [row[0] for row in rows(html, "evenements")] == ["Atelier de la semaine"]


def test_the_events_table_exports_as_csv(staff_client):
    attended(past(3, title="Atelier export"), present=2)

    response = staff_client.get("/gestion/bilan/evenements.csv")

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "Atelier export" in text


def test_the_section_costs_three_queries_for_two_or_twenty_events(staff_client, django_assert_num_queries):
    from events.review_section import events_section
    from review.sections import Review

    for _ in range(2):
        attended(past(3), present=2, marks=(4,))
    with django_assert_num_queries(3):  # the events, their registrations, their opinions
        events_section(Review())
    for _ in range(18):
        attended(past(4), present=1)
    with django_assert_num_queries(3):
        assert len(events_section(Review()).tables[1].rows) == 20
