"""« de » and « à » before a name (assett/grammar.py), and the sentences that use them."""

import pytest

from accounts.models import User
from assett.grammar import _NOUN_ARTICLES, article_from_de, person_with_de, with_a, with_article, with_de
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
        # A common noun first takes its article, whatever its case and accents.
        ("Boulangerie du Marché", "de la Boulangerie du Marché"),
        ("Lycée Polyvalent Jean Moulin", "du Lycée Polyvalent Jean Moulin"),
        ("Centre Hospitalier de Niort", "du Centre Hospitalier de Niort"),
        ("Atelier Mécanique de Précision", "de l'Atelier Mécanique de Précision"),
        ("Association Nguyen", "de l'Association Nguyen"),
        ("Hôtel-Restaurant Le Relais", "de l'Hôtel-Restaurant Le Relais"),
        ("Auto-école du Centre", "de l'Auto-école du Centre"),
        ("ETABLISSEMENTS MARTIN", "des ETABLISSEMENTS MARTIN"),
        ("Agglomération du Grand Cahors", "de l'Agglomération du Grand Cahors"),
        ("Eurométropole de Strasbourg", "de l'Eurométropole de Strasbourg"),
        ("Hameau de la Source", "du Hameau de la Source"),
        # A proper noun takes none.
        ("Lesieur", "de Lesieur"),
        ("Orange", "d'Orange"),
        ("Hautes-Terres", "de Hautes-Terres"),
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
        ("Atelier Mécanique", "à l'Atelier Mécanique"),
        ("Métropole Rouen Normandie", "à la Métropole Rouen Normandie"),
        ("Boulangerie du Marché", "à la Boulangerie du Marché"),
        ("Lycée Jean Moulin", "au Lycée Jean Moulin"),
        ("Établissements Martin", "aux Établissements Martin"),
        ("Grand Poitiers", "à Grand Poitiers"),
    ],
)
def test_with_a(name, expected):
    assert with_a(name) == expected


def test_the_nouns_take_their_article_before_a_vowel_too():
    """« de la Agglomération » would be wrong: a noun of « la » or « le » never opens with a vowel
    or an h that elides (those are listed under « l' »)."""
    for article in ("la", "le"):
        opening_with_a_vowel = [noun for noun in _NOUN_ARTICLES[article].split() if noun[0] in "aeiouy"]
        assert opening_with_a_vowel == [], article


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alex Martin", "d'Alex Martin"),
        ("Émilie Durand", "d'Émilie Durand"),
        ("Camille Roux", "de Camille Roux"),
        # A surname's article is the surname's, and a surname may be a common noun.
        ("Le Gall", "de Le Gall"),
        ("Maison", "de Maison"),
        ("  ", ""),
    ],
)
def test_a_person_s_name_after_de_is_only_elided(name, expected):
    assert person_with_de(name) == expected


def test_a_user_s_name_after_de():
    assert User(first_name="", last_name="Le Gall", email="lg@example.org").of_name == "de Le Gall"
    assert User(email="alex@example.org").of_name == "d'alex@example.org"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Boulangerie du Marché", "la Boulangerie du Marché"),
        ("Association Nguyen", "l'Association Nguyen"),
        ("Lycée Jean Moulin", "le Lycée Jean Moulin"),
        ("Établissements Martin", "les Établissements Martin"),
        ("Communauté de communes du Centre Ouest", "la Communauté de communes du Centre Ouest"),
        # A name's own article is kept as written; a proper noun takes none.
        ("Les Jardins Partagés", "Les Jardins Partagés"),
        ("L'Escale", "L'Escale"),
        ("Grand Poitiers", "Grand Poitiers"),
        ("  ", ""),
    ],
)
def test_with_article(name, expected):
    assert with_article(name) == expected


@pytest.mark.parametrize(
    ("de_form", "expected"),
    [
        ("de la Communauté de communes du Haut-Poitou", "la Communauté de communes du Haut-Poitou"),
        ("de l'Eurométropole de Strasbourg", "l'Eurométropole de Strasbourg"),
        ("du Pays de Gex", "le Pays de Gex"),
        ("des Sorinières", "les Sorinières"),
        ("d'Angers Loire Métropole", "Angers Loire Métropole"),
        ("de Grand Poitiers", "Grand Poitiers"),
    ],
)
def test_article_from_a_stored_de_form(de_form, expected):
    assert article_from_de(de_form) == expected


def test_a_territory_s_name_as_an_object_follows_its_stored_de_form():
    assert Territory(name="Les Sorinières", name_de="des Sorinières").the_name == "les Sorinières"
    assert Territory(name="Communauté de communes du Haut-Poitou").the_name == (
        "la Communauté de communes du Haut-Poitou"
    )


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
