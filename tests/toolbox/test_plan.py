"""The action plan: services (rules, completion, steps, notes), the pages, the exports and the query counts."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from organisations.models import Organisation
from toolbox.enums import PlanStatus, Priority
from toolbox.models import PlanItem, PlanNote, PlanStep
from toolbox.plan import (
    ItemFields,
    PlanError,
    add_action_to_plan,
    add_plan_note,
    add_plan_step,
    create_plan_item,
    delete_plan_item,
    published_themes,
    set_step_done,
    update_plan_item,
)
from toolbox.plan_summary import ThemeProgress, grouped, theme_progress

from .factories import (
    ActionFactory,
    ActionStepFactory,
    OrganisationFactory,
    PlanItemFactory,
    PlanNoteFactory,
    PlanStepFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today():
    """The day of the test, not of the module's import: a run across midnight (Paris) stays right."""
    return timezone.localdate()


@pytest.fixture
def owner(in_a):
    return UserFactory(email="camille@example.org", first_name="Camille", last_name="Roux")


@pytest.fixture
def colleague(in_a):
    return UserFactory(email="dominique@example.org", first_name="Dominique", last_name="Martin")


@pytest.fixture
def organisation(owner, colleague):
    return OrganisationFactory(name="Boulangerie du Clain", members=[owner, colleague])


@pytest.fixture
def item(organisation, owner):
    return create_plan_item(organisation, owner, ItemFields(title="Changer les ampoules", theme="ENE"))


def plan_url(organisation, rest=""):
    return f"/organisations/{organisation.pk}/plan/{rest}"


def item_url(item, rest=""):
    return f"/organisations/{item.organisation_id}/plan/{item.pk}/{rest}"


def fields_of(item, **changes):
    values = {
        name: getattr(item, name)
        for name in ("title", "description", "theme", "status", "priority", "owner", "start_date", "target_date")
    }
    return ItemFields(**{**values, **changes})


def form_data(item, **changes):
    data = {
        "title": item.title,
        "description": item.description,
        "theme": item.theme,
        "status": item.status,
        "priority": item.priority,
        "owner": item.owner_id or "",
        "start_date": item.start_date.isoformat() if item.start_date else "",
        "target_date": item.target_date.isoformat() if item.target_date else "",
    }
    return {**data, **changes}


# --- Services ----------------------------------------------------------------------------------


def test_the_themes_offered_are_those_of_the_published_referential(in_a):
    codes = [code for code, _title in published_themes()]
    assert codes[:2] == ["PIL", "ENE"]
    assert len(codes) == 7


def test_an_item_of_ones_own_is_created_on_a_theme_of_the_referential(organisation, owner, colleague, today):
    item = create_plan_item(
        organisation,
        owner,
        ItemFields(title="  Un compost  ", theme="DEC", owner=colleague, target_date=today, priority=Priority.HIGH),
    )

    item.refresh_from_db()
    assert (item.title, item.theme, item.action, item.owner, item.created_by) == (
        "Un compost",
        "DEC",
        None,
        colleague,
        owner,
    )
    assert (item.status, item.priority, item.completed_at) == (PlanStatus.TODO, Priority.HIGH, None)


def test_every_problem_is_reported_at_once_in_french_and_nothing_is_created(organisation, owner):
    fields = ItemFields(title="", theme="XYZ", start_date=date(2027, 3, 1), target_date=date(2027, 2, 1))

    with pytest.raises(PlanError) as raised:
        create_plan_item(organisation, owner, fields)

    assert raised.value.errors == {
        "title": "Donnez un intitulé à l'action.",
        "theme": "Choisissez un des thèmes du référentiel.",
        "target_date": "L'échéance ne peut pas précéder la date de début (01/03/2027).",
    }
    assert not PlanItem.objects.exists()


def test_a_target_date_on_the_start_date_is_accepted(item, owner):
    day = date(2027, 3, 1)
    updated = update_plan_item(item, owner, fields_of(item, start_date=day, target_date=day))
    assert (updated.start_date, updated.target_date) == (day, day)


