"""The organisation's page lists its upcoming registrations and the territory's next events."""

import pytest
from django.template.loader import render_to_string

from events.templatetags.events_space import organisation_events

from .factories import EventFactory, OrganisationFactory, RegistrationFactory, UserFactory, member_of, past_event


@pytest.fixture
def organisation(in_a):
    return OrganisationFactory(name="Boulangerie du Clain")


def test_the_organisation_page_lists_its_registrations_and_the_next_events(in_a, client_a, organisation):
    person = member_of(organisation, UserFactory(first_name="Alex", last_name="Martin"))
    registered = EventFactory(title="Atelier énergie")
    RegistrationFactory(event=registered, organisation=organisation, user=person, status="waitlisted")
    RegistrationFactory(event=past_event(title="Visite passée"), organisation=organisation, user=person)
    RegistrationFactory(event=EventFactory(title="Inscrits ailleurs"))  # another organisation's registration
    EventFactory(title="Brouillon secret", status="draft")
    client_a.force_login(member_of(organisation))

    html = client_a.get(f"/organisations/{organisation.pk}/").content.decode()

    section = html[html.index("Rencontres et ateliers") : html.index("Voir l'agenda des rencontres")]
    mine, upcoming = section.split("Prochains événements")
    assert "Atelier énergie" in mine and "Alex Martin" in mine and "Sur liste d'attente" in mine
    assert "Visite passée" not in section and "Brouillon secret" not in section
    assert "Inscrits ailleurs" in upcoming and "Atelier énergie" not in upcoming


def test_the_organisation_section_costs_two_queries(in_a, organisation, django_assert_num_queries):
    for _ in range(5):
        RegistrationFactory(event=EventFactory(), organisation=organisation, user=member_of(organisation))
        EventFactory()

    with django_assert_num_queries(2):
        html = render_to_string(
            "events/includes/organisation_events.html",
            organisation_events(organisation),
        )
    assert html.count("<li>") == 5 + 3
