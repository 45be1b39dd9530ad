"""The action plan page of an organisation with 100 plan items (and its exports), server time and queries.

    python bench/bench_plan.py      # with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-plan` territory (once); later runs reuse it. Requests go through
the whole Django stack in process (middleware, sessions, templates, database). Goal: plan page
<= 12 ms median. As in bench_questionnaire.py, the requests alternate with a fixed pure-Python
loop in three blocks, and the verdict reads the block whose loop was fastest (the quietest host).
« × reference » is each page's time over the legal notice's (the layout alone), measured in the same
rounds: it moves less with the host than either. « plan page » is the page viewed again, its items read
rendered from the cache (toolbox/views/plan.py); « plan page, changed » the first view after one item
of the plan is renamed, which reads the items and renders that item's row again.
"""

import itertools
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import LAYOUT_URL, analyze, count_queries, favour_this_benchmark, measure_block, request_of  # noqa: E402
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import PlanStatus, Priority  # noqa: E402
from toolbox.models import PlanItem, PlanNote, PlanStep  # noqa: E402
from toolbox.plan import published_themes  # noqa: E402

ITEMS = 100
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
BLOCKS = 3
DOMAIN = "bench-plan.localhost"
EMAIL = "bench-plan@example.org"
REFERENCE = "mentions légales (ref.)"


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench plan", slug="bench-plan", domain=DOMAIN, admin_email="bench-plan-admin@example.org")
    ).territory
    with schema_context(territory.schema_name):
        if PlanItem.objects.count() >= ITEMS:
            return territory
        rng = random.Random(42)
        people = [
            User.objects.create_user(f"bench-plan-{n}@example.org" if n else EMAIL, "bench-password-42", first_name="P")
            for n in range(4)
        ]
        organisation = Organisation.objects.create(
            name="Organisation du banc", kind=OrganisationKind.ENTREPRISE, headcount_band="11", commune="Benchville"
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=organisation, role=MembershipRole.OWNER) for user in people
        )
        themes = [code for code, _title in published_themes()]
        today, now = timezone.localdate(), timezone.now()
        items = PlanItem.objects.bulk_create(
            PlanItem(
                organisation=organisation,
                title=f"Action du plan numéro {index}",
                theme=rng.choice(themes),
                status=(status := rng.choice(PlanStatus.values)),
                priority=rng.choice(Priority.values),
                owner=rng.choice(people),
                start_date=today - timedelta(days=rng.randint(0, 200)),
                target_date=today + timedelta(days=rng.randint(-60, 200)),
                completed_at=now if status == PlanStatus.DONE else None,
                completed_by=people[0] if status == PlanStatus.DONE else None,
            )
            for index in range(ITEMS)
        )
        PlanStep.objects.bulk_create(
            PlanStep(item=item, order=n, text=f"Étape {n}", done_at=now if rng.random() < 0.4 else None)
            for item in items
            for n in range(4)
        )
        PlanNote.objects.bulk_create(PlanNote(item=item, text="Une note", author=people[1]) for item in items[::3])
    return territory


def main():
    favour_this_benchmark()
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        user = User.objects.get(email=EMAIL)
        organisation = Organisation.objects.get(name="Organisation du banc")
        item = PlanItem.objects.filter(organisation=organisation).first()
        count = PlanItem.objects.filter(organisation=organisation).count()
    client = Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(user)
    connection.set_schema_to_public()
    base = f"/organisations/{organisation.pk}/plan/"

    changes = itertools.count()

    def change_plan():
        """One item renamed, each time anew: the plan's revision moves (toolbox/migrations/0005_revisions.py)
        and that item's row is rendered again, the 99 others read back (toolbox/views/plan.py)."""
        connection.set_tenant(territory)  # as the request will: no search_path to set again for it
        PlanItem.objects.filter(pk=item.pk).update(title=f"{item.title} ({next(changes)})")

    endpoints = {
        "plan page": lambda: client.get(base),
        "plan page, filtered": lambda: client.get(base, {"statut": "en-retard"}),
        "item page": lambda: client.get(f"{base}{item.pk}/"),
        "export CSV": lambda: client.get(base + "export.csv"),
        "export XLSX": lambda: client.get(base + "export.xlsx"),
        "mon espace": lambda: client.get("/mon-espace/"),
        REFERENCE: lambda: client.get(LAYOUT_URL),
    }
    # The first views after a change render the plan; the views after them read it from the cache.
    # Measured apart: a change moves both views of the plan to new keys.
    changed = {
        "plan page, changed": (change_plan, endpoints["plan page"]),
        "filtered, changed": endpoints["plan page, filtered"],
        REFERENCE: endpoints[REFERENCE],
    }
    for _ in range(20):  # warm-up: caches, connections, template loading
        for call in (endpoints | changed).values():
            request_of(call)()
    queries = {name: len(count_queries(request_of(call))) for name, call in endpoints.items()}
    request_of(changed["plan page, changed"])  # the change: then each view's first request is counted
    queries |= {name: len(count_queries(request_of(call))) for name, call in changed.items()}

    print(f"\nPlan of {count} items, {BLOCKS} blocks of {ROUNDS} requests to each endpoint")
    header = f"{'endpoint':<22}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}{'× reference':>13}"
    for title, measured in (("as viewed again", endpoints), ("after a change of the plan", changed)):
        blocks = []
        for number in range(1, BLOCKS + 1):
            block = measure_block(measured, ROUNDS)
            blocks.append(block)
            figures = "  ".join(f"{name} {block[name][0]:.2f}/{block[name][1]:.2f}" for name in measured)
            print(f"block {number}: host loop {block['loop'][0]:.2f} ms; median/p95 ms: {figures}")
        quiet = min(blocks, key=lambda block: block["loop"][0])
        print(f"\n{header}   (quietest block, {title})")
        for name in measured:
            median, p95, fastest = quiet[name]
            ratio = median / quiet[REFERENCE][0]
            print(f"{name:<22}{median:>10.2f}{p95:>8.2f}{fastest:>8.2f}{queries[name]:>9}{ratio:>13.2f}")
        page = "plan page" if title == "as viewed again" else "plan page, changed"
        verdict = "met" if quiet[page][0] <= 12 else "NOT met"
        print(f"goal: {page} median <= 12 ms: {verdict}\n")
    with schema_context(territory.schema_name):
        PlanItem.objects.filter(pk=item.pk).update(title=item.title)  # as seeded, for the next run


if __name__ == "__main__":
    main()