def test_the_owner_must_be_a_member_and_a_refusal_changes_nothing(item, owner):
    stranger = UserFactory()
    OrganisationFactory(members=[stranger])
    before = PlanItem.objects.values().get(pk=item.pk)

    with pytest.raises(PlanError) as raised:
        update_plan_item(item, owner, fields_of(item, owner=stranger, title="Autre titre"))

    assert raised.value.errors == {"owner": "Le ou la responsable doit être membre de l'organisation."}
    assert PlanItem.objects.values().get(pk=item.pk) == before


def test_completing_records_when_and_who_and_reopening_clears_them(item, owner, colleague):
    before = timezone.now()
    done = update_plan_item(item, colleague, fields_of(item, status=PlanStatus.DONE))
    assert done.completed_by == colleague
    assert before <= done.completed_at <= timezone.now()

    # Saved again while done (a colleague changes the priority): the first completion stays.
    again = update_plan_item(done, owner, fields_of(done, priority=Priority.LOW))
    assert (again.completed_at, again.completed_by) == (done.completed_at, colleague)

    reopened = update_plan_item(again, owner, fields_of(again, status=PlanStatus.IN_PROGRESS))
    reopened.refresh_from_db()
    assert (reopened.completed_at, reopened.completed_by) == (None, None)


def test_an_item_whose_theme_left_the_referential_keeps_it(organisation, owner):
    item = PlanItemFactory(organisation=organisation, action=None, theme="ANCIEN")
    item.organisation = organisation
    updated = update_plan_item(item, owner, fields_of(item, status=PlanStatus.IN_PROGRESS))
    assert updated.theme == "ANCIEN"


def test_overdue_is_computed_from_the_target_date_for_open_items_only(organisation, today):
    yesterday = today - timedelta(days=1)
    assert PlanItemFactory(organisation=organisation, target_date=yesterday).is_overdue()
    assert not PlanItemFactory(organisation=organisation, target_date=today).is_overdue()
    assert not PlanItemFactory(organisation=organisation, target_date=None).is_overdue()
    for status in (PlanStatus.DONE, PlanStatus.ABANDONED):
        assert not PlanItemFactory(organisation=organisation, target_date=yesterday, status=status).is_overdue()
    # Nothing stored: the same item is not overdue on a day before its target date.
    late = PlanItemFactory(organisation=organisation, target_date=yesterday)
    assert not late.is_overdue(today=yesterday - timedelta(days=1))


def test_ticking_a_step_records_who_and_when_and_ticking_again_keeps_the_first(item, owner, colleague):
    step = add_plan_step(item, "Faire le tour des ampoules")

    set_step_done(step, owner, done=True)
    first = step.done_at
    set_step_done(step, colleague, done=True)
    assert (step.done_at, step.done_by) == (first, owner)

    set_step_done(step, colleague, done=False)
    step.refresh_from_db()
    assert (step.done_at, step.done_by) == (None, None)


def test_a_new_step_goes_last_and_an_empty_one_is_refused(item):
    PlanStepFactory(item=item, order=7)
    assert add_plan_step(item, "Dernière").order == 8
    with pytest.raises(PlanError, match="Décrivez l'étape"):
        add_plan_step(item, "   ")
    assert item.steps.count() == 2


def test_a_note_is_dated_and_signed_and_an_empty_one_is_refused(item, colleague):
    note = add_plan_note(item, colleague, "  Devis reçu.  ")
    assert (note.text, note.author) == ("Devis reçu.", colleague)
    assert timezone.now() - note.created_at < timedelta(minutes=1)
    with pytest.raises(PlanError, match="La note est vide"):
        add_plan_note(item, colleague, "")
    assert item.notes.count() == 1


