"""What the browser tests that talk to the live server share: the ORM beside Playwright, reads and
writes the live server sees (committed on a connection of their own), and which console messages
are faults.

A module uses them by importing them: `from .live import committed, orm_beside_playwright,
no_persistent_connections_in_the_server  # noqa: F401 - fixtures`.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django_tenants.utils import schema_context


def committed(territory, query):
    """Run `query()` in the territory's schema on a connection of its own, in autocommit: it
    sees what the server threads committed, and what it deletes stays deleted (the test's own
    connection is in the transaction of the django_db mark)."""

    def in_thread():
        try:
            with schema_context(territory.schema_name):
                return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright(territories, live_server_url, browser):
    """Playwright's sync API keeps an event loop running in the main thread while `browser`
    lives. Django then refuses the ORM there (the django_db mark opens its transaction there)
    unless allowed, and keeps the connections opened meanwhile in an async context that
    pytest-django does not see: close them, or the test database cannot be dropped.
    The order of the arguments is the order of set-up: the test database is created and
    provisioned before the loop runs, and the live server is stopped after it (conftest then
    checks, from this thread, that no other session is left on the test database).
    Module scope: the environment variable must not reach other tests' subprocesses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
        connections.close_all()


@pytest.fixture(autouse=True)
def no_persistent_connections_in_the_server(monkeypatch):
    """The live server's request threads outlive the test (Chromium keeps its keep-alive
    sockets open until the browser closes). With CONN_MAX_AGE they would also keep a session
    on the test database, which then cannot be dropped at the end of the run. Connections
    share this settings dict, so those the server opens during this test close after each request."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


# The DSFR's warnings about its markup fail a test, but for one: the phone menu's modal has no
# aria-labelledby in our HTML, which the Nu checker forbids on a div without a role
# (tests/test_html_validity.py), and the DSFR names it from its « Menu » button itself, saying so.
KNOWN_DSFR_WARNING = re.compile(r"Modal #menu-principal")


def is_reported(message):
    """A console message a test fails on: an error (CSP violations show up as errors), or the DSFR's
    warning about its markup."""
    if message.type == "error":
        return True
    return (
        message.type == "warning" and message.text.startswith("%cdsfr") and not KNOWN_DSFR_WARNING.search(message.text)
    )
