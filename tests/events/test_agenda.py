"""The territory's agenda, an event's page and the calendars, as participants and visitors see them."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.db import connection
from django.utils import timezone

from events.enums import EventMode
from tenants.models import Territory

from .factories import EventFactory, OrganisationFactory, RegistrationFactory, member_of, past_event


@pytest.fixture
def mayotte(territory_a):
    """Territory A in Mayotte's zone for the test (rolled back with it)."""
    Territory.objects.filter(pk=territory_a.pk).update(time_zone="Indian/Mayotte")
    territory_a.time_zone = "Indian/Mayotte"
    yield territory_a
    territory_a.time_zone = "Europe/Paris"


def test_the_agenda_lists_published_upcoming_events_not_drafts(in_a, client_a):
    EventFactory(title="Atelier énergie")
    EventFactory(title="Brouillon secret", status="draft")
    past_event(title="Visite passée")
    EventFactory(title="Rencontre annulée", status="cancelled")

    html = client_a.get("/evenements/").content.decode()

    assert "Atelier énergie" in html and "Rencontre annulée" in html
    assert "Brouillon secret" not in html and "Visite passée" not in html
    assert "2 événements à venir" in html
    assert re.search(r"Annulé</p></li>\s*<li><p[^>]*>Atelier</p>", html)  # the cancelled one says so


def test_past_events_have_their_own_list(in_a, client_a):
    EventFactory(title="Atelier énergie")
    past_event(title="Visite passée")

    html = client_a.get("/evenements/?period=passes").content.decode()

    assert "Visite passée" in html and "Atelier énergie" not in html


def test_the_agenda_filters_by_theme_and_kind(in_a, client_a):
    EventFactory(title="Atelier énergie", themes=["ENE"], kind="workshop")
    EventFactory(title="Webinaire déchets", themes=["DEC"], kind="webinar")

    by_kind = client_a.get("/evenements/?kind=webinar").content.decode()
    by_theme = client_a.get("/evenements/?theme=ENE").content.decode()
    nonsense = client_a.get("/evenements/?kind=bal-masque")

    assert "Webinaire déchets" in by_kind and "Atelier énergie" not in by_kind
    assert "Atelier énergie" in by_theme and "Webinaire déchets" not in by_theme
    assert nonsense.status_code == 200 and "Webinaire déchets" in nonsense.content.decode()  # filters nothing


def test_an_event_at_15_utc_shows_18_00_on_a_mayotte_territory(in_a, mayotte, client_a):
    start = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)
    event = EventFactory(title="Atelier à Mamoudzou", starts_at=start, ends_at=start + timedelta(hours=2))

    agenda = client_a.get("/evenements/").content.decode()
    page = client_a.get(f"/evenements/{event.pk}/").content.decode()
    [vevent] = icalendar.Calendar.from_ical(client_a.get(f"/evenements/{event.pk}/agenda.ics").content).events

    assert "de 18:00 à 20:00" in agenda and "de 18:00 à 20:00" in page
    assert "dimanche 10 mars 2030" in page
    assert (vevent.DTSTART.hour, str(vevent["DTSTART"].params["TZID"])) == (18, "Indian/Mayotte")
    assert timezone.get_current_timezone_name() == "Europe/Paris"  # the zone does not outlive the request


def test_the_same_event_shows_in_paris_time_on_a_paris_territory(in_a, client_a):
    start = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))

    assert "de 16:00 à 18:00" in client_a.get(f"/evenements/{event.pk}/").content.decode()


def test_the_event_page_renders_the_markdown_description_safely(in_a, client_a):
    event = EventFactory(description="Venez **nombreux**.\n\n<script>alert(1)</script>")

    html = client_a.get(f"/evenements/{event.pk}/").content.decode()

    assert "<strong>nombreux</strong>" in html and "<script>alert(1)" not in html


def test_the_online_link_is_shown_only_to_registered_people(in_a, client_a):
    event = EventFactory(mode=EventMode.HYBRID, online_url="https://visio.example.org/salle-secrete")
    organisation = OrganisationFactory()
    registered, waiting, colleague = member_of(organisation), member_of(organisation), member_of(organisation)
    RegistrationFactory(event=event, organisation=organisation, user=registered)
    RegistrationFactory(event=event, organisation=organisation, user=waiting, status="waitlisted")
    url = f"/evenements/{event.pk}/"

    def link_shown():
        return "salle-secrete" in client_a.get(url).content.decode()

    assert not link_shown()  # visitor
    client_a.force_login(colleague)
    assert not link_shown()
    client_a.force_login(waiting)
    assert not link_shown()
    client_a.force_login(registered)
    assert link_shown()
    assert b"salle-secrete" in client_a.get(f"{url}agenda.ics").content
    client_a.logout()
    assert b"salle-secrete" not in client_a.get(f"{url}agenda.ics").content
    assert b"salle-secrete" not in client_a.get("/evenements/agenda.ics").content


def test_the_event_page_shows_seats_left_and_the_contact(in_a, client_a):
    event = EventFactory(capacity=10, seats_per_organisation=2, contact="Claire Martin, 05 49 00 00 00")
    for _ in range(3):
        RegistrationFactory(event=event)

    html = client_a.get(f"/evenements/{event.pk}/").content.decode()

    assert "7 places restantes" in html and "sur 10" in html and "2 places au plus par organisation" in html
    assert "Claire Martin, 05 49 00 00 00" in html


