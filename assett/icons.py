"""The DSFR icons the platform ships (static/css/icons.css, built by scripts/dsfr_icons.py).

The DSFR's utility stylesheet holds every icon (459 KB) for the dozen a page uses: the platform
serves only those its templates name and those a theme may take. A theme's icon is chosen from
THEME_ICONS rather than typed, so that every icon a page can show is in the stylesheet.
"""

from django.utils.translation import gettext_lazy as _

# Icons that suit a theme (name → what it shows) of the ecological transition, for the referential's themes.
THEME_ICONS = {
    "fr-icon-line-chart-line": _("Courbe"),
    "fr-icon-bar-chart-box-line": _("Histogramme"),
    "fr-icon-flashlight-line": _("Éclair (énergie)"),
    "fr-icon-lightbulb-line": _("Ampoule"),
    "fr-icon-sun-line": _("Soleil"),
    "fr-icon-temp-cold-line": _("Thermomètre"),
    "fr-icon-fire-line": _("Flamme"),
    "fr-icon-recycle-line": _("Recyclage"),
    "fr-icon-delete-line": _("Corbeille"),
    "fr-icon-bike-line": _("Vélo"),
    "fr-icon-bus-line": _("Bus"),
    "fr-icon-car-line": _("Voiture"),
    "fr-icon-train-line": _("Train"),
    "fr-icon-charging-pile-2-line": _("Borne de recharge"),
    "fr-icon-restaurant-line": _("Restauration"),
    "fr-icon-drop-line": _("Goutte d'eau"),
    "fr-icon-leaf-line": _("Feuille"),
    "fr-icon-plant-line": _("Plante"),
    "fr-icon-seedling-line": _("Pousse"),
    "fr-icon-earth-line": _("Terre"),
    "fr-icon-cloudy-2-line": _("Nuage"),
    "fr-icon-windy-line": _("Vent"),
    "fr-icon-home-4-line": _("Maison"),
    "fr-icon-building-line": _("Bâtiment"),
    "fr-icon-community-line": _("Communauté"),
    "fr-icon-team-line": _("Équipe"),
    "fr-icon-money-euro-circle-line": _("Euro"),
    "fr-icon-shopping-cart-2-line": _("Achats"),
    "fr-icon-store-line": _("Commerce"),
    "fr-icon-settings-5-line": _("Réglages"),
    "fr-icon-award-line": _("Distinction"),
    "fr-icon-heart-line": _("Cœur"),
}
