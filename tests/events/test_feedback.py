"""After the event, those who came give their opinion once; « de l'atelier au plan » in one click."""

import html
import re

import pytest

from events.feedback import FeedbackError, FeedbackInput, give_feedback
from events.models import Feedback
from toolbox.models import PlanItem

from ..toolbox.factories import ActionFactory, ActionStepFactory, PlanItemFactory
from .factories import EventFactory, OrganisationFactory, RegistrationFactory, UserFactory, member_of, past_event


@pytest.fixture
def organisation(in_a):
    return OrganisationFactory(name="Boulangerie du Clain")


@pytest.fixture
def person(organisation):
    return member_of(organisation, UserFactory(first_name="Camille", last_name="Roux"))


@pytest.fixture
def signed_in(client_a, person):
    client_a.force_login(person)
    return client_a


def attendance(event, organisation, person, **fields):
    return RegistrationFactory(event=event, organisation=organisation, user=person, **fields)


@pytest.mark.parametrize("marked", ["present", ""])
def test_an_attendee_gives_feedback_once_from_the_page(in_a, signed_in, organisation, person, marked):
    event = past_event()
    registration = attendance(event, organisation, person, attendance=marked)
    url = f"/evenements/{event.pk}/avis/"

    assert "Votre avis sur l'événement" in signed_in.get(f"/evenements/{event.pk}/").content.decode()
    response = signed_in.post(
        url, {"satisfaction": "4", "keep": "Les échanges", "change": "Plus de temps"}, follow=True
    )

    feedback = Feedback.objects.get()
    assert (feedback.registration, feedback.satisfaction, feedback.keep, feedback.change) == (
        registration,
        4,
        "Les échanges",
        "Plus de temps",
    )
    assert "Merci pour votre avis" in response.content.decode()
    assert "Votre avis sur l'événement" not in response.content.decode()
    again = signed_in.post(url, {"satisfaction": "1"}, follow=True)
    assert "une seule fois" in again.content.decode()
    assert Feedback.objects.get().satisfaction == 4


@pytest.mark.parametrize("satisfaction", ["", "0", "6", "très"])
def test_a_satisfaction_outside_1_to_5_is_refused_and_nothing_stored(
    in_a, signed_in, organisation, person, satisfaction
):
    event = past_event()
    attendance(event, organisation, person)

    response = signed_in.post(f"/evenements/{event.pk}/avis/", {"satisfaction": satisfaction, "keep": "Tout"})

    assert response.status_code == 400
    assert "Le formulaire contient une erreur" in response.content.decode()
    assert "\nTout</textarea>" in response.content.decode()  # what was typed stays
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("when", "fields"),
    [
        ("future", {}),
        ("past", {"attendance": "absent"}),
        ("past", {"status": "waitlisted"}),
        ("past", {"status": "cancelled"}),
    ],
)
def test_only_people_who_came_to_an_event_that_is_over_give_feedback(
    in_a, signed_in, organisation, person, when, fields
):
    event = past_event() if when == "past" else EventFactory()
    attendance(event, organisation, person, **fields)

    assert "Votre avis sur l'événement" not in signed_in.get(f"/evenements/{event.pk}/").content.decode()
    response = signed_in.post(f"/evenements/{event.pk}/avis/", {"satisfaction": "5"}, follow=True)
    assert "Seules les personnes venues" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_service_refuses_someone_else_than_the_registered_person(in_a, organisation, person):
    registration = attendance(past_event(), organisation, person)

    with pytest.raises(FeedbackError):
        give_feedback(registration, member_of(organisation), FeedbackInput(5))


def test_the_service_reports_every_problem_at_once(in_a, organisation, person):
    registration = attendance(past_event(), organisation, person)

    with pytest.raises(FeedbackError) as caught:
        give_feedback(registration, person, FeedbackInput(9, keep="x" * 2001))
    assert set(caught.value.errors) == {"satisfaction", "keep"}


@pytest.fixture
def workshop(in_a):
    """A past workshop that works on two actions, and its format on a third (and on a hidden one)."""
    from events.models import WorkshopFormat

    event = past_event(title="Atelier énergie")
    first, second = ActionFactory(title="Isoler les combles"), ActionFactory(title="Suivre ses consommations")
    ActionStepFactory(action=first, text="Demander un devis")
    event.actions.add(first, second)
    workshop_format = WorkshopFormat.objects.create(
        code="CAFE",
        name="World café",
        objective="Échanger",
        phase="explore",
        duration_minutes=90,
        group_min=8,
        group_max=40,
    )
    workshop_format.actions.add(ActionFactory(title="Trier les biodéchets"), ActionFactory(title="Cachée", hidden=True))
    event.format = workshop_format
    event.save()
    return event


def test_an_attendee_adds_the_event_actions_to_the_plan_in_one_click(in_a, signed_in, organisation, person, workshop):
    attendance(workshop, organisation, person)
    PlanItemFactory(organisation=organisation, action=workshop.actions.get(title="Suivre ses consommations"))

    page = signed_in.get(f"/evenements/{workshop.pk}/").content.decode()
    response = signed_in.post(f"/evenements/{workshop.pk}/plan/", {"organisation": organisation.pk}, follow=True)

    assert "Ajouter ces actions à mon plan d'actions" in page and "Cachée" not in page
    titles = set(PlanItem.objects.filter(organisation=organisation).values_list("title", flat=True))
    assert titles == {"Isoler les combles", "Suivre ses consommations", "Trier les biodéchets"}
    assert PlanItem.objects.get(title="Isoler les combles").steps.count() == 1
    assert "2 actions ajoutées au plan d'actions de la Boulangerie du Clain" in html.unescape(response.content.decode())
    again = signed_in.post(f"/evenements/{workshop.pk}/plan/", {"organisation": organisation.pk}, follow=True)
    assert "déjà dans votre plan" in html.unescape(again.content.decode())
    assert PlanItem.objects.filter(organisation=organisation).count() == 3


def test_the_one_click_is_for_attendees_after_the_event(in_a, signed_in, organisation, person, workshop):
    attendance(workshop, organisation, person, attendance="absent")

    page = signed_in.get(f"/evenements/{workshop.pk}/").content.decode()
    response = signed_in.post(f"/evenements/{workshop.pk}/plan/", {"organisation": organisation.pk}, follow=True)

    assert "Ajouter ces actions à mon plan d'actions" not in page
    assert "après avoir participé" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_the_one_click_needs_a_membership_of_the_organisation(in_a, signed_in, workshop):
    other = OrganisationFactory()

    assert signed_in.post(f"/evenements/{workshop.pk}/plan/", {"organisation": other.pk}).status_code == 404


def test_the_satisfaction_scale_is_drawn_as_state_design_system_radio_buttons(in_a, signed_in, organisation, person):
    event = past_event()
    attendance(event, organisation, person)

    html = signed_in.get(f"/evenements/{event.pk}/").content.decode()

    # Django's bare option template would wrap each input in its label, outside any fr-radio-group.
    assert len(re.findall(r'<div class="fr-radio-group">\s*<input type="radio" name="satisfaction"', html)) == 5
    assert re.search(r'<label class="fr-label"\s+for="id_satisfaction_0">', html)
