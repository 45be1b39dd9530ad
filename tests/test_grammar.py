"""« de » and « à » before a name (assett/grammar.py), and the sentences that use them."""

import pytest

from assett.grammar import with_a, with_de
from organisations.models import Organisation
from tenants.models import Territory


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Grand Poitiers", "de Grand Poitiers"),
        ("Toulouse Métropole", "de Toulouse Métropole"),
        ("Communauté de communes du Haut-Poitou", "de la Communauté de communes du Haut-Poitou"),
        ("Métropole Rouen Normandie", "de la Métropole Rouen Normandie"),
        ("Communauté d'agglomération Grand Sud Caraïbe", "de la Communauté d'agglomération Grand Sud Caraïbe"),
        ("Établissement public territorial Grand-Orly", "de l'Établissement public territorial Grand-Orly"),
        ("Angers Loire Métropole", "d'Angers Loire Métropole"),
        ("Évry", "d'Évry"),
        ("  ", ""),
        # Organisations: an article joins the preposition, a vowel elides it, h never does.
        ("Les Jardins Partagés", "des Jardins Partagés"),
        ("Le Relais", "du Relais"),
        ("La Ferme d'Ayron", "de la Ferme d'Ayron"),
        ("L'Escale", "de l'Escale"),
        ("Atelier Mécanique de Précision", "d'Atelier Mécanique de Précision"),
        ("Hôtel-Restaurant Le Relais", "de Hôtel-Restaurant Le Relais"),
        ("Boulangerie du Marché", "de Boulangerie du Marché"),
        ("Lesieur", "de Lesieur"),
        ("Le", "de Le"),
    ],
)
def test_with_de(name, expected):
    assert with_de(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Les Jardins Partagés", "aux Jardins Partagés"),
        ("Le Relais", "au Relais"),
        ("La Ferme d'Ayron", "à la Ferme d'Ayron"),
        ("L'Escale", "à l'Escale"),
        ("Atelier Mécanique", "à Atelier Mécanique"),
        ("Métropole Rouen Normandie", "à la Métropole Rouen Normandie"),
    ],
)
def test_with_a(name, expected):
    assert with_a(name) == expected


def test_an_organisation_s_name_after_de_and_a():
    organisation = Organisation(name="Les Jardins Partagés")
    assert (organisation.of_name, organisation.to_name) == ("des Jardins Partagés", "aux Jardins Partagés")


def test_a_stored_form_wins_over_the_guess():
    assert Territory(name="Les Sorinières", name_de="des Sorinières").of_name == "des Sorinières"
    assert Territory(name="Grand Poitiers").of_name == "de Grand Poitiers"


def test_the_home_page_and_footer_say_de_la_communaute(db, client_a, territory_a):
    territory_a.name, previous = "Communauté de communes du Haut-Poitou", territory_a.name
    Territory.objects.filter(pk=territory_a.pk).update(name=territory_a.name)
    try:
        page = client_a.get("/").content.decode()
    finally:
        Territory.objects.filter(pk=territory_a.pk).update(name=previous)
        territory_a.name = previous
    assert "de la Communauté de communes du Haut-Poitou" in page
    assert "de Communauté" not in page
