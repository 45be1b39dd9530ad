"""« de » and « à » before a name, as a French sentence needs them.

« le plan d'actions des Jardins partagés », « d'Atelier Mécanique », « le programme de la
Communauté de communes du Haut-Poitou », « aller au Relais ». A guess from the name's first word,
which a stored form may correct where the model keeps one (Territory.name_de):
- a name opening with an article joins it to the preposition: « Les Jardins » → « des Jardins »,
  « aux Jardins »; « Le Relais » → « du Relais », « au Relais »; « L'Escale » → « de l'Escale »;
- a name opening with one of a few common nouns takes its article: « de la Métropole Rouen
  Normandie », « de l'Établissement public territorial… »;
- otherwise « de » elides before a vowel (« d'Angers Loire Métropole »), never before h, which
  may be aspirated (« de Hautes-Terres »); « à » never elides.
"""

import unicodedata

_VOWELS = "aeiouy"
# The article a name may open with → (after « de », after « à »).
_ARTICLES = {"le": ("du", "au"), "la": ("de la", "à la"), "les": ("des", "aux")}
_ELIDED_ARTICLES = ("l'", "l’")
# Common nouns that open names of public bodies, with the article they take.
_FEMININE_NOUNS = ("communauté", "métropole", "agglomération", "eurométropole")
_VOWEL_NOUNS = ("établissement", "etablissement")


def _first_letter(word):
    return unicodedata.normalize("NFD", word[:1].lower())[:1]


def _with(name, preposition):
    """`name` after « de » or « à » (`preposition`), its article joined to it."""
    name = " ".join(name.split())
    if not name:
        return ""
    index = 0 if preposition == "de" else 1
    first, _space, rest = name.partition(" ")
    article = first.lower()
    if article in _ARTICLES and rest:
        return f"{_ARTICLES[article][index]} {rest}"
    if article.startswith(_ELIDED_ARTICLES) and len(first) > 2:
        return f"{preposition} l'{name[2:]}"
    noun = first.split("-")[0].lower()
    if noun in _FEMININE_NOUNS:
        return f"{preposition} la {name}"
    if noun in _VOWEL_NOUNS:
        return f"{preposition} l'{name}"
    if preposition == "de" and _first_letter(name) in _VOWELS:
        return f"d'{name}"
    return f"{preposition} {name}"


def with_de(name):
    """« de Grand Poitiers », « d'Angers », « des Jardins partagés »."""
    return _with(name, "de")


def with_a(name):
    """« à Grand Poitiers », « au Relais », « aux Jardins partagés »."""
    return _with(name, "à")
