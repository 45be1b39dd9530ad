"""The toolbox editor's busy pages, on a territory with 150 actions (national ones, some adapted).

    python bench/bench_toolbox_editor.py      # with DATABASE_URL / REDIS_URL set

The first run seeds the `bench-toolbox` territory (seconds, once); later runs reuse it. Requests go
through the whole Django stack in process, so the figures are server time without network noise:
the list of all actions (grouped by theme, with plan counts), an action's main form, and a save of
that form with nothing changed (the adaptation rule compares every national field). The reference
loop's time is printed beside: on a shared machine it says how busy the host was.
"""

import os
import statistics
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

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.measure import analyze  # noqa: E402
from referentiel.services import current_version  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.models import Action, ActionQuestion, ActionStep  # noqa: E402

ACTIONS = 150
ROUNDS = 200
DOMAIN = "bench-toolbox.localhost"
THEMES = ("PIL", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO")
STAFF_EMAIL = "bench-staff@example.org"


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench boîte à outils", slug="bench-toolbox", domain=DOMAIN, admin_email="b@example.org")
    ).territory
    with schema_context(territory.schema_name):
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            User.objects.create_user(STAFF_EMAIL, "bench-password-42", role=Role.STAFF)
        if Action.objects.count() >= ACTIONS:
            return territory
        question_codes = list(current_version().questions.values_list("code", flat=True))
        actions = Action.objects.bulk_create(
            Action(
                code=f"{THEMES[index % len(THEMES)]}-A{index:02d}",
                origin="national",
                title=f"Action nationale {index}",
                promise="Une promesse en une phrase.",
                body="Pourquoi, **comment**, avec qui.\n\n- un\n- deux",
                main_theme=THEMES[index % len(THEMES)],
                levels=[1, 2],
                naf_codes=["C", "10"],
                cost="low",
                duration="weeks",
                impact="medium",
                order=index,
                adapted_fields=["title"] if index % 5 == 0 else [],
                national_data={"title": f"Titre national {index}"},
            )
            for index in range(ACTIONS)
        )
        ActionStep.objects.bulk_create(
            ActionStep(action=action, order=order, text=f"Étape {order}") for action in actions for order in range(4)
        )
        ActionQuestion.objects.bulk_create(
            ActionQuestion(action=action, question_code=question_codes[index % len(question_codes)], up_to_step=2)
            for index, action in enumerate(actions)
        )
    return territory


def count_queries(call):
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return statements


def reference_loop():
    start = time.perf_counter()
    sum(i * i for i in range(20000))
    return (time.perf_counter() - start) * 1000


def summary(durations):
    durations = sorted(durations)
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def main():
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        user = User.objects.get(email=STAFF_EMAIL)
        action = Action.objects.get(code="ENE-A01")
        form = {
            "title": action.title,
            "promise": action.promise,
            "body": action.body,
            "main_theme": action.main_theme,
            "levels": [str(rank) for rank in action.levels],
            "naf_codes": ", ".join(action.naf_codes),
            "cost": action.cost,
            "duration": action.duration,
            "impact": action.impact,
        }
    client = Client(HTTP_HOST=DOMAIN)
    connection.set_tenant(territory)
    client.force_login(user)
    connection.set_schema_to_public()
    edit_url = f"/gestion/boite-a-outils/actions/{action.pk}/"
    calls = {
        "list (150 actions)": (lambda: client.get("/gestion/boite-a-outils/"), 200),
        "action form": (lambda: client.get(edit_url), 200),
        "save, unchanged": (lambda: client.post(edit_url, form), 302),
        # A near-empty staff page: the layout's and the middleware's share of the figures above.
        "partners (baseline)": (lambda: client.get("/gestion/boite-a-outils/partenaires/"), 200),
    }
    for _ in range(20):  # warm-up: caches, connections, templates
        for call, _status in calls.values():
            call()
    timings = {name: [] for name in calls} | {"loop": []}
    for _ in range(ROUNDS):
        timings["loop"].append(reference_loop())
        for name, (call, status) in calls.items():
            start = time.perf_counter()
            response = call()
            timings[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == status, (name, response.status_code)
    print(f"\nToolbox editor, {ROUNDS} requests each; host reference loop median {summary(timings['loop'])[0]:.2f} ms")
    print(f"{'page':<22}{'median ms':>10}{'p95 ms':>8}{'queries':>9}")
    for name, (call, _status) in calls.items():
        median, p95 = summary(timings[name])
        print(f"{name:<22}{median:>10.2f}{p95:>8.2f}{len(count_queries(call)):>9}")


if __name__ == "__main__":
    main()
