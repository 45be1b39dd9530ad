"""Shared fixtures.

Two territories are provisioned once per session (a schema each costs seconds), and
every test runs in a transaction that is rolled back. Tests that need a real worker
or a real browser talk to the same test database through committed session data.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from mailing.models import OutgoingEmail
from tenants.enums import TerritoryStatus
from tenants.platform import ensure_public_tenant
from tenants.resolution import forget_territories_in_process
from tenants.services import TerritorySpec, provision_territory, set_territory_status

BASE_DIR = Path(__file__).resolve().parent.parent

TERRITORY_A = TerritorySpec(
    name="Territoire A",
    slug="territoire-a",
    domain="territoire-a.localhost",
    admin_email="admin@a.example",
    kind="cu",
    siren="200069854",
)
TERRITORY_B = TerritorySpec(
    name="Territoire B",
    slug="territoire-b",
    domain="territoire-b.localhost",
    admin_email="admin@b.example",
    kind="metropole",
    siren="243100518",
)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, for every run. pytest-django creates it only when a collected test asks
    for `db` or the django_db mark; the browser and worker tests ask for neither (their data is
    committed, for the live server and the worker to read), so a run of only those would have
    provisioned the test territories in the real database named by DATABASE_URL."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def territories(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_public_tenant("testserver")
        a = provision_territory(TERRITORY_A).territory
        b = provision_territory(TERRITORY_B).territory
        for territory in (a, b):
            set_territory_status(territory, TerritoryStatus.ACTIVE)  # opened, as the sites under test are
            with schema_context(territory.schema_name):
                OutgoingEmail.objects.all().delete()  # the admins' invitations: tests start with no email
        connection.set_schema_to_public()
    return a, b


@pytest.fixture
def territory_a(territories):
    return territories[0]


@pytest.fixture
def territory_b(territories):
    return territories[1]


@pytest.fixture
def in_a(db, territory_a):
    """Run the test body in territory A's schema."""
    connection.set_tenant(territory_a)
    yield territory_a
    connection.set_schema_to_public()


@pytest.fixture
def client_a(territory_a):
    return Client(HTTP_HOST=TERRITORY_A.domain)


@pytest.fixture
def client_b(territory_b):
    return Client(HTTP_HOST=TERRITORY_B.domain)


@pytest.fixture
def public_client(db, territories):
    return Client(HTTP_HOST="testserver")


@pytest.fixture
def queued_emails():
    """The emails stored for sending in a territory's schema, oldest first. Every email goes through
    mailing/ (a row, then a Celery task on commit): tests read the rows instead of an outbox."""

    # Only this test's: the browser and worker tests commit theirs.
    started = timezone.now()

    def emails(territory):
        with schema_context(getattr(territory, "schema_name", territory)):
            return list(OutgoingEmail.objects.filter(created_at__gte=started))

    return emails


@pytest.fixture(autouse=True)
def _own_cache_prefix():
    """Each test sees an empty cache (and fresh allauth rate limits) without flushing Redis."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    cache = caches["default"]
    original = cache.key_prefix
    cache.key_prefix = prefix
    yield
    cache.key_prefix = original


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    yield
    connection.set_schema_to_public()
    # A rolled-back test may have left uncommitted territories in the host cache.
    forget_territories_in_process()


def _database_url():
    db = connection.settings_dict
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgresql://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_other_sessions_to_close(django_db_blocker, seconds=3):
    """The test database is dropped right after the session: give the worker's and the live server's
    connections a moment to go, then end any that lingers (a keep-alive thread's, typically)."""
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    # A fresh connection: whichever of the worker and the live server goes first may have ended this
    # one (its pid was "another session" for the second), and a lost connection cannot count. Inside a
    # test's transaction (tests/test_production.py) the connection is the test's own, alive: keep it.
    if not connection.in_atomic_block:
        connection.close()
    with django_db_blocker.unblock(), connection.cursor() as cursor:

        def gone_within(seconds):
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                cursor.execute(f"SELECT count(*) {others}")
                if cursor.fetchone()[0] == 0:
                    return True
                time.sleep(0.1)
            return False

        if not gone_within(seconds):
            cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")  # returns before they are gone
            gone_within(seconds)


@contextlib.contextmanager
def running_celery_worker(django_db_blocker, queue, **env_overrides):
    """A real Celery worker process on the real Redis broker, reading the test database, consuming `queue`
    (also its default queue, for the tasks it sends itself). `env_overrides` reach its settings."""
    from assett.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ASSETT_TESTING": "1",
        "CELERY_QUEUE": queue,
        **env_overrides,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "assett",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "WARNING",
            "-n",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.inspect(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5).ping():
            break
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("The Celery worker did not start within 30 s.")
    try:
        yield queue
    finally:
        process.terminate()
        process.wait(timeout=20)
        _wait_for_other_sessions_to_close(django_db_blocker)


@pytest.fixture(scope="session")
def celery_worker(territories, django_db_blocker):
    with running_celery_worker(django_db_blocker, f"test-{uuid.uuid4().hex[:8]}") as queue:
        yield queue


@pytest.fixture(scope="session", autouse=True)
def _no_tasks_left_in_the_test_queue():
    """Tasks sent on commit by the live server's requests go to the tests' default queue, which no
    worker consumes: empty it at the end, so that it does not grow from one run to the next."""
    yield
    from assett.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


@pytest.fixture(scope="session")
def live_server_url(territories, django_db_blocker):
    """A real HTTP server on a free port, serving the test database (committed data only)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    django_db_blocker.unblock()
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    _wait_for_other_sessions_to_close(django_db_blocker)
    django_db_blocker.restore()


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse
    # database calls from the tests that follow (SynchronousOnlyOperation), though they are sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
