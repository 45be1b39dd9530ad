DEFAULT_PROGRAMME_NAME = "Acteurs engagés pour la transition écologique"
# DSFR "bleu France": passes the 4.5:1 contrast rule with white text.
DEFAULT_ACCENT_COLOR = "#000091"
DEFAULT_TIME_ZONE = "Europe/Paris"
# Slugs that would collide with the platform's own hostnames or schemas.
RESERVED_SLUGS = {"public", "www", "admin", "api", "static", "media", "mail", "information-schema", "pg-catalog"}
MIN_CONTRAST_WITH_WHITE = 4.5
