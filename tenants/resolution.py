"""Host name → territory, cached in process.

Stock django-tenants runs a query on every request to resolve the host. Territories
and domains change rarely, so each process keeps a dict, and checks at most once per
TENANT_CACHE_CHECK_SECONDS a generation counter in Redis that any change bumps:
every gunicorn worker sees an edit within about a second, at the price of one Redis
read per second and per process.

With Redis unavailable (assett/cache.py) no process can tell the others of an edit, so the map
is trusted for one check period only and hosts are read from the database again: one query per
host, period and process, until Redis answers and the counter is read again.
"""

import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

from .models import Domain

GENERATION_KEY = "tenants:generation"

_lock = threading.Lock()
_by_host = {}
# Raw Host header (port included) → territory, filled only after Django validated that header.
_by_raw_host = {}
# No counter read (Redis unavailable): whatever the next read says, the map is dropped then.
_UNKNOWN = object()
_state = {"generation": _UNKNOWN, "checked_at": 0.0}


def _platform_cache():
    return caches["platform"]


def _refresh_if_stale():
    now = time.monotonic()
    if now - _state["checked_at"] < settings.TENANT_CACHE_CHECK_SECONDS:
        return
    cache = _platform_cache()
    generation = cache.get(GENERATION_KEY)
    if cache.unavailable:
        generation = _UNKNOWN
    with _lock:
        if generation is _UNKNOWN or generation != _state["generation"]:
            _by_host.clear()
            _by_raw_host.clear()
            _state["generation"] = generation
        _state["checked_at"] = now


def territory_for_raw_host(raw_host):
    """The territory already resolved for this exact Host header, or None."""
    _refresh_if_stale()
    return _by_raw_host.get(raw_host)


def remember_raw_host(raw_host, territory):
    if len(_by_raw_host) < 10_000:  # bounded: Host headers come from clients
        _by_raw_host[raw_host] = territory


def territory_for_host(hostname):
    """The territory serving `hostname`; raises Domain.DoesNotExist for an unknown host."""
    _refresh_if_stale()
    territory = _by_host.get(hostname)
    if territory is None:
        connection.set_schema_to_public()  # domains live in the public schema
        territory = Domain.objects.select_related("tenant").get(domain=hostname).tenant
        _by_host[hostname] = territory
    return territory


def forget_territories_in_process():
    with _lock:
        _by_host.clear()
        _by_raw_host.clear()


def forget_territories():
    """Drop this process's map now and make every other process drop its own."""
    forget_territories_in_process()

    def bump():
        # With Redis unavailable this does nothing; the cache deletes the counter when Redis is back,
        # which every process then reads as a change.
        cache = _platform_cache()
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, timeout=None)
        _state["checked_at"] = 0.0

    transaction.on_commit(bump)
