"""Territory staff run their events: create and edit in the territory's time zone, publish, cancel,
and everyone registered hears of a change of time or place, or of the cancellation, with the .ics."""

import html
import re
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.enums import Role
from events.enums import EventMode, EventStatus, RegistrationStatus
from events.models import Event

from ..same_ids import align_next_ids
from .factories import EventFactory, UserFactory, register, territory_zone, utc

BASE = "/gestion/evenements"


@pytest.fixture
def staff(in_a):
    return UserFactory(email="charge.evenements@a.example", role=Role.STAFF)


@pytest.fixture
def staff_client(client_a, staff):
    client_a.force_login(staff)
    return client_a


@pytest.fixture
def in_mayotte(in_a, territory_a):
    """Territory A lives in Mayotte's zone (UTC+3) for the test (rolled back with it)."""
    with territory_zone(territory_a, "Indian/Mayotte"):
        yield territory_a


def form_data(event=None, **changes):
    data = {
        "title": "Atelier énergie",
        "kind": "workshop",
        "description": "Réduire la facture **ensemble**.",
        "themes": ["ENE"],
        "starts_at": "2027-03-10T18:00",
        "ends_at": "2027-03-10T20:00",
        "mode": "on_site",
        "place": "Hôtel de ville, Mamoudzou",
        "online_url": "",
        "capacity": "30",
        "seats_per_organisation": "2",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "reminder_days_before": "2",
        "contact": "evenements@a.example",
        "format": "",
    }
    if event is not None:
        zone = timezone.get_current_timezone()
        data.update(
            title=event.title,
            kind=event.kind,
            description=event.description,
            themes=event.themes,
            starts_at=f"{event.starts_at.astimezone(zone):%Y-%m-%dT%H:%M}",
            ends_at=f"{event.ends_at.astimezone(zone):%Y-%m-%dT%H:%M}",
            mode=event.mode,
            place=event.place,
            online_url=event.online_url,
            capacity="" if event.capacity is None else str(event.capacity),
            seats_per_organisation="" if event.seats_per_organisation is None else str(event.seats_per_organisation),
            reminder_days_before=str(event.reminder_days_before),
            contact=event.contact,
        )
    data.update(changes)
    return data


