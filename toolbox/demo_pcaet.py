"""An illustrative PCAET for the demo territories (seed_demo), linked to their toolbox by theme.

toolbox/data/pcaet_illustratif.csv is made up: plausible axes and actions of a French climate
plan, no territory's own. It goes through the same reader and import as a staff upload; its extra
« thème » column, which the import ignores like any other column, names the referential theme
whose toolbox actions serve each line, so that the links hold whatever the toolbox contains.
"""

import csv
from pathlib import Path

from django.db import transaction

from .models import Action, PcaetAction
from .pcaet import current_programme, import_pcaet
from .pcaet_file import read_pcaet_file

ILLUSTRATIVE_PCAET = Path(__file__).parent / "data" / "pcaet_illustratif.csv"
DEMO_TITLE = "PCAET illustratif 2025-2030"
DEMO_NOTE = (
    "Programme illustratif, pour la démonstration : ses actions sont inventées et ne sont pas celles "
    "du plan climat d'un territoire réel. Importez le vôtre pour le remplacer."
)


def demo_themes():
    """PCAET code → the theme code of the demo file's « thème » column (absent when empty)."""
    with ILLUSTRATIVE_PCAET.open(encoding="utf-8-sig", newline="") as file:
        return {row["code"]: row["thème"] for row in csv.DictReader(file, delimiter=";") if row["thème"]}


def link_by_theme(themes):
    """Link each PCAET action to toolbox actions of its theme, spreading the theme's actions over its lines.

    Line i of a theme with n lines gets the theme's actions j with j ≡ i (mod n), and at least
    one: every toolbox action of the theme serves some line, and no line is left without.
    """
    toolbox = {}
    for action in Action.objects.order_by("order", "code"):
        toolbox.setdefault(action.main_theme, []).append(action)
    lines = {}
    for pcaet in PcaetAction.objects.filter(code__in=themes).order_by("order", "code"):
        lines.setdefault(themes[pcaet.code], []).append(pcaet)
    for theme, pcaets in lines.items():
        actions = toolbox.get(theme, [])
        if not actions:
            continue
        for index, pcaet in enumerate(pcaets):
            chosen = {actions[index % len(actions)], *actions[index :: len(pcaets)]}
            pcaet.toolbox_actions.set(chosen)


@transaction.atomic
def seed_demo_pcaet(territory, organisations):
    """Idempotent: a territory's own PCAET is left alone, and so are the demo's links once made.

    The demo PCAET without any link (its toolbox was still empty at the first run) gets them now.
    """
    programme = current_programme()
    if programme is None:
        with ILLUSTRATIVE_PCAET.open("rb") as file:
            rows = read_pcaet_file(file, name=ILLUSTRATIVE_PCAET.name)
        import_pcaet(rows, title=DEMO_TITLE, note=DEMO_NOTE)
    elif programme.title != DEMO_TITLE or PcaetAction.toolbox_actions.through.objects.exists():
        return
    link_by_theme(demo_themes())
