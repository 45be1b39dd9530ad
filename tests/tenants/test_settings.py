"""Territory settings: the home page's texts (Markdown presentation, the three offer blocks), the
time zone from a list, and a colour that shows at once."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from accounts.enums import Role
from accounts.models import User
from tenants.models import Territory

from .test_logos import settings_form


@pytest.fixture
def admin_client(db, client_a, territory_a):
    with schema_context(territory_a.schema_name):
        admin = User.objects.create_user("reglages@a.example", "pass-reglages-1", role=Role.ADMIN)
        client_a.force_login(admin)
    yield client_a
    Territory.objects.filter(pk=territory_a.pk).update(
        presentation="", offer_blocks=Territory._meta.get_field("offer_blocks").default(), accent_color="#000091"
    )
    connection.set_schema_to_public()


def test_the_offer_blocks_say_what_this_territory_offers(admin_client):
    response = admin_client.post(
        "/gestion/territoire/",
        settings_form(offer_3_title="Les cafés climat", offer_3_text="Un petit-déjeuner par mois à la CCI."),
    )
    assert response.status_code == 302
    home = admin_client.get("/").content.decode()
    assert "Les cafés climat" in home and "Un petit-déjeuner par mois à la CCI." in home
    assert "Rejoindre la communauté" not in home  # the national text it replaced
    assert "Passer à l&#x27;action" in home  # the untouched blocks keep their text


def test_an_empty_offer_block_is_refused_and_nothing_changes(admin_client):
    response = admin_client.post("/gestion/territoire/", settings_form(offer_1_title="", programme_name="Nouveau"))
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert Territory.objects.get(slug="territoire-a").programme_name != "Nouveau"


def test_the_presentation_is_markdown_with_nothing_executable(admin_client):
    text = "Un programme **ambitieux**.\n\n<script>alert(1)</script> [lien](javascript:alert(1))"
    admin_client.post("/gestion/territoire/", settings_form(presentation=text))
    home = admin_client.get("/").content.decode()
    assert "<strong>ambitieux</strong>" in home
    assert "<script>alert(1)</script>" not in home
    assert 'href="javascript:' not in home


def test_the_time_zone_is_chosen_from_a_list_with_the_french_ones_first(admin_client):
    page = admin_client.get("/gestion/territoire/").content.decode()
    assert re.search(r'<option value="Indian/Mayotte"\s*>Mayotte</option>', page)
    assert page.index("Indian/Mayotte") < page.index("Africa/Abidjan")
    admin_client.post("/gestion/territoire/", settings_form(time_zone="Indian/Mayotte"))
    assert Territory.objects.get(slug="territoire-a").time_zone == "Indian/Mayotte"
    response = admin_client.post("/gestion/territoire/", settings_form(time_zone="Mars/Olympus"))
    assert response.status_code == 200
    Territory.objects.filter(slug="territoire-a").update(time_zone="Europe/Paris")


def test_a_new_colour_is_a_new_stylesheet_url_shown_at_once(admin_client):
    before = admin_client.get("/").content.decode()
    assert 'href="/theme.css?v=000091"' in before
    admin_client.post("/gestion/territoire/", settings_form(accent_color="#8c1d40"))
    after = admin_client.get("/").content.decode()
    assert 'href="/theme.css?v=8c1d40"' in after
    css = admin_client.get("/theme.css?v=8c1d40")
    assert "#8c1d40" in css.content.decode()
    assert "immutable" in css["Cache-Control"]
