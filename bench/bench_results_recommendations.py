"""Results page with its recommended actions, on a territory whose toolbox holds 2,000 actions.

    python bench/bench_results_recommendations.py      # with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-recommend` territory (once); later runs reuse it: 40 organisations
with two submitted assessments each (the same-kind average has enough organisations), 2,000
visible actions over the seven themes with one to three question links each (and 100 hidden
ones), and a plan of 30 items for the organisation measured, a few of them completed between its
two assessments (so that the page also shows how those answers moved). Requests go through the
whole Django stack in process. Goal: results page <= 15 ms median. As in bench_questionnaire.py,
requests alternate with a fixed pure-Python loop and the legal notice (the layout alone) in three
blocks, and the verdict reads the block whose loop was fastest (the quietest host); « × reference »
is the page's time over the legal notice's, which moves less with the host than either. « results
page » is the page viewed again (its parts read rendered from the cache, referentiel/views/results.py),
« results page, changed » its first view after a change of the plan (an action added to it).
"""

import os
import random
import sys
import time
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
from bench.measure import (  # noqa: E402
    LAYOUT_URL,
    analyze,
    count_queries,
    favour_this_benchmark,
    measure_block,
    postgres_round_trip,
    request_of,
    summary,
)
from organisations.demo import demo_siret  # noqa: E402
from organisations.enums import HeadcountBand, MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from referentiel.demo import seed_assessment  # noqa: E402
from referentiel.models import Answer, Assessment  # noqa: E402
from referentiel.results import build_results  # noqa: E402
from referentiel.services import current_version  # noqa: E402
from referentiel.structure import question_spec, structure_for  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import CostBand, Duration, ImpactTier, PlanStatus  # noqa: E402
from toolbox.models import Action, ActionQuestion, PlanItem  # noqa: E402
from toolbox.recommendations import recommendations_for  # noqa: E402
from toolbox.steps import top_step  # noqa: E402

ORGANISATIONS = 40
ACTIONS = 2000
HIDDEN = 100
PLAN_ITEMS = 30
ROUNDS = 200
BLOCKS = 3
DOMAIN = "bench-recommend.localhost"
EMAIL = "bench-recommend@example.org"


def _seed_toolbox(rng, structure):
    questions = [q for theme in structure.themes for q in theme.question_list]
    themes = [theme.code for theme in structure.themes]
    actions = Action.objects.bulk_create(
        Action(
            code=f"B{index:04d}",
            title=f"Action de banc d'essai {index}",
            promise="Une action pour mesurer la page des résultats.",
            main_theme=rng.choice(themes),
            themes=rng.sample(themes, rng.randint(0, 2)),
            levels=rng.sample([1, 2, 3, 4], rng.randint(0, 2)),
            organisation_kinds=rng.sample(OrganisationKind.values, rng.randint(0, 2)),
            naf_codes=rng.sample(["J", "62", "C", "10", "G"], rng.randint(0, 2)),
            cost=CostBand.LOW,
            duration=Duration.WEEKS,
            impact=ImpactTier.MEDIUM,
            hidden=index >= ACTIONS,
            order=index,
        )
        for index in range(ACTIONS + HIDDEN)
    )
    links = []
    for action in actions:
        for question in rng.sample(questions, rng.randint(1, 3)):
            top = top_step(question_spec(question))
            links.append(
                ActionQuestion(action=action, question_code=question.code, up_to_step=rng.randint(1, max(1, top - 1)))
            )
    ActionQuestion.objects.bulk_create(links)
    return actions


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench recommandations", slug="bench-recommend", domain=DOMAIN, admin_email=EMAIL)
    ).territory
    with schema_context(territory.schema_name):
        if Action.objects.count() >= ACTIONS + HIDDEN:
            return territory
        rng = random.Random(42)
        user = User.objects.filter(email=EMAIL).first() or User.objects.create_user(EMAIL, "bench-password-42")
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Organisation {index:03d}",
                kind=OrganisationKind.ENTREPRISE,
                siret=demo_siret(rng),
                naf_code="62.01Z",
                naf_version="NAFRev2",
                naf_section="J",
                headcount_band=rng.choice([b for b in HeadcountBand.values if b != "NN"]),
                commune="Benchville",
            )
            for index in range(ORGANISATIONS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=organisation, role=MembershipRole.OWNER)
            for organisation in organisations
        )
        now = timezone.now()
        for organisation in organisations:
            maturity = rng.uniform(0.2, 0.6)
            seed_assessment(organisation, user, rng, maturity - 0.1, submitted_at=now - timedelta(days=365))
            seed_assessment(organisation, user, rng, maturity, submitted_at=now - timedelta(days=1))
        actions = _seed_toolbox(rng, structure_for(current_version()))
        measured = organisations[0]
        for index, action in enumerate(rng.sample(actions[:ACTIONS], PLAN_ITEMS)):
            done = index < 5
            PlanItem.objects.create(
                organisation=measured,
                action=action,
                title=action.title,
                theme=action.main_theme,
                status=PlanStatus.DONE if done else PlanStatus.IN_PROGRESS,
                completed_at=now - timedelta(days=100) if done else None,
            )
    return territory


