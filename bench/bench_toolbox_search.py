"""The toolbox's list page with a search, on a territory with 2,000 actions (and 8,000 steps).

    python -m assett.devstack bench          # all benchmarks, embedded or configured services
    python bench/bench_toolbox_search.py     # this one, with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-toolbox` territory (a minute, once); later runs reuse it. Requests go
through the whole Django stack in process (middleware, session, templates, database), so the figures
are server time without network noise. Goal: a search <= 15 ms median. The requests alternate with a
fixed pure-Python loop, in three blocks: on a shared virtual machine the host's load moves every
figure by half or more, and the loop's time says which state the host was in. Every block is
printed; the verdict reads the block whose loop was fastest (the quietest host), a choice made
without looking at the figures. « × reference » is each page's time over a page with no list (the
legal notice), measured in the same rounds: it moves less with the host than either. A list is read
rendered from the cache until the toolbox changes, a member's also until their plan does
(toolbox/views/browse.py): « …, changed » is each list's first request after a change of the toolbox;
« member » a participant's list, whose cards hold their « ajouter à mon plan » forms, « plan changed »
its first request after what they show changed (the search's results read back).
"""

import itertools
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import (  # noqa: E402
    LAYOUT_URL,
    analyze,
    count_queries,
    favour_this_benchmark,
    measure_block,
    postgres_round_trip,
    request_of,
)
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import CostBand, Duration, ImpactTier, SchemeKind  # noqa: E402
from toolbox.models import Action, ActionStep, Scheme  # noqa: E402
from toolbox.search import Filters, find, statement  # noqa: E402

ACTIONS = 2000
STEPS_PER_ACTION = 4
ROUNDS = 200
BLOCKS = 3
DOMAIN = "bench-toolbox.localhost"
MEMBER_EMAIL = "bench-toolbox-member@example.org"

THEMES = ["PIL", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO"]
VERBS = ["Réduire", "Suivre", "Installer", "Former", "Mesurer", "Remplacer", "Valoriser", "Sensibiliser", "Organiser"]
OBJECTS = [
    "les déchets de bureau", "la consommation d'énergie", "le chauffage des locaux",
    "les déplacements domicile-travail", "l'éclairage LED", "les achats responsables",
    "le compostage des biodéchets", "la récupération d'eau de pluie", "la flotte de véhicules",
    "la restauration collective", "les espaces verts", "la chaudière biomasse", "les emballages",
    "l'isolation des combles", "le covoiturage", "les panneaux photovoltaïques",
]  # fmt: skip
WORDS = [
    "équipe", "direction", "salariés", "fournisseurs", "bilan", "carbone", "diagnostic", "indicateur",
    "tableau", "de", "bord", "objectif", "plan", "budget", "subvention", "accompagnement", "partenaire",
    "territoire", "économie", "circulaire", "tri", "sélectif", "réemploi", "réparation", "sobriété",
    "efficacité", "énergétique", "thermostat", "régulation", "consommation", "électricité", "gaz", "fioul",
    "eau", "potable", "fuite", "arrosage", "biodiversité", "haie", "prairie", "pollinisateurs", "mobilité",
    "vélo", "transport", "en", "commun", "télétravail", "véhicule", "électrique", "borne", "recharge",
    "alimentation", "locale", "saisonnière", "gaspillage", "cantine", "menu", "végétarien", "formation",
    "sensibilisation", "communication", "affichage", "charte", "engagement", "suivi", "mensuel", "annuel",
    "mesure", "résultat",
]  # fmt: skip


def _sentence(rng, length):
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench boîte à outils", slug="bench-toolbox", domain=DOMAIN, admin_email="bench@example.org")
    ).territory
    with schema_context(territory.schema_name):
        if Action.objects.count() >= ACTIONS:
            return territory
        rng = random.Random(42)
        started = time.monotonic()
        free = Scheme.objects.create(code="BENCH-FREE", name="Conseil gratuit", kind=SchemeKind.FREE_SUPPORT)
        actions = Action.objects.bulk_create(
            Action(
                code=f"BENCH-{index:04d}",
                title=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
                promise=_sentence(rng, 12),
                # About 150 words of Markdown, in paragraphs, as a national action's body.
                body="\n\n".join(f"**{_sentence(rng, 3)}** {_sentence(rng, 30)}" for _ in range(4)),
                main_theme=rng.choice(THEMES),
                themes=rng.sample(THEMES, 1),
                levels=rng.sample([1, 2, 3, 4], rng.randint(0, 2)),
                cost=rng.choice(CostBand.values),
                duration=rng.choice(Duration.values),
                impact=rng.choice(ImpactTier.values),
                order=index,
            )
            for index in range(ACTIONS)
        )
        ActionStep.objects.bulk_create(
            ActionStep(action=action, order=step, text=_sentence(rng, 10))
            for action in actions
            for step in range(STEPS_PER_ACTION)
        )
        free.actions.add(*actions[::7])
        print(f"  seeded {ACTIONS} actions ({time.monotonic() - started:.0f} s)", flush=True)
    return territory


