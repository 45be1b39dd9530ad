"""A demo territory's own offer beside the national toolbox (used by `seed_demo`): one local partner and one
« accompagnement gratuit », linked to the energy and waste actions.

Both are made up, and say so: the national toolbox carries only schemes checked at their source, none
of them free support, so without these the demo's « accompagnement gratuit » filter, badges and local
partners would show nothing. Idempotent: found again by their codes, their links added once.
"""

from .enums import Origin, SchemeKind
from .models import Action, Partner, Scheme

PARTNER_CODE = "DEMO-CONSEIL-CLIMAT"
SCHEME_CODE = "DEMO-PREMIER-RDV"
# The national referential's energy and waste themes: where a first visit of an adviser helps most.
THEMES = ("ENE", "DEC")
DEMO_NOTICE = "Exemple de démonstration, inventé pour montrer la plateforme."


def seed_demo_local_offer(territory, _organisations):
    partner, _created = Partner.objects.get_or_create(
        code=PARTNER_CODE,
        defaults={
            "name": f"Conseil climat {territory.of_name}",
            "role": "Reçoit les entreprises, associations et établissements du territoire : premier diagnostic, "
            f"orientation vers les aides et les partenaires. {DEMO_NOTICE}",
            "contact": "Accueil du service transition écologique, du lundi au vendredi",
            "origin": Origin.LOCAL,
        },
    )
    scheme, _created = Scheme.objects.get_or_create(
        code=SCHEME_CODE,
        defaults={
            "name": "Premier rendez-vous conseil offert",
            "provider": territory.name,
            "kind": SchemeKind.FREE_SUPPORT,
            "conditions": "Une heure avec un conseiller, sur place ou en visio, pour toute organisation du "
            f"territoire. {DEMO_NOTICE}",
            "origin": Origin.LOCAL,
        },
    )
    actions = list(Action.objects.filter(main_theme__in=THEMES, hidden=False))
    partner.actions.add(*actions)
    scheme.actions.add(*actions)