def test_a_draft_event_page_is_a_404(in_a, client_a):
    event = EventFactory(status="draft")

    assert client_a.get(f"/evenements/{event.pk}/").status_code == 404
    assert client_a.get(f"/evenements/{event.pk}/agenda.ics").status_code == 404


def test_the_feed_is_a_valid_calendar_of_published_events_with_their_pages(in_a, client_a):
    event = EventFactory(title="Atelier énergie")
    EventFactory(title="Rencontre annulée", status="cancelled")
    EventFactory(title="Brouillon secret", status="draft")

    response = client_a.get("/evenements/agenda.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    by_title = {str(vevent["SUMMARY"]): vevent for vevent in calendar.events}
    assert set(by_title) == {"Atelier énergie", "Rencontre annulée"}
    assert str(by_title["Rencontre annulée"]["STATUS"]) == "CANCELLED"
    assert str(by_title["Atelier énergie"]["URL"]) == f"http://territoire-a.localhost/evenements/{event.pk}/"


def test_the_agenda_offers_the_webcal_subscription(in_a, client_a):
    html = client_a.get("/evenements/").content.decode()

    assert 'href="webcal://territoire-a.localhost/evenements/agenda.ics"' in html


def test_the_event_file_is_a_download_named_after_the_event(in_a, client_a):
    event = EventFactory()

    response = client_a.get(f"/evenements/{event.pk}/agenda.ics")

    assert response["Content-Disposition"] == f'attachment; filename="evenement-{event.pk}.ics"'
    [vevent] = icalendar.Calendar.from_ical(response.content).events
    assert str(vevent["UID"]) == f"event-{event.uid}@assett"


def test_territory_b_never_sees_territory_a_events(in_a, client_b, territory_b):
    event = EventFactory(title="Atelier réservé à A")
    connection.set_tenant(territory_b)
    own = EventFactory(title="Atelier de B")
    connection.set_tenant(in_a)

    assert "Atelier réservé à A" not in client_b.get("/evenements/").content.decode()
    assert b"Atelier r\xc3\xa9serv\xc3\xa9 \xc3\xa0 A" not in client_b.get("/evenements/agenda.ics").content
    if own.pk != event.pk:
        assert client_b.get(f"/evenements/{event.pk}/").status_code == 404
        assert client_b.get(f"/evenements/{event.pk}/agenda.ics").status_code == 404
    else:  # the same id in B's schema is B's own event
        assert "Atelier de B" in client_b.get(f"/evenements/{event.pk}/").content.decode()


def _queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(50) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_agenda_costs_the_same_queries_for_2_or_20_events(in_a, client_a, django_assert_num_queries):
    person = member_of(OrganisationFactory())
    client_a.force_login(person)
    for _ in range(2):
        RegistrationFactory(event=EventFactory(capacity=5), user=person)
    client_a.get("/evenements/")  # the session is cached from then on
    # the published referential, the page of events (counted by the same query), the user, my registrations
    with django_assert_num_queries(4):
        client_a.get("/evenements/")
    for _ in range(18):
        RegistrationFactory(event=EventFactory(capacity=5))

    with django_assert_num_queries(4):
        html = client_a.get("/evenements/").content.decode()
    assert "20 événements à venir" in html


def test_the_event_page_costs_a_fixed_number_of_queries(in_a, client_a, django_assert_num_queries):
    from tests.toolbox.factories import ActionFactory

    organisation = OrganisationFactory()
    person = member_of(organisation)
    for _ in range(5):
        member_of(organisation)
    event = EventFactory(capacity=30)
    event.actions.add(*[ActionFactory() for _ in range(4)])
    for index in range(3):
        RegistrationFactory(event=event, organisation=organisation, user=organisation.memberships.all()[index + 1].user)
    client_a.force_login(person)
    client_a.get(f"/evenements/{event.pk}/")  # the session is cached from then on

    # event, published referential, seats, user, memberships, registrations, members, actions,
    # the plan's organisations
    with django_assert_num_queries(9):
        assert client_a.get(f"/evenements/{event.pk}/").status_code == 200


def test_the_feed_follows_a_changed_or_new_event_at_once(in_a, client_a):
    event = EventFactory(title="Atelier énergie")
    client_a.get("/evenements/agenda.ics")  # now cached
    event.title = "Atelier énergie (nouvelle salle)"
    event.save()

    changed = icalendar.Calendar.from_ical(client_a.get("/evenements/agenda.ics").content)
    EventFactory(title="Webinaire eau")
    added = icalendar.Calendar.from_ical(client_a.get("/evenements/agenda.ics").content)

    assert [str(e["SUMMARY"]) for e in changed.events] == ["Atelier énergie (nouvelle salle)"]
    assert len(added.events) == 2


def test_the_feed_costs_one_query_once_cached(in_a, client_a, django_assert_num_queries):
    for _ in range(5):
        EventFactory()
    client_a.get("/evenements/agenda.ics")

    with django_assert_num_queries(1):  # the events' count and latest change: the file comes from the cache
        assert client_a.get("/evenements/agenda.ics").status_code == 200
