"""« de » before a territory's name (tenants/grammar.py), and the sites' sentences that use it."""

import pytest

from tenants.grammar import with_de
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
    ],
)
def test_with_de(name, expected):
    assert with_de(name) == expected


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
