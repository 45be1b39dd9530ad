"""Toolbox import and export on a territory, with a national toolbox of 90 actions (the real file's size and more).

    python -m assett.devstack bench          # all benchmarks, embedded or configured services
    python bench/bench_toolbox_import.py     # this one, with DATABASE_URL / REDIS_URL set

The national import runs in every provisioning (and again on each territory at every seed_demo):
its time is what a new territory waits for its toolbox. Each step runs in a transaction rolled back
afterwards, so every round starts from the same state: the territory's own toolbox, then the
synthetic national file of `national_toolbox()` (one action per referential question, plus the
real file's), validated, loaded a first time (creates), loaded again (updates), dumped, and written
to and read from a workbook. Figures: median, p95 and min in ms, and the queries of one run.
"""

import copy
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from referentiel.services import current_version  # noqa: E402
from referentiel.structure import question_spec, structure_for  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.loader import NATIONAL_TOOLBOX, dump_toolbox, load_toolbox, read_yaml  # noqa: E402
from toolbox.spreadsheet import read_workbook, workbook_bytes  # noqa: E402
from toolbox.steps import top_step  # noqa: E402
from toolbox.validation import validate_toolbox  # noqa: E402

ROUNDS = 15
DOMAIN = "bench-toolbox.localhost"


class Rollback(Exception):
    pass


def national_toolbox():
    """The real national file plus one action per referential question (codes <THEME>-A5n...)."""
    data = read_yaml(NATIONAL_TOOLBOX)
    structure = structure_for(current_version())
    counters = {}
    for theme in structure.themes:
        for question in theme.question_list:
            top = top_step(question_spec(question))
            if top < 2:
                continue
            counters[theme.code] = counters.get(theme.code, 49) + 1
            data["actions"].append(
                {
                    "code": f"{theme.code}-A{counters[theme.code]}",
                    "title": f"Progresser sur {question.code}",
                    "promise": "Une action synthétique du banc d'essai.",
                    "body": "Pourquoi, comment.\n\n- une liste\n- en Markdown\n",
                    "main_theme": theme.code,
                    "levels": [1, 2],
                    "cost": "low",
                    "duration": "weeks",
                    "impact": "medium",
                    "steps": [{"text": f"Étape {n}", "url": "https://example.org/etape"} for n in range(1, 5)],
                    "questions": [{"code": question.code, "up_to_step": top - 1}],
                    "schemes": [data["schemes"][0]["code"]],
                    "prerequisites": [data["actions"][0]["code"]],
                }
            )
    return data


def measure(step, prepare=None):
    """Durations (ms) of `step` over ROUNDS runs, each in a rolled-back transaction, and one run's queries."""
    durations, queries = [], []
    for round_index in range(ROUNDS):
        try:
            with transaction.atomic():
                if prepare:
                    prepare()
                statements = []

                def record(execute, sql, params, many, context, statements=statements):
                    statements.append(sql)
                    return execute(sql, params, many, context)

                start = time.perf_counter()
                with connection.execute_wrapper(record):
                    step()
                durations.append((time.perf_counter() - start) * 1000)
                if round_index == 0:
                    queries = statements
                raise Rollback
        except Rollback:
            pass
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1], durations[0], len(queries)


def main():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(name="Bench boîte à outils", slug="bench-toolbox", domain=DOMAIN, admin_email="bench@example.org")
    ).territory
    with schema_context(territory.schema_name):
        data = national_toolbox()
        first_load = lambda: load_toolbox(copy.deepcopy(data), national=True)  # noqa: E731
        dumped = {}

        def dump_after_load():
            first_load()
            dumped["data"] = dump_toolbox()

        dump_after_load_once = measure(dump_after_load)  # fills `dumped` too
        content = workbook_bytes(dumped["data"])
        steps = [
            ("validate (national)", lambda: validate_toolbox(data, national=True), None),
            ("national load, new", first_load, None),
            ("national re-import", first_load, first_load),
            ("dump", dump_toolbox, first_load),
            ("workbook write", lambda: workbook_bytes(dumped["data"]), None),
            ("workbook read", lambda: read_workbook(io.BytesIO(content)), first_load),
        ]
        print(f"Toolbox of {len(data['actions'])} national actions, {ROUNDS} rounds each\n")
        print(f"{'step':<22}{'median ms':>10}{'p95 ms':>8}{'min ms':>8}{'queries':>9}")
        for label, step, prepare in steps:
            median, p95, fastest, count = measure(step, prepare)
            print(f"{label:<22}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{count:>9}")
        median, p95, fastest, count = dump_after_load_once
        print(f"{'load + dump':<22}{median:>10.1f}{p95:>8.1f}{fastest:>8.1f}{count:>9}")


if __name__ == "__main__":
    main()
