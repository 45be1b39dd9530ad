"""The toolbox as participants see it: the list's filters and pagination, an action's page, what is
never shown (hidden actions, expired schemes, another territory's actions), safe Markdown."""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from organisations.enums import OrganisationKind
from organisations.models import Organisation
from toolbox.constants import PEER_PROOF_MINIMUM
from toolbox.enums import CostBand, Duration, PlanStatus, SchemeKind
from toolbox.models import Action

from .factories import (
    ActionFactory,
    ActionQuestionFactory,
    ActionStepFactory,
    PartnerFactory,
    PlanItemFactory,
    SchemeFactory,
)

LIST_URL = "/boite-a-outils/"


@pytest.fixture(autouse=True)
def no_national_toolbox(territories, db):
    """Territories are provisioned with the national toolbox: these tests start from an empty one
    (deleted inside the test's transaction, so back after it)."""
    for territory in territories:
        connection.set_tenant(territory)
        Action.objects.all().delete()
    connection.set_schema_to_public()


def codes(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return re.findall(r'href="/boite-a-outils/([^/"]+)/"', response.content.decode())


def detail(client, code):
    return client.get(f"/boite-a-outils/{code}/")


def organisation(n):
    return Organisation.objects.create(
        name=f"Organisation {n}", kind=OrganisationKind.ENTREPRISE, headcount_band="02", commune="Poitiers"
    )


# ---- filters -------------------------------------------------------------------------------------------


def test_the_theme_filter_keeps_the_main_theme_and_the_other_themes(in_a, client_a):
    ActionFactory(code="T-MAIN", main_theme="DEC")
    ActionFactory(code="T-OTHER", main_theme="ENE", themes=["DEC"])
    ActionFactory(code="T-NOT", main_theme="ENE", themes=["MOB"])

    assert codes(client_a, theme="DEC") == ["T-MAIN", "T-OTHER"]


def test_the_level_and_kind_filters_keep_the_actions_meant_for_all(in_a, client_a):
    ActionFactory(code="L-1", levels=[1])
    ActionFactory(code="L-12", levels=[1, 2], organisation_kinds=[OrganisationKind.ASSOCIATION])
    ActionFactory(code="L-ALL", levels=[])
    ActionFactory(code="L-3", levels=[3], organisation_kinds=[OrganisationKind.ENTREPRISE])

    assert codes(client_a, level=2) == ["L-12", "L-ALL"]
    assert codes(client_a, kind=OrganisationKind.ENTREPRISE) == ["L-1", "L-3", "L-ALL"]
    assert codes(client_a, level=1, kind=OrganisationKind.ASSOCIATION) == ["L-1", "L-12", "L-ALL"]


def test_effort_and_cost_filters_keep_what_is_at_most_that_band(in_a, client_a):
    ActionFactory(code="E-DAYS", duration=Duration.DAYS, cost=CostBand.MEDIUM)
    ActionFactory(code="E-WEEKS", duration=Duration.WEEKS, cost=CostBand.FREE)
    ActionFactory(code="E-YEAR", duration=Duration.YEAR, cost=CostBand.LOW)

    assert codes(client_a, duration=Duration.DAYS) == ["E-DAYS"]
    assert codes(client_a, duration=Duration.WEEKS) == ["E-DAYS", "E-WEEKS"]
    assert codes(client_a, cost=CostBand.FREE) == ["E-WEEKS"]
    assert codes(client_a, cost=CostBand.LOW) == ["E-WEEKS", "E-YEAR"]
    assert codes(client_a, cost=CostBand.LOW, duration=Duration.MONTHS) == ["E-WEEKS"]


def test_free_support_means_a_current_free_support_scheme(in_a, client_a):
    today = timezone.localdate()
    current = SchemeFactory(kind=SchemeKind.FREE_SUPPORT, valid_until=today)
    expired = SchemeFactory(kind=SchemeKind.FREE_SUPPORT, valid_until=today - timedelta(days=1))
    grant = SchemeFactory(kind=SchemeKind.GRANT)
    ActionFactory(code="F-YES").schemes.add(current)
    ActionFactory(code="F-EXPIRED").schemes.add(expired)
    ActionFactory(code="F-GRANT").schemes.add(grant)
    ActionFactory(code="F-NONE")

    assert codes(client_a, free_support="on") == ["F-YES"]
    page = client_a.get(LIST_URL).content.decode()
    assert page.count(">Accompagnement gratuit</p>") == 1  # the badge, on F-YES's card only


def test_filters_and_search_combine(in_a, client_a):
    ActionFactory(code="C-A", main_theme="DEC", title="Composter les déchets")
    ActionFactory(code="C-B", main_theme="ALI", title="Composter les restes de repas")

    assert codes(client_a, q="composter", theme="DEC") == ["C-A"]


def test_an_unknown_filter_value_says_so_and_filters_nothing(in_a, client_a):
    ActionFactory(code="U-A")

    response = client_a.get(LIST_URL, {"theme": "<b>NOPE</b>", "level": "abc", "cost": "gratuit"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sélectionnez un choix valide" in page
    assert "<b>NOPE</b>" not in page
    assert "U-A" in page


def test_the_filters_offer_the_published_referential_s_themes_and_levels(in_a, client_a):
    page = client_a.get(LIST_URL).content.decode()
    assert re.search(r'<option value="ENE"\s*>Énergie</option>', page)
    assert re.search(r'<option value="1"\s*>Découverte</option>', page)


# ---- what is never shown -------------------------------------------------------------------------------


def test_a_hidden_action_is_never_listed_found_or_shown(in_a, client_a):
    ActionFactory(code="H-SHOWN", title="Chaudière performante")
    ActionFactory(code="H-HIDDEN", title="Chaudière cachée", hidden=True)

    assert codes(client_a) == ["H-SHOWN"]
    assert codes(client_a, q="chaudière") == ["H-SHOWN"]
    assert detail(client_a, "H-HIDDEN").status_code == 404
    assert detail(client_a, "H-SHOWN").status_code == 200
    assert detail(client_a, "INCONNUE").status_code == 404


def test_another_territory_s_action_is_never_shown(territory_a, territory_b, db, client_a, client_b):
    connection.set_tenant(territory_a)
    ActionFactory(code="ISO-01", title="Action du territoire A")
    ActionFactory(code="ISO-A-ONLY", title="Seulement chez A")
    connection.set_tenant(territory_b)
    ActionFactory(code="ISO-01", title="Action du territoire B")
    connection.set_schema_to_public()

    page_b = client_b.get(LIST_URL).content.decode()
    assert "Action du territoire B" in page_b
    assert "territoire A" not in page_b and "Seulement chez A" not in page_b
    assert "Seulement chez A" not in client_b.get(LIST_URL, {"q": "seulement"}).content.decode()
    same_code = detail(client_b, "ISO-01").content.decode()
    assert "Action du territoire B" in same_code and "territoire A" not in same_code
    assert detail(client_b, "ISO-A-ONLY").status_code == 404
    assert "Action du territoire A" in detail(client_a, "ISO-01").content.decode()


# ---- pagination and queries ----------------------------------------------------------------------------


def test_the_list_is_paginated_and_counted(in_a, client_a):
    for n in range(25):
        ActionFactory(code=f"P-{n:02d}", order=n)

    response = client_a.get(LIST_URL)
    page = response.content.decode()
    assert "25 actions" in page
    assert codes(client_a) == [f"P-{n:02d}" for n in range(20)]
    assert codes(client_a, page=2) == [f"P-{n:02d}" for n in range(20, 25)]
    assert codes(client_a, page=99) == [f"P-{n:02d}" for n in range(20, 25)]  # past the end: the last page
    assert 'href="?page=2"' in page


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def member_of(organisation_, email="membre@browse.example"):
    from accounts.models import User
    from organisations.models import Membership

    user = User.objects.create_user(email, "Mot-de-passe-42")
    Membership.objects.create(user=user, organisation=organisation_)
    return user


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("params", [{}, {"q": "isolation"}, {"free_support": "on", "theme": "ENE", "level": 1}])
def test_the_list_s_queries_do_not_grow_with_the_actions(in_a, client_a, params, signed_in):
    scheme = SchemeFactory(kind=SchemeKind.FREE_SUPPORT)
    if signed_in:
        client_a.force_login(member_of(organisation("du membre")))

    def add(n):
        for index in range(n):
            action = ActionFactory(title=f"Isolation des murs {index}", levels=[1])
            ActionStepFactory(action=action, text="Choisir un isolant")
            action.schemes.add(scheme)

    def first_and_next():
        """The first request after the change (a visitor's list is rendered) and the next (read from the cache)."""
        return [_queries(client_a, LIST_URL, params) for _request in range(2)]

    _queries(client_a, LIST_URL, params)  # warm-up: the referential's structure is cached once
    add(2)
    few = first_and_next()
    add(30)
    assert first_and_next() == few


def test_the_action_page_s_queries_do_not_grow_with_what_it_shows(in_a, client_a):
    action = ActionFactory(code="Q-A")

    question_codes = iter(["ENE-01", "ENE-02", "ENE-03", "ENE-04", "ENE-05", "ENE-06"])

    def add(n):
        for index in range(n):
            ActionStepFactory(action=action, url="https://exemple.fr/etape")
            action.partners.add(PartnerFactory())
            action.schemes.add(SchemeFactory())
            action.prerequisites.add(ActionFactory())
            ActionQuestionFactory(action=action, question_code=next(question_codes))
            PlanItemFactory(organisation=organisation(f"{n}-{index}"), action=action, status=PlanStatus.DONE)

    add(1)
    _queries(client_a, "/boite-a-outils/Q-A/")
    few = _queries(client_a, "/boite-a-outils/Q-A/")
    add(5)
    assert _queries(client_a, "/boite-a-outils/Q-A/") == few


# ---- the action's page ---------------------------------------------------------------------------------


def test_the_action_page_shows_the_whole_action(in_a, client_a):
    today = timezone.localdate()
    action = ActionFactory(
        code="D-A",
        title="Isoler les combles",
        promise="Moins de chaleur perdue par le toit",
        body="## Pourquoi\n\nLe toit perd **30 %** de la chaleur.",
        main_theme="ENE",
        themes=["PIL"],
        levels=[1, 2],
        organisation_kinds=[OrganisationKind.ASSOCIATION],
        duration=Duration.MONTHS,
        cost=CostBand.MEDIUM,
        co2_tonnes_per_year=Decimal("2.50"),
        co2_source="ADEME, Base Empreinte 2025",
    )
    ActionStepFactory(action=action, order=1, text="Faire venir un artisan RGE", url="https://france-renov.gouv.fr")
    ActionStepFactory(action=action, order=2, text="Demander les aides")
    action.prerequisites.add(ActionFactory(code="D-PRE", title="Faire un bilan énergétique"))
    action.prerequisites.add(ActionFactory(code="D-PRE-HIDDEN", title="Prérequis masqué", hidden=True))
    action.partners.add(
        PartnerFactory(name="Agence locale de l'énergie", website="https://ale.example", contact="05 49")
    )
    action.schemes.add(
        SchemeFactory(
            name="Conseil France Rénov'",
            kind=SchemeKind.FREE_SUPPORT,
            source_url="https://source.example/renov",
            checked_on=today.replace(month=1, day=15),
            valid_until=today,
        ),
        SchemeFactory(name="Prime expirée", valid_until=today - timedelta(days=1)),
    )
    ActionQuestionFactory(action=action, question_code="ENE-01")
    ActionQuestionFactory(action=action, question_code="ABSENTE-99")

    response = detail(client_a, "D-A")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        "<h1>Isoler les combles</h1>",
        "Moins de chaleur perdue par le toit",
        "<h4>Pourquoi</h4>",  # the body's headings sit below the page's own
        "<strong>30 %</strong>",
        "Faire venir un artisan RGE",
        'href="https://france-renov.gouv.fr"',
        "Demander les aides",
        'href="/boite-a-outils/D-PRE/">Faire un bilan énergétique</a>',
        "Agence locale de l&#x27;énergie",
        "Contact : 05 49",
        "Conseil France Rénov&#x27;",
        'href="https://source.example/renov"',
        f"Vérifié le 15 janvier {today.year}.",
        "Accompagnement gratuit",
        "Quelques mois",
        "De 1 000 à 10 000 €",
        "2,5 tCO2e par an",
        "Source : ADEME, Base Empreinte 2025",
        "Découverte, Engagement",
        "Association",
        "Énergie",
        "<strong>ENE-01</strong>",
    ):
        assert shown in page, shown
    assert "Prime expirée" not in page
    assert "Prérequis masqué" not in page
    assert "ABSENTE-99" not in page


def test_the_referential_question_s_text_comes_from_the_published_version(in_a, client_a):
    from referentiel.models import Question
    from referentiel.services import current_version

    question = Question.objects.get(version=current_version(), code="ENE-01")
    ActionQuestionFactory(action=ActionFactory(code="RQ-A"), question_code="ENE-01")

    assert escape(question.text) in detail(client_a, "RQ-A").content.decode()


@pytest.mark.parametrize(("organisations", "shown"), [(PEER_PROOF_MINIMUM - 1, False), (PEER_PROOF_MINIMUM, True)])
def test_peer_proof_is_shown_from_five_organisations_that_did_it(in_a, client_a, organisations, shown):
    action = ActionFactory(code="PEER-A")
    for n in range(organisations):
        PlanItemFactory(organisation=organisation(n), action=action, status=PlanStatus.DONE)
    # Neither an item not done yet nor another action's done item counts.
    PlanItemFactory(organisation=organisation("en cours"), action=action, status=PlanStatus.IN_PROGRESS)
    PlanItemFactory(organisation=organisation("autre"), action=ActionFactory(), status=PlanStatus.DONE)

    page = detail(client_a, "PEER-A").content.decode()
    assert (f"{organisations} organisations du territoire l'ont réalisée" in page) is shown
    assert ("du territoire l'" in page) is shown


def test_nothing_executable_reaches_the_action_page(in_a, client_a):
    action = ActionFactory(
        code="XSS-A",
        title="<script>alert('titre')</script>",
        promise='<img src=x onerror="alert(1)">',
        body=(
            "<script>alert('corps')</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n'
            "[cliquez](javascript:alert(3)) et [là](JaVaScRiPt:alert(4))\n\n"
            '<a href="javascript:alert(5)">brut</a> <iframe src="https://mal.example"></iframe>\n\n'
            "![image](javascript:alert(6))"
        ),
    )
    ActionStepFactory(action=action, text="<b onmouseover=alert(7)>étape</b>", url="javascript:alert(8)")
    action.partners.add(PartnerFactory(website="javascript:alert(9)"))
    action.schemes.add(SchemeFactory(url="javascript:alert(10)", source_url="data:text/html,<script>x</script>"))

    page = detail(client_a, "XSS-A").content.decode()
    main = page[page.index('<main id="contenu"') : page.index("</main>")]
    tags = Tags()
    tags.feed(main)
    assert {"script", "img", "iframe", "b"}.isdisjoint(tag for tag, _attrs in tags.found)
    for tag, attributes in tags.found:
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src"):
                assert (value or "").startswith(("https://", "/")), (tag, name, value)
    assert "&lt;script&gt;alert(&#x27;titre&#x27;)&lt;/script&gt;" in main


class Tags(HTMLParser):
    """The tags and attributes a browser would build: text that merely looks like a tag is not one."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


# ---- the menu ------------------------------------------------------------------------------------------


def test_the_menu_and_the_home_page_lead_to_the_toolbox_signed_in_or_not(in_a, client_a):
    from accounts.models import User

    link = 'href="/boite-a-outils/"'
    assert link in client_a.get("/").content.decode()
    assert 'href="/boite-a-outils/" aria-current="page"' in client_a.get(LIST_URL).content.decode()
    client_a.force_login(User.objects.create_user("membre@browse.example", "Mot-de-passe-42"))
    home = client_a.get("/").content.decode()
    assert home.count(link) == 2  # the menu and the home page's card


# ---- « ajouter à mon plan » (templates/toolbox/includes/add_to_plan.html, the plan helper's) -------------


def test_a_member_gets_the_add_to_plan_buttons_on_the_list_and_the_action_page(in_a, client_a):
    mine = organisation("de la membre")
    planned = ActionFactory(code="ADD-IN", title="Déjà prévue")
    PlanItemFactory(organisation=mine, action=planned)
    other = ActionFactory(code="ADD-OUT", title="Pas encore")

    assert "Ajouter à mon plan" not in client_a.get(LIST_URL).content.decode()  # a visitor: no button
    assert "Ajouter à mon plan" not in detail(client_a, "ADD-OUT").content.decode()
    client_a.force_login(member_of(mine))
    page = client_a.get(LIST_URL).content.decode()
    assert f'action="/organisations/{mine.pk}/plan/ajouter/{other.pk}/"' in page
    assert f'action="/organisations/{mine.pk}/plan/ajouter/{planned.pk}/"' not in page
    assert "Déjà dans votre plan" in page
    action_page = detail(client_a, "ADD-OUT").content.decode()
    assert f'action="/organisations/{mine.pk}/plan/ajouter/{other.pk}/"' in action_page
    assert 'name="next" value="/boite-a-outils/ADD-OUT/"' in action_page


def test_a_search_that_matches_nothing_says_so_in_one_query_for_the_results(in_a, client_a):
    ActionFactory(code="NONE-A", title="Isoler les combles")

    with CaptureQueriesContext(connection) as queries:
        page = client_a.get(LIST_URL, {"q": "photovoltaïque"}).content.decode()
    assert ">Aucune action pour « photovoltaïque »</h2>" in page
    assert "Aucune action ne correspond à cette recherche" in page
    assert sum("toolbox_action" in query["sql"] for query in queries.captured_queries) == 1
