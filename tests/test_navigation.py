"""The main menu: what each kind of person finds in it on a territory's site."""

import re

import pytest

from accounts.enums import Role
from accounts.models import User


def menu(client):
    html = client.get("/").content.decode()
    nav = html[html.index('id="navigation"') : html.index("</nav>", html.index('id="navigation"'))]
    entries = re.findall(r'class="fr-nav__(?:link|btn)"[^>]*>([^<]+)<', nav)
    return [entry.strip() for entry in entries]


@pytest.mark.django_db
def test_a_visitor_finds_the_toolbox_and_the_agenda(client_a):
    assert menu(client_a) == ["Accueil", "Boîte à outils", "Agenda"]


def test_a_participant_finds_their_space_too(in_a, client_a):
    client_a.force_login(User.objects.create_user("camille@menu.example", "Mot-de-passe-42"))
    assert menu(client_a) == ["Accueil", "Mon espace", "Boîte à outils", "Agenda"]


def test_the_team_finds_the_programme_grouped_and_the_admin_the_territory(in_a, client_a):
    client_a.force_login(User.objects.create_user("equipe@menu.example", "Mot-de-passe-42", role=Role.STAFF))
    staff = menu(client_a)
    client_a.force_login(User.objects.create_user("admin@menu.example", "Mot-de-passe-42", role=Role.ADMIN))
    admin = menu(client_a)

    groups = ["Accueil", "Mon espace", "Organisations", "Référentiel", "Boîte à outils", "Événements", "Bilan"]
    assert [entry for entry in staff if entry in groups] == groups
    assert "Gérer les événements" in staff and "Déroulés d'ateliers" in staff and "Territoire" not in staff
    assert admin[len(staff) :] == ["Territoire", "Paramètres", "Équipe"]
