"""Staff on a phone. They take attendance without JavaScript: each person's two buttons are big enough
to tap, and a tap records the presence and comes back to the same person on the list. The programme
review's charts fit the screen, their text still readable."""

import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import User
from events.enums import Attendance
from events.models import Event, Registration
from organisations.models import Organisation

from ..conftest import TERRITORY_A
from ..events.factories import EventFactory, OrganisationFactory, UserFactory, member_of, register
from .test_assessment_flow import PASSWORD, log_in, orm_beside_playwright  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
MIN_TARGET = 44  # px: WCAG 2.5.5's target size, the usual floor for a finger


@pytest.fixture
def attendance_list(territory_a, django_db_blocker, orm_beside_playwright):  # noqa: F811
    tag = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        staff = User.objects.create_user(f"staff.{tag}@example.org", PASSWORD, role=Role.STAFF)
        staff.emailaddress_set.create(email=staff.email, verified=True, primary=True)
        event = EventFactory(title=f"Atelier {tag}")
        registrations = []
        for number in range(6):
            organisation = OrganisationFactory(name=f"Organisation {tag} {number}")
            person = member_of(organisation, UserFactory(first_name="Personne", last_name=f"N{number} {tag}"))
            registrations.append(register(event, user=person, organisation=organisation))
    yield staff, event, registrations
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        Event.objects.filter(pk=event.pk).delete()
        Organisation.objects.filter(name__contains=tag).delete()
        User.objects.filter(last_name__contains=tag).delete()
        User.objects.filter(pk=staff.pk).delete()


def test_on_a_phone_without_javascript_a_tap_marks_the_person_present(
    live_server_url, browser, attendance_list, territory_a, django_db_blocker
):
    staff, event, registrations = attendance_list
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(
        locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    path = f"/gestion/evenements/{event.pk}/presences/"
    log_in(page, base, staff.email, path)

    fifth = registrations[4]
    row = page.locator(f"#inscription-{fifth.pk}")
    present = row.get_by_role("button", name="Présent")
    absent = row.get_by_role("button", name="Absent")
    for button in (present, absent):
        box = button.bounding_box()
        assert box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling

    present.tap()

    expect(page).to_have_url(f"{base}{path}#inscription-{fifth.pk}")
    expect(page.locator(f"#inscription-{fifth.pk} .fr-badge")).to_have_text("Présent")
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assert Registration.objects.get(pk=fifth.pk).attendance == Attendance.PRESENT
        assert Registration.objects.filter(event=event, attendance="").count() == 5
    context.close()


def test_on_a_phone_the_programme_review_s_charts_fit_the_screen_and_stay_readable(
    live_server_url, browser, attendance_list
):
    staff, _event, _registrations = attendance_list
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, staff.email, "/gestion/bilan/")

    chart = page.get_by_role("img", name="Parcours des organisations")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # whole on the screen, no sideways scrolling
    label = chart.locator("text", has_text="Organisations inscrites")
    assert label.bounding_box()["height"] >= 12  # px: its text shrank with it, not below a readable size
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