def test_deleting_an_item_removes_its_steps_and_notes_and_the_action_may_come_back(organisation, owner):
    action = ActionFactory()
    ActionStepFactory(action=action)
    item = add_action_to_plan(organisation, action, owner)
    add_plan_note(item, owner, "Une note")

    delete_plan_item(item)

    assert not PlanItem.objects.exists() and not PlanStep.objects.exists() and not PlanNote.objects.exists()
    assert add_action_to_plan(organisation, action, owner).steps.count() == 1


# --- Pure arrangement ----------------------------------------------------------------------------


def test_progress_counts_done_over_total_per_theme_without_abandoned_items():
    items = [
        PlanItem(theme="ENE", status=PlanStatus.DONE),
        PlanItem(theme="ENE", status=PlanStatus.TODO),
        PlanItem(theme="ENE", status=PlanStatus.ABANDONED),
        PlanItem(theme="PIL", status=PlanStatus.DONE),
        PlanItem(theme="OLD", status=PlanStatus.IN_PROGRESS),
    ]
    themes = [("PIL", "Pilotage"), ("ENE", "Énergie"), ("DEC", "Déchets")]

    assert theme_progress(items, themes) == [
        ThemeProgress("PIL", "Pilotage", 1, 1),
        ThemeProgress("ENE", "Énergie", 1, 2),
        ThemeProgress("OLD", "OLD", 0, 1),
    ]
    assert [p.percent for p in theme_progress(items, themes)] == [100, 50, 0]


ITEMS = st.lists(
    st.builds(
        PlanItem,
        pk=st.integers(1, 10_000),
        status=st.sampled_from(PlanStatus.values),
        priority=st.sampled_from(Priority.values),
        target_date=st.none() | st.dates(date(2025, 1, 1), date(2028, 1, 1)),
        theme=st.sampled_from(["ENE", "DEC"]),
    ),
    max_size=30,
)


# On a loaded shared host building model instances is slow: no deadline, no speed health check.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEMS)
def test_grouping_keeps_every_item_once_and_puts_the_overdue_first(items):
    today = date(2026, 12, 7)  # within ITEMS' dates
    groups = grouped(items, today)
    flat = [item for group in groups for item in group.items]
    assert sorted(id(item) for item in flat) == sorted(id(item) for item in items)
    overdue = [item.is_overdue(today) for item in flat]
    assert overdue == sorted(overdue, reverse=True)
    assert all(group.items for group in groups)


# --- Pages -------------------------------------------------------------------------------------


def test_the_plan_page_lists_overdue_first_with_progress_by_theme(client_a, organisation, owner, colleague, today):
    PlanItemFactory(organisation=organisation, title="Fait", theme="ENE", status=PlanStatus.DONE)
    PlanItemFactory(organisation=organisation, title="Plus tard", theme="ENE", target_date=today + timedelta(days=9))
    PlanItemFactory(
        organisation=organisation, title="Oubliée", theme="DEC", target_date=today - timedelta(days=3), owner=colleague
    )
    client_a.force_login(owner)

    html = client_a.get(plan_url(organisation)).content.decode()

    assert html.index("Oubliée") < html.index("Plus tard") < html.index("Fait")
    for item in PlanItem.objects.all():
        assert f'<a href="{reverse("toolbox:plan_item", args=[organisation.pk, item.pk])}">{item.title}</a>' in html
    assert html.index("En retard (1)") < html.index("À réaliser (1)") < html.index("Réalisées (1)")
    assert "Dominique Martin" in html
    assert "Énergie</strong> : 1 / 2 actions réalisées (50 %)" in html
    assert '<progress class="fr-col-12" max="2" value="1"' in html
    assert "0 / 1 action réalisée (0 %)" in html


