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
ROUNDS = 5
REQUESTS_PER_ROUND = 3000
WARMUP_REQUESTS = 300

TERRITORY_MIDDLEWARE = "tenants.middleware.TerritoryMiddleware"
STOCK_MIDDLEWARE = "django_tenants.middleware.main.TenantMainMiddleware"
# The project's stack minus its tenant middleware; each variant puts one (or none) on top.
BASE_STACK = [m for m in settings.MIDDLEWARE if m != TERRITORY_MIDDLEWARE]
VARIANTS = {
    "without tenant middleware": BASE_STACK,
    "with TerritoryMiddleware": [TERRITORY_MIDDLEWARE, *BASE_STACK],
    "with stock TenantMainMiddleware": [STOCK_MIDDLEWARE, *BASE_STACK],
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
    """Serve `count` requests; return requests per second."""
    started = time.perf_counter()
    for _ in range(count):
        response = handler(environ(), start_response)
        for _chunk in response:
            pass
        response.close()  # fires request_finished, as a real WSGI server does
    return count / (time.perf_counter() - started)


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
    for name, middleware in VARIANTS.items():
        with override_settings(MIDDLEWARE=middleware):
            handler = WSGIHandler()
        connection.set_schema_to_public()
        serve(handler, 1)
        # Guard against timing an error page or the wrong schema.
        assert start_response.status.startswith("200"), f"{name}: {start_response.status}"
        if middleware[0] != BASE_STACK[0]:
            assert connection.schema_name == "bench", f"{name} resolved to {connection.schema_name}"
        handlers[name] = handler
    return handlers


def main():
    prepare_database()
    # DEBUG off as in production: with it on, Django logs every SQL query and WhiteNoise
    # looks static files up on each request, which would skew the comparison.
    with override_settings(DEBUG=False, ROOT_URLCONF=URLCONF, PUBLIC_SCHEMA_URLCONF=URLCONF):
        handlers = build_handlers()
        for handler in handlers.values():
            serve(handler, WARMUP_REQUESTS)
        # Rounds alternate the variants, so machine noise hits them all alike.
        rates = {name: [] for name in handlers}
        for _round in range(ROUNDS):
            for name, handler in handlers.items():
                rates[name].append(serve(handler, REQUESTS_PER_ROUND))

    medians = {name: statistics.median(values) for name, values in rates.items()}
    baseline = medians["without tenant middleware"]
    print(f"\nTenant middleware cost: {ROUNDS} rounds x {REQUESTS_PER_ROUND} requests, GET http://{HOST}/bench/")
    print(f"{'variant':<34}{f'req/s (median of {ROUNDS})':>22}{'ratio':>9}   min..max req/s")
    for name, median in medians.items():
        ratio = "" if name == "without tenant middleware" else f"{median / baseline:.3f}"
        spread = f"{min(rates[name]):.0f}..{max(rates[name]):.0f}"
        print(f"{name:<34}{median:>22.0f}{ratio:>9}   {spread}")
    ratio = medians["with TerritoryMiddleware"] / baseline
    print(f"TerritoryMiddleware ratio {ratio:.3f} (goal >= 0.95): {'OK' if ratio >= 0.95 else 'BELOW GOAL'}")


if __name__ == "__main__":
    main()
