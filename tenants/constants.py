DEFAULT_PROGRAMME_NAME = "Acteurs engagés pour la transition écologique"
# DSFR "bleu France": passes the 4.5:1 contrast rule with white text.
DEFAULT_ACCENT_COLOR = "#000091"
DEFAULT_TIME_ZONE = "Europe/Paris"
# The time zones of France, offered first in the territory settings (then every other zone).
FRENCH_TIME_ZONES = {
    "Europe/Paris": "Métropole (Paris)",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Pacific/Noumea": "Nouvelle-Calédonie",
    "Pacific/Tahiti": "Polynésie française (Tahiti)",
    "Pacific/Wallis": "Wallis-et-Futuna",
}
# « Ce que le programme vous propose » on the home page: what the national platform offers; each
# territory rewrites them to say what it offers (Territory.offer_blocks, same keys).
DEFAULT_OFFER_BLOCKS = [
    {
        "title": "Mesurer votre maturité",
        "text": "Une auto-évaluation en sept thèmes : pilotage, énergie, déchets, mobilité, alimentation "
        "durable, eau, biodiversité. Vos réponses sont enregistrées au fil de l'eau.",
    },
    {
        "title": "Passer à l'action",
        "text": "Des fiches actions adaptées à votre niveau, des partenaires et des financements locaux, "
        "un plan d'actions à suivre.",
    },
    {
        "title": "Rejoindre la communauté",
        "text": "Des rencontres et des ateliers avec les autres acteurs engagés du territoire.",
    },
]
# Slugs that would collide with the platform's own hostnames or schemas.
RESERVED_SLUGS = {"public", "www", "admin", "api", "static", "media", "mail", "information-schema", "pg-catalog"}
MIN_CONTRAST_WITH_WHITE = 4.5
