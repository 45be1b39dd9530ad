"""Registering, cancelling and handing a seat over from the event page: French messages; bad input changes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Registration

from .factories import EventFactory, OrganisationFactory, RegistrationFactory, UserFactory, member_of, past_event


@pytest.fixture
def organisation(in_a):
    return OrganisationFactory(name="Boulangerie du Clain")


@pytest.fixture
def person(organisation):
    return member_of(organisation, UserFactory(first_name="Camille", last_name="Roux"))


@pytest.fixture
def colleague(organisation):
    return member_of(organisation, UserFactory(first_name="Alex", last_name="Martin"))


@pytest.fixture
def signed_in(client_a, person):
    client_a.force_login(person)
    return client_a


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_visitor_is_asked_to_sign_in_to_register(in_a, client_a):
    event = EventFactory()

    html = client_a.get(f"/evenements/{event.pk}/").content.decode()

    assert "Se connecter pour s'inscrire" in html
    assert client_a.post(f"/evenements/{event.pk}/inscription/")["Location"].startswith("/comptes/login/")


def test_the_page_offers_to_register_oneself_or_a_colleague(in_a, signed_in, organisation, colleague):
    event = EventFactory()

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()

    assert "Moi-même" in html and "Alex Martin" in html and "S'inscrire" in html


def test_registering_from_the_page(in_a, signed_in, organisation, person, queued_emails):
    event = EventFactory(capacity=3)

    response = signed_in.post(
        f"/evenements/{event.pk}/inscription/", {"organisation": organisation.pk, "person": person.pk}, follow=True
    )

    assert "Vous êtes inscrit·e." in " ".join(messages_of(response))
    assert Registration.objects.get(event=event).user == person
    assert "Annuler l'inscription" in response.content.decode()
    assert len(queued_emails(in_a)) == 1


def test_registering_a_colleague_from_the_page(in_a, signed_in, organisation, colleague):
    event = EventFactory()

    response = signed_in.post(
        f"/evenements/{event.pk}/inscription/", {"organisation": organisation.pk, "person": colleague.pk}, follow=True
    )

    assert "Alex Martin est inscrit·e." in " ".join(messages_of(response))
    assert Registration.objects.get(event=event).user == colleague


def test_a_full_event_says_waitlist(in_a, signed_in, organisation, person):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()
    response = signed_in.post(f"/evenements/{event.pk}/inscription/", {"organisation": organisation.pk}, follow=True)

    assert "S'inscrire sur la liste d'attente" in html
    assert "L'événement est complet : vous êtes sur la liste d'attente." in " ".join(messages_of(response))


def test_an_organisation_of_someone_else_is_a_404_and_nothing_is_written(in_a, signed_in):
    event = EventFactory()
    foreign = OrganisationFactory()
    member_of(foreign)

    assert signed_in.post(f"/evenements/{event.pk}/inscription/", {"organisation": foreign.pk}).status_code == 404
    assert signed_in.post(f"/evenements/{event.pk}/inscription/", {"organisation": "abc"}).status_code == 404
    assert not Registration.objects.exists()


def test_a_person_outside_the_organisation_is_refused_in_french(in_a, signed_in, organisation):
    event = EventFactory()
    stranger = UserFactory()

    response = signed_in.post(
        f"/evenements/{event.pk}/inscription/", {"organisation": organisation.pk, "person": stranger.pk}, follow=True
    )

    assert messages_of(response) == ["Choisissez une personne de votre organisation."]
    assert not Registration.objects.exists()


def test_a_closed_registration_says_so_and_writes_nothing(in_a, signed_in, organisation):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()
    response = signed_in.post(f"/evenements/{event.pk}/inscription/", {"organisation": organisation.pk}, follow=True)

    assert "Les inscriptions sont closes depuis le" in html and "S'inscrire</button>" not in html
    assert messages_of(response)[0].startswith("Les inscriptions sont closes depuis le")
    assert not Registration.objects.exists()


def test_cancelling_from_the_page_promotes_the_waitlisted(in_a, signed_in, organisation, person, queued_emails):
    event = EventFactory(capacity=1)
    mine = RegistrationFactory(event=event, organisation=organisation, user=person)
    waiting = RegistrationFactory(event=event, status="waitlisted")

    response = signed_in.post(f"/evenements/{event.pk}/inscriptions/{mine.pk}/annuler/", follow=True)

    assert messages_of(response) == ["Votre inscription est annulée."]
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert [email.recipients for email in queued_emails(in_a)] == [[person.email], [waiting.user.email]]


def test_a_colleague_cancels_for_a_member_of_the_organisation(in_a, signed_in, organisation, colleague, queued_emails):
    event = EventFactory()
    theirs = RegistrationFactory(event=event, organisation=organisation, user=colleague)
    page = signed_in.get(f"/evenements/{event.pk}/").content.decode()
    assert '<span class="fr-sr-only"> d&#x27;Alex Martin</span>' in page  # the button says whose

    response = signed_in.post(f"/evenements/{event.pk}/inscriptions/{theirs.pk}/annuler/", follow=True)

    assert messages_of(response) == ["L'inscription d'Alex Martin est annulée."]
    [email] = queued_emails(in_a)
    assert email.recipients == [colleague.email] and "Camille Roux a annulé votre inscription" in email.body


def test_a_registration_of_another_organisation_is_a_404(in_a, signed_in):
    event = EventFactory()
    other = RegistrationFactory(event=event)

    assert signed_in.post(f"/evenements/{event.pk}/inscriptions/{other.pk}/annuler/").status_code == 404
    assert signed_in.post(f"/evenements/{event.pk}/inscriptions/{other.pk}/ceder/").status_code == 404
    other.refresh_from_db()
    assert other.status == "confirmed"


def test_a_registration_under_another_event_url_is_a_404(in_a, signed_in, organisation, person):
    mine = RegistrationFactory(event=EventFactory(), organisation=organisation, user=person)
    elsewhere = EventFactory()

    assert signed_in.post(f"/evenements/{elsewhere.pk}/inscriptions/{mine.pk}/annuler/").status_code == 404


def test_handing_the_seat_over_from_the_page(in_a, signed_in, organisation, person, colleague, queued_emails):
    event = EventFactory()
    mine = RegistrationFactory(event=event, organisation=organisation, user=person)

    response = signed_in.post(
        f"/evenements/{event.pk}/inscriptions/{mine.pk}/ceder/", {"colleague": colleague.pk}, follow=True
    )

    assert messages_of(response) == ["La place est cédée à Alex Martin, qui reçoit la confirmation par courriel."]
    mine.refresh_from_db()
    assert mine.user == colleague
    assert queued_emails(in_a)[0].recipients == [colleague.email]


def test_handing_over_to_nobody_changes_nothing(in_a, signed_in, organisation, person):
    event = EventFactory()
    mine = RegistrationFactory(event=event, organisation=organisation, user=person)

    response = signed_in.post(f"/evenements/{event.pk}/inscriptions/{mine.pk}/ceder/", {"colleague": "x"}, follow=True)

    assert messages_of(response) == ["Choisissez la ou le collègue à qui céder la place."]
    mine.refresh_from_db()
    assert mine.user == person


def test_territory_b_never_sees_territory_a_registrations(in_a, organisation, person, client_b, territory_b):
    event = EventFactory()
    mine = RegistrationFactory(event=event, organisation=organisation, user=person)
    connection.set_tenant(territory_b)
    b_event = EventFactory()
    b_person = member_of(OrganisationFactory())
    client_b.force_login(b_person)  # the session lives in B's schema
    connection.set_tenant(in_a)

    assert client_b.post(f"/evenements/{b_event.pk}/inscriptions/{mine.pk}/annuler/").status_code == 404
    assert person.email not in client_b.get(f"/evenements/{b_event.pk}/").content.decode()


def test_the_readers_own_seat_comes_before_the_colleagues_they_registered(in_a, signed_in, organisation, person):
    event = EventFactory()
    first = member_of(organisation, UserFactory(first_name="Dominique", last_name="Bernard"))
    RegistrationFactory(event=event, organisation=organisation, user=first)
    RegistrationFactory(event=event, organisation=organisation, user=person)

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()

    section = html[html.index('id="inscription-titre"') :]
    assert section.index("<strong>Vous</strong>") < section.index("Dominique Bernard")


def test_a_past_event_says_it_took_place_and_offers_no_calendar_file(in_a, signed_in):
    event = past_event()

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()

    assert "Cet événement a eu lieu." in html
    assert f"/evenements/{event.pk}/agenda.ics" not in html
    upcoming = signed_in.get(f"/evenements/{EventFactory().pk}/").content.decode()
    assert "Cet événement a eu lieu." not in upcoming and "agenda.ics" in upcoming