@pytest.mark.parametrize(
    ("status_filter", "shown", "hidden"),
    [
        ("en-retard", ["Oubliée"], ["Plus tard", "Fait"]),
        ("done", ["Fait"], ["Oubliée", "Plus tard"]),
        ("ouvertes", ["Oubliée", "Plus tard"], ["Fait"]),
        ("", ["Oubliée", "Plus tard", "Fait"], []),
    ],
)
def test_the_plan_page_filters_by_status(client_a, organisation, owner, status_filter, shown, hidden, today):
    PlanItemFactory(organisation=organisation, title="Fait", status=PlanStatus.DONE)
    PlanItemFactory(organisation=organisation, title="Plus tard", target_date=today + timedelta(days=9))
    PlanItemFactory(organisation=organisation, title="Oubliée", target_date=today - timedelta(days=3))
    client_a.force_login(owner)

    html = client_a.get(plan_url(organisation), {"statut": status_filter}).content.decode()

    table = html[html.index("<h2>Actions du plan</h2>") :]
    assert all(f">{title}</a>" in table for title in shown)
    assert not any(f">{title}</a>" in table for title in hidden)


def test_an_empty_plan_says_how_to_fill_it(client_a, organisation, owner):
    client_a.force_login(owner)
    html = client_a.get(plan_url(organisation)).content.decode()
    assert "Votre plan d'actions est vide" in html
    assert "export.csv" not in html


def test_the_organisation_page_links_to_its_plan(client_a, organisation, colleague):
    client_a.force_login(colleague)
    assert f'href="{plan_url(organisation)}"' in client_a.get(f"/organisations/{organisation.pk}/").content.decode()


def test_creating_an_item_through_the_page(client_a, organisation, owner):
    client_a.force_login(owner)
    assert 'value="DEC"' in client_a.get(plan_url(organisation, "nouvelle/")).content.decode()

    response = client_a.post(
        plan_url(organisation, "nouvelle/"),
        {"title": "Composter", "theme": "DEC", "priority": "high", "owner": owner.pk, "target_date": "2027-06-30"},
    )

    item = PlanItem.objects.get()
    assert response["Location"] == item_url(item)
    assert (item.title, item.theme, item.priority, item.owner, item.target_date) == (
        "Composter",
        "DEC",
        "high",
        owner,
        date(2027, 6, 30),
    )