def parsed_ics(email):
    [attachment] = email.attachments
    assert attachment["mimetype"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    [vevent] = calendar.events
    return calendar, vevent


# ---- time zones -----------------------------------------------------------------------------------


def test_an_event_typed_at_18_in_mayotte_is_stored_15_utc_and_shown_18(in_mayotte, staff_client):
    response = staff_client.post(f"{BASE}/nouveau/", form_data())

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{event.pk}/"
    assert event.starts_at == utc(2027, 3, 10, 15, 0)
    assert event.status == EventStatus.DRAFT
    edit_page = staff_client.get(f"{BASE}/{event.pk}/modifier/").content.decode()
    assert 'value="2027-03-10T18:00"' in edit_page
    assert "18:00" in staff_client.get(f"{BASE}/{event.pk}/").content.decode()


def test_the_same_typed_time_in_paris_is_another_instant(in_a, staff_client):
    staff_client.post(f"{BASE}/nouveau/", form_data())

    assert Event.objects.get().starts_at == utc(2027, 3, 10, 17, 0)  # Paris is UTC+1 in March


def test_the_form_refuses_an_end_before_the_start_and_an_on_site_event_without_address(in_a, staff_client):
    response = staff_client.post(f"{BASE}/nouveau/", form_data(ends_at="2027-03-10T17:00", place=""))

    page = response.content.decode()
    assert response.status_code == 200
    assert "La fin doit venir après le début." in page
    assert "Indiquez l&#x27;adresse" in page
    assert not Event.objects.exists()


def test_the_themes_and_organisation_kinds_are_state_design_system_checkboxes(in_a, staff_client):
    page = staff_client.get(f"{BASE}/nouveau/").content.decode()

    for name in ("themes", "organisation_kinds"):
        assert re.search(rf'<div class="fr-checkbox-group">\s*<input type="checkbox" name="{name}"', page)
    assert re.search(r'<label class="fr-label"\s+for="id_organisation_kinds_0">', page)


def test_an_online_event_needs_its_link(in_a, staff_client):
    response = staff_client.post(f"{BASE}/nouveau/", form_data(mode="online", place=""))

    assert "Indiquez le lien de connexion" in response.content.decode()


# ---- publish, change, cancel ----------------------------------------------------------------------


def test_publishing_a_draft_puts_it_in_the_agenda(in_a, staff_client):
    event = EventFactory(status=EventStatus.DRAFT)

    staff_client.post(f"{BASE}/{event.pk}/publier/")

    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert event.sequence == 0


def test_a_change_of_time_bumps_the_sequence_and_tells_everyone_registered_with_the_new_ics(
    in_mayotte, staff_client, queued_emails
):
    event = EventFactory(starts_at=utc(2027, 3, 10, 15, 0), ends_at=utc(2027, 3, 10, 17, 0))
    confirmed, waiting, gone = (
        register(event),
        register(event, status=RegistrationStatus.WAITLISTED),
        register(event, status=RegistrationStatus.CANCELLED),
    )
    with timezone.override("Indian/Mayotte"):
        data = form_data(event, starts_at="2027-03-11T09:00", ends_at="2027-03-11T11:00")

    response = staff_client.post(f"{BASE}/{event.pk}/modifier/", data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1 and event.starts_at == utc(2027, 3, 11, 6, 0)
    emails = queued_emails(in_mayotte)
    assert sorted(email.recipients[0] for email in emails) == sorted([confirmed.user.email, waiting.user.email])
    assert gone.user.email not in {email.recipients[0] for email in emails}
    for email in emails:
        assert email.subject.startswith("Changement : ")
        assert "jeudi 11 mars 2027, de 09:00 à 11:00" in email.body
        calendar, vevent = parsed_ics(email)
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert vevent["SEQUENCE"] == 1
        assert vevent["UID"] == f"event-{event.uid}@assett"
        assert (vevent.DTSTART.hour, str(vevent["DTSTART"].params["TZID"])) == (9, "Indian/Mayotte")
    waiting_email = next(email for email in emails if email.recipients == [waiting.user.email])
    assert "en liste d'attente" in waiting_email.body
    assert "a changé de date ou d'horaire." in waiting_email.body


def test_a_change_of_place_tells_them_too_and_a_change_of_title_does_not(in_a, staff_client, queued_emails):
    event = EventFactory()
    register(event)

    staff_client.post(f"{BASE}/{event.pk}/modifier/", form_data(event, title="Nouveau titre"))
    event.refresh_from_db()
    assert (event.title, event.sequence, len(queued_emails(in_a))) == ("Nouveau titre", 0, 0)

    staff_client.post(
        f"{BASE}/{event.pk}/modifier/",
        form_data(event, mode=EventMode.HYBRID, online_url="https://visio.example.org/a"),
    )
    event.refresh_from_db()
    [email] = queued_emails(in_a)
    assert event.sequence == 1
    assert "En ligne : https://visio.example.org/a" in email.body
    assert "a changé de lieu ou de lien de connexion." in email.body


def test_cancelling_asks_for_confirmation_then_tells_everyone_with_a_cancel_ics(in_a, staff_client, queued_emails):
    event = EventFactory(capacity=1)
    confirmed = register(event)
    waiting = register(event, status=RegistrationStatus.WAITLISTED)

    page = staff_client.get(f"{BASE}/{event.pk}/annuler/").content.decode()
    assert "Les 2 personnes inscrites ou en attente recevront un courriel" in page
    staff_client.post(f"{BASE}/{event.pk}/annuler/", {"message": "La salle est inondée."})
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED  # not confirmed: nothing done

    response = staff_client.post(f"{BASE}/{event.pk}/annuler/", {"message": "La salle est inondée.", "confirm": "on"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.cancelled_at and event.sequence == 1
    emails = queued_emails(in_a)
    assert sorted(email.recipients[0] for email in emails) == sorted([confirmed.user.email, waiting.user.email])
    for email in emails:
        assert email.subject.startswith("Annulé : ")
        assert "La salle est inondée." in email.body
        calendar, vevent = parsed_ics(email)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == 1
    # A cancelled event is no longer edited, nor cancelled again.
    assert staff_client.get(f"{BASE}/{event.pk}/modifier/")["Location"] == f"{BASE}/{event.pk}/"
    staff_client.post(f"{BASE}/{event.pk}/annuler/", {"confirm": "on"})
    assert len(queued_emails(in_a)) == 2


@pytest.mark.parametrize(
    ("people", "told"),
    [
        (0, "L'événement est annulé. Personne n'était inscrit ni en attente : aucun courriel n'est parti."),
        (1, "L'événement est annulé. La personne inscrite ou en attente est prévenue par courriel."),
        (2, "L'événement est annulé. Les 2 personnes inscrites ou en attente sont prévenues par courriel."),
    ],
)
def test_the_cancellation_says_whom_it_told_in_words_agreeing_with_their_number(in_a, staff_client, people, told):
    event = EventFactory()
    for _ in range(people):
        register(event)

    response = staff_client.post(f"{BASE}/{event.pk}/annuler/", {"message": "Reporté.", "confirm": "on"}, follow=True)

    assert told in html.unescape(response.content.decode())


def test_a_change_told_to_one_person_says_so_in_the_singular(in_a, staff_client, queued_emails):
    event = EventFactory(starts_at=utc(2027, 3, 10, 15, 0), ends_at=utc(2027, 3, 10, 17, 0))
    register(event)

    response = staff_client.post(
        f"{BASE}/{event.pk}/modifier/",
        form_data(event, starts_at="2027-03-11T09:00", ends_at="2027-03-11T11:00"),
        follow=True,
    )

    assert "L'événement est enregistré. La personne inscrite est prévenue du changement." in html.unescape(
        response.content.decode()
    )
    assert len(queued_emails(in_a)) == 1


@pytest.mark.parametrize(
    ("capacity", "figures"), [(1, "1 personne inscrite sur 1 place"), (12, "1 personne inscrite sur 12 places")]
)
def test_the_event_s_figures_count_its_seats_in_words_agreeing_with_their_number(in_a, staff_client, capacity, figures):
    event = EventFactory(capacity=capacity)
    register(event)

    page = staff_client.get(f"{BASE}/{event.pk}/").content.decode()

    assert re.search(rf"{figures}\b", " ".join(page.split()))


# ---- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_upcoming_past_drafts_and_cancelled_with_their_counts(in_a, staff_client):
    now = timezone.now()
    upcoming = EventFactory(title="Rencontre à venir", capacity=20)
    register(upcoming)
    register(upcoming)
    register(upcoming, status=RegistrationStatus.WAITLISTED)
    register(upcoming, status=RegistrationStatus.CANCELLED)
    EventFactory(title="Atelier passé", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-2))
    EventFactory(title="Brouillon de visite", status=EventStatus.DRAFT)
    EventFactory(title="Webinaire annulé", status=EventStatus.CANCELLED)

    pages = {
        view: staff_client.get(f"{BASE}/?vue={view}").content.decode()
        for view in ("a-venir", "passes", "brouillons", "annules")
    }

    assert "Rencontre à venir" in pages["a-venir"] and "2 / 20" in pages["a-venir"]
    assert "Atelier passé" not in pages["a-venir"] and "Brouillon de visite" not in pages["a-venir"]
    assert "Atelier passé" in pages["passes"]
    assert "Brouillon de visite" in pages["brouillons"]
    assert "Webinaire annulé" in pages["annules"]


def test_the_list_writes_dates_the_french_way(in_a, staff_client):
    EventFactory(starts_at=utc(2027, 1, 4, 8, 0), ends_at=utc(2027, 1, 4, 9, 30))

    page = staff_client.get(f"{BASE}/").content.decode()

    # Month names are lower-case in French: not Django's « M » (« Jan »).
    assert "lundi 4 janvier 2027<br>09:00–10:30" in page


def test_the_list_costs_the_same_queries_for_3_or_30_events(in_a, staff_client, django_assert_num_queries):
    for _ in range(3):
        register(EventFactory())
    staff_client.get(f"{BASE}/")  # the session now in the cache
    # The user, then the events with their counts in one query.
    with django_assert_num_queries(2):
        staff_client.get(f"{BASE}/")
    for _ in range(27):
        register(EventFactory())
    with django_assert_num_queries(2):
        assert staff_client.get(f"{BASE}/").content.decode().count("/gestion/evenements/") >= 30


# ---- isolation ----------------------------------------------------------------------------------------


def test_territory_b_never_sees_an_event_of_a(territory_a, territory_b, client_b, db):
    align_next_ids([Event], territory_a, territory_b)
    with schema_context(territory_a.schema_name):
        event = EventFactory(title="Atelier secret de A")
    with schema_context(territory_b.schema_name):
        client_b.force_login(UserFactory(role=Role.STAFF))

    assert "Atelier secret de A" not in client_b.get(f"{BASE}/").content.decode()
    for page in ("", "modifier/", "presences/", "avis/", "invitations/", "inscrits.csv", "annuler/"):
        assert client_b.get(f"{BASE}/{event.pk}/{page}").status_code == 404, page
    assert client_b.post(f"{BASE}/{event.pk}/publier/").status_code == 404


def test_the_event_keeps_its_format_and_the_toolbox_actions_it_works_on(in_a, staff_client):
    from events.models import WorkshopFormat
    from tests.toolbox.factories import ActionFactory

    action, hidden = ActionFactory(title="Isoler les combles"), ActionFactory(hidden=True)
    workshop = WorkshopFormat.objects.create(
        code="cafe-du-territoire", name="Café du territoire", objective="Croiser les idées", phase="explore",
        duration_minutes=90, group_min=8, group_max=40,
    )  # fmt: skip
    page = staff_client.get(f"{BASE}/nouveau/").content.decode()
    assert "Isoler les combles" in page and hidden.title not in page

    staff_client.post(f"{BASE}/nouveau/", form_data(format=workshop.pk, actions=[action.pk]))

    event = Event.objects.get()
    assert event.format == workshop and list(event.actions.all()) == [action]
    detail = staff_client.get(f"{BASE}/{event.pk}/").content.decode()
    assert "Café du territoire" in detail and "Isoler les combles" in detail