def main():
    favour_this_benchmark()
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        user = User.objects.get(email=EMAIL)
        organisation = Organisation.objects.get(name="Organisation 000")
        assessment = (
            Assessment.objects.filter(organisation=organisation, status="submitted")
            .select_related("organisation", "version")
            .order_by("-submitted_at")
            .first()
        )
        counts = (Action.objects.filter(hidden=False).count(), ActionQuestion.objects.count())
        structure = structure_for(assessment.version)
        answers = list(Answer.objects.filter(assessment=assessment))
        priorities = [p.theme.code for p in build_results(assessment, answers=answers).priorities]
        shown = recommendations_for(assessment, structure, answers, priorities)
        candidates = sum(len(group.actions) for group in shown)
    client = Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(user)
    connection.set_schema_to_public()
    url = f"/auto-evaluations/{assessment.pk}/resultats/"

    def page():
        return client.get(url)

    def reference():
        return client.get(LAYOUT_URL)

    def change_plan():
        """What adding an action to the plan does to its revision (toolbox/migrations/0005_revisions.py):
        the practice changes and the recommendations are rendered again, their ranking read back."""
        connection.set_tenant(territory)  # as the request will: no search_path to set again for it
        with connection.cursor() as cursor:
            cursor.execute("SELECT toolbox_touch(%s)", [f"plan:{organisation.pk}"])

    measured = {
        "results page": {"results page": page, "reference": reference},
        "results page, changed": {"results page, changed": (change_plan, page), "reference": reference},
    }
    for _ in range(20):  # warm-up: caches, connections, template loading
        for calls in measured.values():
            for call in calls.values():
                request_of(call)()
    queries = {"results page": len(count_queries(page))}
    change_plan()
    queries["results page, changed"] = len(count_queries(page))
    html = page().content.decode()
    assert "/boite-a-outils/" in html, "no recommended action on the page"

    print(
        f"\nResults page of one assessment, toolbox of {counts[0]} visible actions / {counts[1]} question links; "
        f"priorities {', '.join(priorities)}; {candidates} actions shown; {BLOCKS} blocks of {ROUNDS} requests"
    )
    rows = []
    for label, calls in measured.items():
        print(f"{'block':<7}{'host loop ms':>13}{label[:24]:>25}{'p95':>7}{'reference':>11}")
        blocks = []
        for number in range(1, BLOCKS + 1):
            block = measure_block(calls, ROUNDS)
            blocks.append(block)
            print(
                f"{number:<7}{block['loop'][0]:>13.2f}{block[label][0]:>25.2f}{block[label][1]:>7.2f}"
                f"{block['reference'][0]:>11.2f}"
            )
        quiet = min(blocks, key=lambda block: block["loop"][0])
        rows.append((label, quiet[label], quiet["reference"]))
    with schema_context(territory.schema_name):
        parts = measure_parts(assessment, structure, answers, priorities)
    print(f"\n{'endpoint':<24}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}{'× reference':>13}   goal")
    for label, (median, p95, fastest), (ref_median, _ref_p95, _ref_fastest) in rows:
        verdict = "met" if median <= 15 else "NOT met"
        print(
            f"{label:<24}{median:>10.2f}{p95:>8.2f}{fastest:>8.2f}{queries[label]:>9}{median / ref_median:>13.2f}"
            f"   median <= 15 ms: {verdict}"
        )
        print(f"{'  mentions légales':<24}{ref_median:>10.2f}")
    print("\nThe recommendations alone, in process (median / p95 ms):")
    for label, (part_median, part_p95, _fastest) in parts.items():
        print(f"  {label:<44}{part_median:>8.2f}{part_p95:>8.2f}")
    print(f"PostgreSQL round trip (SELECT 1) median {postgres_round_trip():.2f} ms")


def measure_parts(assessment, structure, answers, priorities):
    """recommendations_for with its ranking read from the cache, and ranked afresh (under a toolbox revision
    never seen, as after any write of the toolbox)."""
    timings = {"ranking read from the cache (1 query)": [], "ranking afresh (2 queries)": []}
    for round_ in range(ROUNDS // 2):
        for label, revision in zip(timings, ("bench", f"bench-{round_}-{time.time()}"), strict=True):
            start = time.perf_counter()
            recommendations_for(assessment, structure, answers, priorities, toolbox=revision)
            timings[label].append((time.perf_counter() - start) * 1000)
    return {label: summary(durations) for label, durations in timings.items()}


if __name__ == "__main__":
    main()
