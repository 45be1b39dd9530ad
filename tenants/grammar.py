"""French grammar of territory names: « le programme de la Communauté de communes du Haut-Poitou »."""

import unicodedata

# Names that open with a common noun take its article: « de la Métropole Rouen Normandie ».
_FEMININE_NOUNS = ("communauté", "métropole", "agglomération", "eurométropole")
_VOWELS = "aeiouy"


def _first_letter(word):
    return unicodedata.normalize("NFD", word[:1].lower())[:1]


def with_de(name):
    """The name preceded by « de » as a French sentence needs it; a guess that staff may correct.

    « Grand Poitiers » → « de Grand Poitiers », « Communauté de communes du Haut-Poitou » →
    « de la Communauté de communes du Haut-Poitou », « Établissement public territorial Paris Est
    Marne et Bois » → « de l'Établissement public… », « Angers Loire Métropole » → « d'Angers… ».
    """
    name = name.strip()
    if not name:
        return ""
    first = name.split()[0].split("-")[0].lower()
    if first in _FEMININE_NOUNS:
        return f"de la {name}"
    if first in ("établissement", "etablissement"):
        return f"de l'{name}"
    if _first_letter(name) in _VOWELS:
        return f"d'{name}"
    return f"de {name}"
