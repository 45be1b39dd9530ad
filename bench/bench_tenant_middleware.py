"""Cost of tenant resolution: a trivial view through the full middleware stack, with and without it.

    python bench/bench_tenant_middleware.py        (DATABASE_URL / REDIS_URL from the environment)
    python -m assett.devstack bench                (embedded services)

Requests are driven in-process through Django's WSGIHandler: this measures server-side
work only, without network or server-process noise. Three variants of the same stack:
  - without any tenant middleware (the baseline),
  - with tenants.middleware.TerritoryMiddleware (host → territory from an in-process map),
  - with stock django-tenants TenantMainMiddleware (one domain query per request), for reference.
The goal is TerritoryMiddleware >= 0.95 × baseline.
"""

import io
import os
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402

HOST = "bench.localhost"
ROUNDS = 20
WARMUP_REQUESTS = 300

TERRITORY_MIDDLEWARE = "tenants.middleware.TerritoryMiddleware"
STOCK_MIDDLEWARE = "django_tenants.middleware.main.TenantMainMiddleware"
# The project's stack minus its tenant middleware; each variant puts one (or none) on top.
BASE_STACK = [m for m in settings.MIDDLEWARE if m != TERRITORY_MIDDLEWARE]
# name: (middleware, requests per round). The stock middleware, several times slower
# (one query per request), is only a reference: fewer requests keep the run under a minute.
BASELINE = "without tenant middleware"
VARIANTS = {
    BASELINE: (BASE_STACK, 750),
    "with TerritoryMiddleware": ([TERRITORY_MIDDLEWARE, *BASE_STACK], 750),
    "with stock TenantMainMiddleware": ([STOCK_MIDDLEWARE, *BASE_STACK], 150),
}


def trivial_view(request):
    return HttpResponse("ok")


# A throwaway urlconf module: tenant hosts route through ROOT_URLCONF, the public host
# through PUBLIC_SCHEMA_URLCONF; both point here so every variant resolves the same view.
URLCONF = "bench_tenant_middleware_urls"
urls_module = types.ModuleType(URLCONF)
urls_module.urlpatterns = [path("bench/", trivial_view)]
sys.modules[URLCONF] = urls_module


def environ():
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/bench/",
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "HTTP_HOST": HOST,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def start_response(status, headers, exc_info=None):
    start_response.status = status


def serve(handler, count):
    """Serve `count` requests; return requests per second of wall-clock and of CPU time.

    Wall-clock is what a client sees, but on a shared machine other processes steal it.
    This process's CPU time ignores them, though it leaves out the database server's work
    (only the stock middleware has any), so it is the steadier figure for the ratio.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        response = handler(environ(), start_response)
        for _chunk in response:
            pass
        response.close()  # fires request_finished, as a real WSGI server does
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


def prepare_database():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    # locmem: the first admin's invitation email must not land on stdout.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        spec = TerritorySpec(name="Bench", slug="bench", domain=HOST, admin_email="bench@example.org")
        provision_territory(spec)


def build_handlers():
    """One WSGIHandler per variant: the handler loads its middleware when built."""
    handlers = {}
    for name, (middleware, _count) in VARIANTS.items():
        with override_settings(MIDDLEWARE=middleware):
            handler = WSGIHandler()
        connection.set_schema_to_public()
        serve(handler, 1)
        # Guard against timing an error page or the wrong schema.
        assert start_response.status.startswith("200"), f"{name}: {start_response.status}"
        if name != BASELINE:
            assert connection.schema_name == "bench", f"{name} resolved to {connection.schema_name}"
        handlers[name] = handler
    return handlers


def main():
    # The dev setup has no collected static files; WhiteNoise warns once per handler.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    prepare_database()
    # Set on the settings object itself, not through override_settings: its wrapper makes
    # each read of an unset setting (django-tenants probes some on every request) slower
    # than in production. DEBUG off as in production: with it on, Django logs every SQL
    # query and WhiteNoise looks static files up on each request.
    settings.DEBUG = False
    settings.ROOT_URLCONF = URLCONF
    settings.PUBLIC_SCHEMA_URLCONF = URLCONF
    handlers = build_handlers()
    for handler in handlers.values():
        serve(handler, WARMUP_REQUESTS)
    # Short rounds alternate the variants, so machine noise hits them all alike; every
    # other round runs them in reverse order, so no variant always follows the same one.
    rates = {name: [] for name in handlers}
    for round_number in range(ROUNDS):
        order = list(handlers) if round_number % 2 == 0 else list(reversed(handlers))
        for name in order:
            rates[name].append(serve(handlers[name], VARIANTS[name][1]))
    report(rates)


def report(rates):
    wall = {name: statistics.median(r[0] for r in runs) for name, runs in rates.items()}
    cpu = {name: statistics.median(r[1] for r in runs) for name, runs in rates.items()}
    counts = "/".join(str(count) for _middleware, count in VARIANTS.values())
    print(f"\nTenant middleware cost: {ROUNDS} rounds x {counts} requests, GET http://{HOST}/bench/")
    print(f"medians of {ROUNDS} rounds     req/s (wall)  ratio  wall min..max  req/s (CPU)  ratio")
    for name in rates:
        wall_ratio = "" if name == BASELINE else f"{wall[name] / wall[BASELINE]:.3f}"
        cpu_ratio = "" if name == BASELINE else f"{cpu[name] / cpu[BASELINE]:.3f}"
        spread = f"{min(r[0] for r in rates[name]):.0f}..{max(r[0] for r in rates[name]):.0f}"
        print(f"{name:<31}{wall[name]:>12.0f}{wall_ratio:>7}{spread:>15}{cpu[name]:>13.0f}{cpu_ratio:>7}")
    # The verdict: each round's ratio to the baseline of the same round (measured a moment
    # apart), then their median; a ratio of medians mixes rounds the host ran at other speeds.
    for label, index in (("wall", 0), ("CPU", 1)):
        rounds = zip(rates["with TerritoryMiddleware"], rates[BASELINE], strict=True)
        ratio = statistics.median(mine[index] / base[index] for mine, base in rounds)
        verdict = "OK" if ratio >= 0.95 else "BELOW GOAL"
        print(f"TerritoryMiddleware ratio ({label}, median of per-round ratios): {ratio:.3f}, goal >= 0.95: {verdict}")


if __name__ == "__main__":
    main()
