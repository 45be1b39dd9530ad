"""/healthz, for load balancers and monitoring.

Anyone gets the status code and `{"status": "ok"}` or `{"status": "error"}`; the details (database,
Redis, workers) need HEALTHZ_TOKEN, given as `Authorization: Bearer …`, `X-Healthz-Token: …` or
`?token=…`. HealthCheckMiddleware answers before the territory is resolved: the probe works on any
host, and with the database down it still says 503 in JSON instead of an HTML 500.

Only the database makes it 503: every page reads it. Redis down is the degraded mode
(docs/architecture.md): pages, login and autosave go on, and every instance shares that one Redis,
so a load balancer taking instances out would turn a degraded site into a down one. No page waits
for a Celery worker, so workers down shows in the details only.
"""

import hmac
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from .celery import app as celery_app

PATH = "/healthz"
# A worker's answer is reused this long; a ping waits this long for replies.
WORKERS_CACHE_SECONDS = 5.0
WORKERS_PING_SECONDS = 0.5
# Only the process's first ping has no earlier answer to give: its caller waits this long for it.
WORKERS_FIRST_WAIT_SECONDS = 2.0


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


def _redis():
    # Through the cache's circuit breaker: while Redis is known to be down this costs nothing.
    return {"status": "ok" if caches["platform"].ping() else "error"}


def _ping_workers():
    # A connection of its own, not the pool (20 parallel calls once exhausted it and hung every
    # later one), that gives up at the first failure instead of kombu's endless reconnection loop.
    # polling_interval: the replies are read every 0.1 s, not every second (kombu's BRPOP timeout).
    options = {"max_retries": 0, "socket_timeout": 1, "socket_connect_timeout": 0.5, "polling_interval": 0.1}
    with celery_app.connection_for_read(transport_options=options) as broker:
        replies = celery_app.control.inspect(timeout=WORKERS_PING_SECONDS, connection=broker).ping() or {}
    return {"status": "ok" if replies else "down", "count": len(replies)}


class WorkerCheck:
    """The workers' last answer to a ping, renewed at most every WORKERS_CACHE_SECONDS.

    At most one thread pings the broker, in the background, and every request takes the last
    answer at once (only the very first waits for it, a bounded time): a flood of calls never
    reaches the broker nor holds the server's threads.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._result = {"status": "unknown"}
        self._checked_at = None
        self._pinging = None

    def result(self):
        with self._lock:
            stale = self._checked_at is None or time.monotonic() - self._checked_at >= WORKERS_CACHE_SECONDS
            started = None
            if stale and self._pinging is None:
                started = self._pinging = threading.Thread(target=self._ping, name="healthz-workers", daemon=True)
                started.start()
            first = self._checked_at is None
        if started is not None and first:
            started.join(WORKERS_FIRST_WAIT_SECONDS)
        with self._lock:
            return self._report()

    def _report(self):
        age = None if self._checked_at is None else round(time.monotonic() - self._checked_at, 1)
        return {**self._result, "checked_seconds_ago": age}

    def _ping(self):
        try:
            result = _ping_workers()
        except Exception as error:  # noqa: BLE001 — a health probe reports every failure, whatever it is
            result = {"status": "error", "error": error.__class__.__name__}
        with self._lock:
            self._result, self._checked_at, self._pinging = result, time.monotonic(), None


workers = WorkerCheck()


def _check(probe):
    try:
        return probe()
    except Exception as error:  # noqa: BLE001 — idem
        return {"status": "error", "error": error.__class__.__name__}


def _presented_token(request):
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip()
    return request.headers.get("X-Healthz-Token") or request.GET.get("token") or ""


def _authorised(request):
    expected = settings.HEALTHZ_TOKEN
    # compare_digest: the time taken does not tell how much of a guess was right.
    return bool(expected) and hmac.compare_digest(_presented_token(request).encode(), expected.encode())


def healthz(request):
    database = _check(_database)
    healthy = database["status"] == "ok"
    body = {"status": "ok" if healthy else "error"}
    if _authorised(request):
        body.update(database=database, redis=_check(_redis), workers=workers.result())
    response = JsonResponse(body, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """First middleware: /healthz needs neither the host's territory nor the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