def test_dates_out_of_order_are_refused_with_a_french_message_on_the_field(client_a, organisation, owner):
    client_a.force_login(owner)

    response = client_a.post(
        plan_url(organisation, "nouvelle/"),
        {
            "title": "Composter",
            "theme": "DEC",
            "priority": "normal",
            "start_date": "2027-06-30",
            "target_date": "2027-01-01",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "L&#x27;échéance ne peut pas précéder la date de début (30/06/2027)." in html
    assert 'id="id_target_date-erreurs"' in html or "fr-input-group--error" in html
    assert not PlanItem.objects.exists()


def test_editing_an_item_completes_it_and_the_page_says_when_and_who(client_a, item, colleague):
    client_a.force_login(colleague)

    response = client_a.post(item_url(item), form_data(item, status="done", owner=colleague.pk, priority="high"))

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.owner, item.priority, item.completed_by) == ("done", colleague, "high", colleague)
    html = client_a.get(item_url(item)).content.decode()
    # The page speaks Paris time: between 23:00 and midnight UTC, the day is already the next one there.
    assert f"Réalisée le {timezone.localtime(item.completed_at):%-d}" in html
    assert "par Dominique Martin" in html


def test_a_forged_owner_outside_the_organisation_is_refused_on_the_page(client_a, item, owner):
    stranger = UserFactory(first_name="Sacha", last_name="Inconnu")
    OrganisationFactory(members=[stranger])
    client_a.force_login(owner)

    response = client_a.post(item_url(item), form_data(item, owner=stranger.pk, title="Changé"))

    assert response.status_code == 200
    assert "Sacha Inconnu" not in response.content.decode()
    item.refresh_from_db()
    assert (item.title, item.owner) == ("Changer les ampoules", None)


def test_the_owner_list_offers_the_members_only(client_a, item, owner):
    stranger = UserFactory(first_name="Sacha", last_name="Inconnu")
    OrganisationFactory(members=[stranger])
    client_a.force_login(owner)

    html = client_a.get(item_url(item)).content.decode()

    assert "Dominique Martin" in html and "Camille Roux" in html
    assert "Sacha Inconnu" not in html


def test_a_step_is_ticked_without_javascript(client_a, item, owner):
    step = add_plan_step(item, "Lister les ampoules")
    client_a.force_login(owner)

    response = client_a.post(item_url(item, f"etapes/{step.pk}/"), {"done": "1"})

    assert response["Location"] == item_url(item) + f"#etape-{step.pk}"
    step.refresh_from_db()
    assert step.done_by == owner
    assert "décocher l'étape" in client_a.get(item_url(item)).content.decode()


def test_a_step_is_ticked_and_unticked_in_place_with_htmx(client_a, item, owner):
    step = add_plan_step(item, "Lister les ampoules")
    client_a.force_login(owner)

    ticked = client_a.post(item_url(item, f"etapes/{step.pk}/"), {"done": "1"}, **HTMX)
    assert ticked.status_code == 200
    assert ticked.content.decode().startswith(f'<li id="etape-{step.pk}"')
    assert "<s>Lister les ampoules</s>" in ticked.content.decode()

    unticked = client_a.post(item_url(item, f"etapes/{step.pk}/"), {"done": "0"}, **HTMX)
    assert "<s>" not in unticked.content.decode()
    step.refresh_from_db()
    assert step.done_at is None


def test_adding_a_step_and_a_note_through_the_page(client_a, item, colleague):
    client_a.force_login(colleague)

    client_a.post(item_url(item, "etapes/"), {"etape-text": "Commander des LED", "etape-url": ""})
    client_a.post(item_url(item, "notes/"), {"note-text": "Le fournisseur livre jeudi."})

    html = client_a.get(item_url(item)).content.decode()
    assert "Commander des LED" in html
    assert "Le fournisseur livre jeudi." in html
    assert f"Le {timezone.localtime():%-d}" in html and ", Dominique Martin" in html


def test_an_empty_step_or_note_shows_the_form_again_with_its_error(client_a, item, owner):
    client_a.force_login(owner)

    step = client_a.post(item_url(item, "etapes/"), {"etape-text": ""})
    note = client_a.post(item_url(item, "notes/"), {"note-text": ""})

    assert step.status_code == note.status_code == 200
    assert "fr-input-group--error" in step.content.decode()
    assert "fr-input-group--error" in note.content.decode()
    assert not item.steps.exists() and not item.notes.exists()


def test_deleting_asks_for_confirmation_first(client_a, item, owner):
    PlanNoteFactory(item=item)
    client_a.force_login(owner)

    page = client_a.get(item_url(item, "supprimer/")).content.decode()
    assert "ses notes : 1." in page and "ses étapes : 0 ;" in page
    assert client_a.post(item_url(item, "supprimer/")).status_code == 200
    assert PlanItem.objects.filter(pk=item.pk).exists()

    response = client_a.post(item_url(item, "supprimer/"), {"confirm": "on"})
    assert response["Location"] == plan_url(item.organisation)
    assert not PlanItem.objects.exists()


# --- Exports -----------------------------------------------------------------------------------


@pytest.fixture
def exported_plan(organisation, owner, colleague):
    action = ActionFactory(code="ENE-LED", title="Passer aux LED")
    ActionStepFactory(action=action)
    led = add_action_to_plan(organisation, action, owner)
    led.organisation = organisation
    set_step_done(led.steps.get(), owner, done=True)
    update_plan_item(led, colleague, fields_of(led, status=PlanStatus.DONE, owner=colleague))
    create_plan_item(
        organisation,
        owner,
        ItemFields(
            title='=HYPERLINK("https://evil.example")',
            theme="DEC",
            status=PlanStatus.IN_PROGRESS,
            start_date=date(2025, 1, 6),
            target_date=date(2025, 2, 28),
        ),
    )
    return organisation


HEADERS = [
    "Intitulé",
    "Fiche de la boîte à outils",
    "Thème",
    "Statut",
    "En retard",
    "Priorité",
    "Responsable",
    "Date de début",
    "Échéance",
    "Réalisée le",
    "Réalisée par",
    "Étapes faites",
    "Étapes",
    "Description",
]


def test_the_csv_export_reads_back_with_french_headers_labels_dates_and_names(client_a, exported_plan, owner):
    client_a.force_login(owner)

    response = client_a.get(plan_url(exported_plan, "export.csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="plan-actions-boulangerie-du-clain-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADERS
    late, done = rows[1], rows[2]
    # The overdue one first; its formula-like title stays text.
    assert late[:9] == [
        '\'=HYPERLINK("https://evil.example")',
        "",
        "Déchets et économie circulaire",
        "En cours",
        "Oui",
        "Normale",
        "",
        "06/01/2025",
        "28/02/2025",
    ]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert done[:13] == [
        "Passer aux LED",
        "ENE-LED",
        "Énergie",
        "Réalisée",
        "Non",
        "Normale",
        "Dominique Martin",
        "",
        "",
        today,
        "Dominique Martin",
        "1",
        "1",
    ]


def test_the_xlsx_export_reads_back_with_real_dates_and_no_formula(client_a, exported_plan, owner):
    client_a.force_login(owner)

    response = client_a.get(plan_url(exported_plan, "export.xlsx"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    late, done = rows[1], rows[2]
    assert late[0] == '=HYPERLINK("https://evil.example")'
    assert sheet["A2"].data_type == "s"
    assert late[2:5] == ("Déchets et économie circulaire", "En cours", "Oui")
    assert (late[7].date(), late[8].date()) == (date(2025, 1, 6), date(2025, 2, 28))
    assert sheet["H2"].number_format == "DD/MM/YYYY"
    assert done[:7] == ("Passer aux LED", "ENE-LED", "Énergie", "Réalisée", "Non", "Normale", "Dominique Martin")
    assert done[9].date() == timezone.localdate()
    assert done[10:13] == ("Dominique Martin", 1, 1)


# --- Query counts ------------------------------------------------------------------------------


def _fill(organisation, count, owner):
    today = timezone.localdate()
    for index in range(count):
        item = PlanItemFactory(
            organisation=organisation,
            owner=owner,
            status=PlanStatus.values[index % 5],
            target_date=today + timedelta(days=index - count // 2),
            theme=["ENE", "DEC", "MOB"][index % 3],
        )
        PlanStepFactory(item=item)
        PlanStepFactory(item=item, done_at=timezone.now())


def _count_queries(client, url):
    """The queries of the first request after the plan changed (the plan page renders its items) and
    of the next one (it reads them rendered from the cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _request in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize("page", ["", "export.csv", "export.xlsx"])
def test_the_plan_page_and_exports_cost_the_same_queries_for_3_or_30_items(client_a, organisation, owner, page):
    client_a.force_login(owner)
    client_a.get(plan_url(organisation, page))  # the session and the referential's structure cached
    _fill(organisation, 3, owner)
    few = _count_queries(client_a, plan_url(organisation, page))
    _fill(organisation, 27, owner)
    assert PlanItem.objects.filter(organisation=organisation).count() == 30

    assert _count_queries(client_a, plan_url(organisation, page)) == few
    assert max(few) <= 6


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("Les Jardins Partagés", "Plan d'actions des Jardins Partagés"),
        ("Atelier Mécanique", "Plan d'actions de l&#x27;Atelier Mécanique"),
        ("Garage Martin", "Plan d'actions du Garage Martin"),
        ("Boulangerie du Clain", "Plan d'actions de la Boulangerie du Clain"),
        ("Lesieur", "Plan d'actions de Lesieur"),
    ],
)
def test_the_plan_s_heading_joins_de_to_the_organisation_s_name_as_french_does(
    client_a, organisation, owner, name, heading
):
    Organisation.objects.filter(pk=organisation.pk).update(name=name)
    client_a.force_login(owner)

    html = client_a.get(plan_url(organisation)).content.decode()

    assert f"<h1>{heading}</h1>" in html
