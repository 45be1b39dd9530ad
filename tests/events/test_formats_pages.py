"""Territory staff's workshop formats: the library, a format's page, copy and adapt (fields, steps, with
the duration rule said in French), hide; an event's running order in the territory's zone; isolation."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from events.enums import EventKind, EventStatus
from events.format_services import WorkshopFormatError, copy_format, replace_steps, update_format
from events.models import Event, WorkshopFormat
from tenants.models import Territory
from tenants.resolution import forget_territories_in_process
from toolbox.enums import Origin

from ..same_ids import align_next_ids
from .format_factories import format_with_steps

BASE = "/gestion/deroules"


def make_user(email, role=Role.STAFF):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def staff_client(in_a, client_a):
    client_a.force_login(make_user("animation@a.example"))
    return client_a


def national(code="world-cafe"):
    return WorkshopFormat.objects.get(code=code)


def state(workshop_format):
    row = WorkshopFormat.objects.get(pk=workshop_format.pk)
    return (
        {field.name: getattr(row, field.name) for field in WorkshopFormat._meta.concrete_fields},
        list(row.steps.values_list("order", "title", "minutes", "instructions")),
        sorted(row.actions.values_list("code", flat=True)),
    )


def form_data(workshop_format, **changes):
    data = {
        "name": workshop_format.name,
        "objective": workshop_format.objective,
        "phase": workshop_format.phase,
        "duration_minutes": workshop_format.duration_minutes,
        "group_min": workshop_format.group_min,
        "group_max": workshop_format.group_max,
        "materials": workshop_format.materials,
        "facilitator_roles": workshop_format.facilitator_roles,
        "actions": [action.pk for action in workshop_format.actions.all()],
    }
    data.update(changes)
    return data


def steps_data(rows, initial, adjust=False):
    data = {
        "etapes-TOTAL_FORMS": str(len(rows)),
        "etapes-INITIAL_FORMS": str(initial),
        "etapes-MIN_NUM_FORMS": "0",
        "etapes-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"etapes-{index}-{key}": value for key, value in row.items()})
    if adjust:
        data["duree-adjust_duration"] = "on"
    return data


def current_rows(workshop_format):
    return [
        {"title": step.title, "minutes": step.minutes, "instructions": step.instructions, "ORDER": step.order}
        for step in workshop_format.steps.all()
    ]


# ---- the library and a format's page --------------------------------------------------------------


def test_the_library_lists_national_and_local_formats_by_phase(staff_client, django_assert_num_queries):
    copy = copy_format(national())
    format_with_steps(code="notre-atelier", name="Notre atelier maison", hidden=True)
    staff_client.get(f"{BASE}/")  # the session is cached from then on
    # The user, then the formats with their copies' sources and their events counted: one query.
    with django_assert_num_queries(2):
        response = staff_client.get(f"{BASE}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "World café : regards croisés sur un défi du territoire" in html
    assert f"copie de « {national().name} »" in html and copy.name in html
    assert "Notre atelier maison" in html and "masqué" in html
    assert html.index("Phase « Ouvrir »") < html.index("Phase « Explorer »") < html.index("Phase « S&#x27;engager »")
    assert "9 déroulés" in html


def test_a_national_format_s_page_offers_a_copy_but_no_edit(staff_client, django_assert_num_queries):
    workshop_format = national()
    staff_client.get(f"{BASE}/")
    # The user, the format, its steps, actions, copies and events.
    with django_assert_num_queries(6):
        response = staff_client.get(f"{BASE}/{workshop_format.pk}/")
    html = response.content.decode()
    assert "Copier pour l'adapter" in html
    assert f"{BASE}/{workshop_format.pk}/modifier/" not in html
    assert "+10&nbsp;min" in html and "Premier tour" in html
    assert "DEC-A06 – " in html
    for url in (f"{BASE}/{workshop_format.pk}/modifier/", f"{BASE}/{workshop_format.pk}/etapes/"):
        assert staff_client.get(url).status_code == 404
        assert staff_client.post(url, form_data(workshop_format, name="Changé")).status_code == 404
    assert national().name == workshop_format.name


def test_participants_never_see_the_library(in_a, client_a):
    client_a.force_login(make_user("participant@a.example", role=Role.PARTICIPANT))
    assert client_a.get(f"{BASE}/").status_code == 404
    assert client_a.post(f"{BASE}/{national().pk}/copier/").status_code == 404
    assert not WorkshopFormat.objects.filter(origin=Origin.LOCAL).exists()


# ---- copy and adapt -------------------------------------------------------------------------------


def test_copying_a_national_format_makes_a_local_one_and_leaves_the_national_alone(staff_client):
    source = national()
    before = state(source)

    response = staff_client.post(f"{BASE}/{source.pk}/copier/")

    copy = WorkshopFormat.objects.get(origin=Origin.LOCAL)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{copy.pk}/modifier/"
    assert (copy.code, copy.name, copy.copied_from) == ("world-cafe-local", f"{source.name} (copie locale)", source)
    _fields, steps, actions = state(copy)
    assert steps == before[1] and actions == before[2]

    # The copy is adapted: its fields, and its steps reordered, shortened, one removed, one added.
    response = staff_client.post(
        f"{BASE}/{copy.pk}/modifier/",
        form_data(copy, name="Notre world café", group_max=24, duration_minutes=90),
    )
    assert response.status_code == 302
    rows = current_rows(copy)
    rows[0]["ORDER"], rows[1]["ORDER"] = 2, 1  # swap the first two
    rows[2]["DELETE"] = "on"  # -20 min
    rows[4]["minutes"] = 25  # restitution 20 → 25 min
    rows.append({"title": "Pause", "minutes": 15, "instructions": "Café.", "ORDER": ""})
    response = staff_client.post(f"{BASE}/{copy.pk}/etapes/", steps_data(rows, initial=6))
    assert response.status_code == 302

    copy.refresh_from_db()
    assert copy.name == "Notre world café" and copy.group_max == 24
    assert list(copy.steps.values_list("order", "title", "minutes")) == [
        (1, "Premier tour", 20),
        (2, "Accueil et règles du café", 10),
        (3, "Troisième tour : des idées aux actions", 15),
        (4, "Restitution en plénière", 25),
        (5, "Clôture", 5),
        (6, "Pause", 15),
    ]
    assert state(source) == before
    # A second copy takes the next free code.
    staff_client.post(f"{BASE}/{source.pk}/copier/")
    assert WorkshopFormat.objects.filter(code="world-cafe-local-2", copied_from=source).exists()


def test_steps_that_do_not_fill_the_duration_are_refused_with_the_difference(staff_client):
    copy = copy_format(national())
    before = state(copy)
    rows = current_rows(copy)
    rows[1]["minutes"] = 30  # 20 → 30: ten minutes too many

    response = staff_client.post(f"{BASE}/{copy.pk}/etapes/", steps_data(rows, initial=6))

    assert response.status_code == 200
    assert (
        "Les étapes ne sont pas enregistrées : les étapes durent 100 min, soit 10 min de plus que la durée du "
        "déroulé (90 min)."
    ) in response.content.decode().replace("&#x27;", "'")
    assert state(copy) == before

    response = staff_client.post(f"{BASE}/{copy.pk}/etapes/", steps_data(rows, initial=6, adjust=True))
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.duration_minutes == 100 == sum(copy.steps.values_list("minutes", flat=True))


def test_the_duration_cannot_drift_from_the_steps_and_group_bounds_are_checked(staff_client):
    copy = copy_format(national())
    before = state(copy)

    response = staff_client.post(f"{BASE}/{copy.pk}/modifier/", form_data(copy, duration_minutes=80, group_min=60))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Les étapes durent 90 min, soit 10 min de plus que la durée du déroulé (80 min)." in html
    assert "Le maximum de participants doit être au moins égal au minimum." in html
    assert state(copy) == before


def test_the_services_refuse_to_edit_a_national_format(in_a):
    source = national()
    with pytest.raises(WorkshopFormatError, match="copiez-le"):
        update_format(source, {"name": "Changé"})
    with pytest.raises(WorkshopFormatError, match="copiez-le"):
        replace_steps(source, [])


def test_hiding_a_format_keeps_it_for_the_events_that_use_it(staff_client):
    workshop_format = national("speed-meeting")
    event = Event.objects.create(
        title="Speed-meeting de rentrée",
        kind=EventKind.MEETING,
        starts_at=datetime(2027, 9, 14, 16, 0, tzinfo=UTC),
        ends_at=datetime(2027, 9, 14, 17, 0, tzinfo=UTC),
        format=workshop_format,
    )

    response = staff_client.post(f"{BASE}/{workshop_format.pk}/visibilite/", {"hidden": "1"})

    assert response.status_code == 302 and response["Location"] == f"{BASE}/#deroule-{workshop_format.pk}"
    workshop_format.refresh_from_db()
    event.refresh_from_db()
    assert workshop_format.hidden and event.format == workshop_format
    staff_client.post(f"{BASE}/{workshop_format.pk}/visibilite/", {"hidden": "0", "next": "detail"})
    workshop_format.refresh_from_db()
    assert not workshop_format.hidden


# ---- the running order --------------------------------------------------------------------------


def test_the_running_order_shows_clock_times_in_the_territory_s_zone(staff_client, django_assert_num_queries):
    Territory.objects.filter(schema_name=connection.schema_name).update(time_zone="Indian/Mayotte")
    forget_territories_in_process()
    event = Event.objects.create(
        title="World café de Tsingoni",
        kind=EventKind.WORKSHOP,
        starts_at=datetime(2027, 3, 10, 15, 0, tzinfo=UTC),  # 18:00 in Mayotte
        ends_at=datetime(2027, 3, 10, 16, 15, tzinfo=UTC),  # 19:15: the café runs 15 minutes over
        status=EventStatus.PUBLISHED,
        format=national(),
    )

    staff_client.get(f"{BASE}/")
    # The user, the event with its format, the steps, the event's actions, then the format's.
    with django_assert_num_queries(5):
        response = staff_client.get(f"/gestion/evenements/{event.pk}/deroule/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "mercredi 10 mars 2027, 18:00 – 19:15" in html
    for clock, title in [("18:00", "Accueil et règles du café"), ("18:10", "Premier tour"), ("19:25", "Clôture")]:
        assert f"<strong>{clock}</strong>" in html and title in html
    assert "Minutage, de 18:00 à 19:30 (90 min)" in html
    assert "Le déroulé se termine à 19:30, 15 min après la fin prévue de l'événement (19:15)." in html
    assert "css/running-order-print.css" in html and 'media="print"' in html


def test_an_event_without_a_format_says_so(staff_client):
    event = Event.objects.create(
        title="Webinaire",
        kind=EventKind.WEBINAR,
        starts_at=datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 16, 0, tzinfo=UTC),
    )
    response = staff_client.get(f"/gestion/evenements/{event.pk}/deroule/")
    assert response.status_code == 200
    assert "Cet événement n'utilise pas de déroulé d'atelier." in response.content.decode()


# ---- isolation ----------------------------------------------------------------------------------


def test_another_territory_never_sees_or_changes_a_s_formats(staff_client, client_b, territory_a, territory_b):
    align_next_ids([WorkshopFormat, Event], territory_a, territory_b)
    connection.set_tenant(territory_a)
    copy = copy_format(national())
    update_format(copy, {"name": "Le café de A"})
    event = Event.objects.create(
        title="Atelier de A",
        kind=EventKind.WORKSHOP,
        starts_at=datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 16, 30, tzinfo=UTC),
        format=copy,
    )
    before = state(copy)

    connection.set_tenant(territory_b)
    twin = format_with_steps(code="twin", name="Le format de B")
    assert twin.pk == copy.pk  # same id in both schemas: the page tells whose row it shows
    client_b.force_login(make_user("animation@b.example"))
    assert "Le café de A" not in client_b.get(f"{BASE}/").content.decode()
    assert "Le café de A" not in client_b.get(f"{BASE}/{copy.pk}/").content.decode()
    assert client_b.get(f"/gestion/evenements/{event.pk}/deroule/").status_code == 404
    client_b.post(f"{BASE}/{copy.pk}/visibilite/", {"hidden": "1"})
    client_b.post(f"{BASE}/{copy.pk}/modifier/", form_data(twin, name="Écrit par B"))

    connection.set_tenant(territory_a)
    assert state(copy) == before
    connection.set_tenant(territory_b)
    twin.refresh_from_db()
    assert twin.hidden and twin.name == "Écrit par B"
