"""« de » and « à » before a name, as a French sentence needs them.

« le plan d'actions des Jardins partagés », « de la Boulangerie du Marché », « du Lycée Jean
Moulin », « le programme de la Communauté de communes du Haut-Poitou », « aller au Relais ». A
guess from the name's first word, which a stored form may correct where the model keeps one
(Territory.name_de):
- a name opening with an article joins it to the preposition: « Les Jardins » → « des Jardins »,
  « aux Jardins »; « Le Relais » → « du Relais », « au Relais »; « L'Escale » → « de l'Escale »;
- a name opening with one of the common nouns that begin names of businesses, associations and
  public bodies takes that noun's article: « de la Boulangerie… », « du Garage… », « de
  l'Association… », « des Établissements… » (the noun before a hyphen counts: « de
  l'Hôtel-Restaurant… »);
- otherwise the name is a proper noun, which takes no article: « de » elides before a vowel
  (« d'Angers Loire Métropole »), never before h, which may be aspirated (« de Hautes-Terres »);
  « à » never elides.
A person's name takes the elision only (person_with_de): « de Le Gall », « d'Alex Martin ».
As a verb's object a name takes its article alone (with_article): « Supprimer la Boulangerie ».
"""

import unicodedata

_VOWELS = "aeiouy"
# The article a name may open with → (after « de », after « à »).
_ARTICLES = {"le": ("du", "au"), "la": ("de la", "à la"), "les": ("des", "aux")}
_ELIDED_ARTICLES = ("l'", "l’")


def _plain(word):
    """`word` in lower case without its accents: « Établissement » and « ETABLISSEMENT » are one."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(letter for letter in decomposed if not unicodedata.combining(letter))


# The nouns that open names of organisations and territories (written without accents), by the
# article French gives them. A first word missing here reads as a proper noun, which takes none;
# so a word that also opens surnames or brands (« Marchand », « Orange ») stays out: « de la
# Orange » would be worse than « de Boulangerie ».
_NOUN_ARTICLES = {
    "la": """
        banque bibliotheque biscuiterie boucherie boulangerie brasserie caisse cave chambre
        charcuterie chocolaterie cite clinique communaute commune compagnie confiserie cooperative
        creche distillerie federation ferme fondation fromagerie gendarmerie halle laiterie
        librairie mairie maison maternite mediatheque menuiserie metropole mission mutuelle
        patisserie pharmacie piscine poissonnerie prefecture recyclerie regie region residence
        ressourcerie salle scierie societe station ville
    """,
    "le": """
        bar bureau cabinet cafe camping centre cercle chantier chateau cinema club collectif college
        comite comptoir conseil conservatoire credit departement domaine foyer garage gite golf
        groupe groupement hameau jardin laboratoire lycee magasin marche moulin musee parc pays pole
        refuge relais reseau restaurant salon secours service stade studio supermarche syndicat
        theatre village
    """,
    "l'": """
        abbaye academie aeroclub aeroport agence agglomeration amicale association atelier auberge
        auto-ecole ecole ehpad entreprise epicerie esat espace etablissement eurometropole
        exploitation hopital hotel imprimerie institut internat iut observatoire office opera
        orchestre union universite usine
    """,
    "les": "ateliers compagnons editions etablissements jardins laboratoires transports vergers",
}
_NOUN_ARTICLE = {noun: article for article, nouns in _NOUN_ARTICLES.items() for noun in nouns.split()}


def _article_of(first_word):
    """The article a name opening with `first_word` takes, from _NOUN_ARTICLES, or None."""
    word = _plain(first_word)
    return _NOUN_ARTICLE.get(word) or _NOUN_ARTICLE.get(word.split("-")[0])


def _article_and_rest(name):
    """(the article `name` takes or None, the name after it, whether the name writes it itself)."""
    first, _space, rest = name.partition(" ")
    if first.lower() in _ARTICLES and rest:
        return first.lower(), rest, True
    if first.lower().startswith(_ELIDED_ARTICLES) and len(first) > 2:
        return "l'", name[2:], True
    return _article_of(first), name, False


def _with(name, preposition):
    """`name` after « de » or « à » (`preposition`), its article joined to it."""
    name = " ".join(name.split())
    if not name:
        return ""
    article, name, _own = _article_and_rest(name)
    if article == "l'":
        return f"{preposition} l'{name}"
    if article:
        return f"{_ARTICLES[article][0 if preposition == 'de' else 1]} {name}"
    return _elided_de(name) if preposition == "de" else f"à {name}"


def with_article(name):
    """`name` as the object of a verb: « Supprimer la Boulangerie du Marché », « Suspendre la
    Communauté de communes… », « Ouvrir Grand Poitiers ». A name that writes its article keeps it
    as written (« Supprimer Les Jardins partagés »)."""
    name = " ".join(name.split())
    if not name:
        return ""
    article, rest, own = _article_and_rest(name)
    if own or not article:
        return name
    return f"l'{rest}" if article == "l'" else f"{article} {rest}"


def article_from_de(form):
    """The article form of a name from its stored « de » form (Territory.name_de): « de la
    Communauté… » → « la Communauté… », « du Pays… » → « le Pays… », « d'Angers » → « Angers »."""
    for article, (after_de, _after_a) in _ARTICLES.items():
        if form.startswith(f"{after_de} "):
            return f"{article} {form[len(after_de) + 1 :]}"
    for elided in _ELIDED_ARTICLES:
        if form.startswith(f"de {elided}"):
            return form[len("de ") :]
    for de_form in ("d'", "d’", "de "):
        if form.startswith(de_form):
            return form[len(de_form) :]
    return form


def _elided_de(name):
    return f"d'{name}" if _plain(name[:1]) in _VOWELS else f"de {name}"


def with_de(name):
    """« de Grand Poitiers », « d'Angers », « des Jardins partagés »."""
    return _with(name, "de")


def person_with_de(name):
    """A person's name after « de »: elided before a vowel, never joined to an article, which is
    part of a surname (« de Le Gall », « d'Alex Martin »)."""
    name = " ".join(name.split())
    return _elided_de(name) if name else ""


def with_a(name):
    """« à Grand Poitiers », « au Relais », « aux Jardins partagés »."""
    return _with(name, "à")