REFERENCE = "mentions légales (reference)"
ENDPOINTS = {
    # A word of the titles (a hundred matches), two words of the bodies and steps (hundreds of matches,
    # with excerpts), a filtered list, an action's page.
    "search « déchets »": "/boite-a-outils/?q=d%C3%A9chets",
    "search « bilan carbone »": "/boite-a-outils/?q=bilan+carbone",
    "filters, no search": "/boite-a-outils/?theme=ENE&level=2&cost=medium&free_support=on",
    "action page": "/boite-a-outils/BENCH-0042/",
    REFERENCE: LAYOUT_URL,
}
GOALS = {"search « déchets »": 15, "search « bilan carbone »": 15}
MEMBER = "« déchets », member"
MEMBER_ORGANISATION = "Membre du banc"


def a_member():
    """A participant with an organisation: the list shows them « ajouter à mon plan » on every card."""
    user = User.objects.filter(email=MEMBER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(MEMBER_EMAIL, "bench-password-42")
        organisation = Organisation.objects.create(
            name=MEMBER_ORGANISATION, kind=OrganisationKind.ENTREPRISE, headcount_band="11", commune="Benchville"
        )
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


def main():
    favour_this_benchmark()
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        count = Action.objects.count()
        matches = find(Filters(), "déchets").count
        sql, params = statement(Filters(), "déchets")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
    client, member = Client(HTTP_HOST=DOMAIN), Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    member.force_login(a_member())
    member_organisation = Organisation.objects.get(memberships__user__email=MEMBER_EMAIL)
    connection.set_schema_to_public()

    def call(url):
        return lambda: client.get(url)

    def change_toolbox():
        """What any write of an action, step or scheme does to the toolbox's revision (migration 0005)."""
        connection.set_tenant(territory)  # as the request will: no search_path to set again for it
        with connection.cursor() as cursor:
            cursor.execute("SELECT toolbox_touch('toolbox')")

    changes = itertools.count()

    def change_buttons():
        """What a change of the member's plan does to their list (toolbox/views/browse.py): another key for
        the cards' buttons, each time anew (their organisation renamed), the search's results read back."""
        connection.set_tenant(territory)
        Organisation.objects.filter(pk=member_organisation.pk).update(name=f"{MEMBER_ORGANISATION} {next(changes)}")

    calls = {label: call(url) for label, url in ENDPOINTS.items()}
    calls[MEMBER] = lambda: member.get(ENDPOINTS["search « déchets »"])
    # Lists are read from the cache until the toolbox changes. Measured apart: a change moves every
    # list of the territory to a new key, so each round starts with one and the lists miss.
    changed = {
        f"{label}, changed": (change_toolbox, calls[label]) if index == 0 else calls[label]
        for index, label in enumerate(GOALS | {"filters, no search": None})
    } | {REFERENCE: call(LAYOUT_URL)}
    replanned = {f"{MEMBER}, plan changed": (change_buttons, calls[MEMBER]), REFERENCE: call(LAYOUT_URL)}
    for _ in range(20):  # warm-up: caches, connections, template loading
        for run in (calls | changed | replanned).values():
            assert request_of(run)().status_code == 200
    for run in calls.values():  # viewed once since the warm-up's last change: then counted as viewed again
        request_of(run)()
    queries = {label: len(count_queries(request_of(run))) for label, run in calls.items()}
    request_of(changed[next(iter(changed))])  # the change: then each list's first request is counted
    queries |= {label: len(count_queries(request_of(run))) for label, run in changed.items()}
    queries |= {label: len(count_queries(request_of(run))) for label, run in replanned.items()}

    print(f"\nToolbox on {count} actions ({matches} match « déchets »), {BLOCKS} blocks of {ROUNDS} requests each")
    print("index: " + next((line.strip() for line in plan if "action_search_vector_gin" in line), "NOT USED"))
    header = f"{'endpoint':<30}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}{'× reference':>13}"
    for title, measured in (
        ("as viewed again", calls),
        ("after a change of the toolbox", changed),
        ("after a plan change", replanned),
    ):
        quiet = quietest_block(measured)
        print(f"\n{header}   goal (quietest block, {title})")
        for label in measured:
            median, p95, fastest = quiet[label]
            goal = GOALS.get(label)
            verdict = f"median <= {goal} ms: {'met' if median <= goal else 'NOT met'}" if goal else ""
            ratio = median / quiet[REFERENCE][0]
            print(f"{label:<30}{median:>10.2f}{p95:>8.2f}{fastest:>8.2f}{queries[label]:>9}{ratio:>13.2f}   {verdict}")
    print(f"PostgreSQL round trip (SELECT 1) median {postgres_round_trip():.2f} ms")
    with schema_context(territory.schema_name):
        Organisation.objects.filter(pk=member_organisation.pk).update(name=MEMBER_ORGANISATION)  # for the next run


def quietest_block(calls):
    """BLOCKS blocks of ROUNDS rounds of `calls`, each block's medians printed; the quietest block."""
    print(f"\n{'block':<7}{'host loop ms':>13}" + "".join(f"{label[:18]:>20}" for label in calls) + "   (median ms)")
    blocks = []
    for number in range(1, BLOCKS + 1):
        block = measure_block(calls, ROUNDS)
        blocks.append(block)
        row = "".join(f"{block[label][0]:>20.2f}" for label in calls)
        print(f"{number:<7}{block['loop'][0]:>13.2f}{row}")
    return min(blocks, key=lambda block: block["loop"][0])


if __name__ == "__main__":
    main()
