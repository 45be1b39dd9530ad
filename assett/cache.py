"""A Redis cache that turns a Redis outage into cache misses instead of errors.

Redis holds nothing the site cannot do without: the host map's generation counter, a copy of
each session (the row is in the database), results averages, allauth's rate-limit counters.
So with Redis down or frozen, pages keep being served: reads miss, writes are skipped, and
`add` answers True, which lets allauth's rate-limit lock through (its limits fail open).

- Short socket timeouts (settings) bound what a frozen server costs a request.
- After one failure a circuit breaker, shared by every thread and alias talking to the same
  server, skips Redis for `retry_seconds`; then one request tries it again while the others keep
  skipping. The outage is logged once (warning) and the recovery once (info).
- Every key written, or whose write was skipped, during an outage is deleted when Redis answers
  again, before the cache is used: a frozen Redis still holds the value it had, and a session
  logged out meanwhile would otherwise come back to life. Only this process's writes are known
  here; the keys of a process that died during the outage stay until they expire.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, OutOfMemoryError, ReadOnlyError, ResponseError, TimeoutError
from redis.retry import Retry

logger = logging.getLogger("assett.cache")

# Beyond this many keys written during one outage, the rest are not remembered (memory is bounded):
# they may read stale until they expire, and the log says so.
MAX_STALE_KEYS = 10_000


def is_outage(error):
    """A failure of the server or the link, not of the caller's use of it. A full Redis (`maxmemory`
    reached, no eviction) refuses writes: an outage too, not a 500."""
    if isinstance(error, (ConnectionError, TimeoutError, ReadOnlyError, OutOfMemoryError)):  # redis-py's own
        return True
    return isinstance(error, ResponseError) and str(error).startswith(("MISCONF", "LOADING"))


class CircuitBreaker:
    """The state of one Redis server as this process sees it."""

    def __init__(self, location, retry_seconds):
        self.location = location
        self.retry_seconds = retry_seconds
        self.down = False
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._probing = False
        self._stale = set()
        self._overflowed = False

    def admit(self):
        """Returns "use" (Redis is up), "probe" (down, and this caller tries it) or None (skip it)."""
        if not self.down:
            return "use"
        with self._lock:
            if not self.down:
                return "use"
            if self._probing or time.monotonic() < self._retry_at:
                return None
            self._probing = True
            return "probe"

    def failed(self, error):
        with self._lock:
            self._probing = False
            self._retry_at = time.monotonic() + self.retry_seconds
            if self.down:
                return
            self.down = True
        logger.warning(
            "Redis at %s is unavailable (%s: %s): the cache misses and sessions are read from the database; "
            "trying again every %s s.",
            self.location,
            error.__class__.__name__,
            error,
            self.retry_seconds,
        )

    def remember(self, keys):
        """Keys written, or skipped, while Redis may not have them right."""
        with self._lock:
            room = MAX_STALE_KEYS - len(self._stale)
            keys = list(keys)
            self._stale.update(keys[: max(room, 0)])
            if len(keys) > room and not self._overflowed:
                self._overflowed = True
                logger.warning(
                    "Redis at %s: more than %s keys changed during the outage; the others may read stale "
                    "until they expire.",
                    self.location,
                    MAX_STALE_KEYS,
                )

    def forget_stale(self, client):
        """Delete the remembered keys on the server (raises if it is still unavailable)."""
        with self._lock:
            keys, self._stale = self._stale, set()
        if not keys:
            return
        try:
            client.delete_many(list(keys))
        except Exception:
            with self._lock:
                self._stale |= keys
            raise

    def recovered(self, client):
        # Under the lock: keys skipped by other threads while this probe ran are deleted before the
        # cache is open to them again. Only the probing thread gets here, once per outage.
        with self._lock:
            if self._stale:
                client.delete_many(list(self._stale))
                self._stale = set()
            self.down = False
            self._probing = False
            self._overflowed = False
        logger.info("Redis at %s answers again: the cache is in use.", self.location)


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location, retry_seconds):
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = CircuitBreaker(location, retry_seconds)
        return breaker


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, where an unavailable Redis means a miss (see the module's docstring).

    OPTIONS: `retry_seconds` (the breaker's pause) besides redis-py's pool options, such as
    `socket_connect_timeout` and `socket_timeout`.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_seconds = options.pop("retry_seconds", 3.0)
        # No retry inside redis-py: the breaker decides when to try again.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._breaker = breaker_for(server if isinstance(server, str) else ",".join(server), retry_seconds)

    @property
    def unavailable(self):
        """True while this process considers the server down."""
        return self._breaker.down

    def _guarded(self, operation, default, written=()):
        breaker = self._breaker
        admission = breaker.admit()
        if admission is None:
            breaker.remember(written)
            return default
        try:
            if admission == "probe":
                breaker.forget_stale(self._cache)  # before the operation: it may read one of them
            result = operation()
            if admission == "probe":
                breaker.recovered(self._cache)
        except Exception as error:
            if not is_outage(error):
                raise
            breaker.failed(error)
            breaker.remember(written)
            return default
        return result

    def ping(self):
        """Whether Redis answers now (False at once while the breaker is open)."""
        return self._guarded(lambda: self._cache.get_client().ping(), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True when Redis is unavailable: allauth takes a lock with add() before counting a login
        # attempt, and a False would turn every login into "too many attempts".
        operation = functools.partial(super().add, key, value, timeout, version)
        return self._guarded(operation, True, [self.make_key(key, version)])

    def get(self, key, default=None, version=None):
        return self._guarded(functools.partial(super().get, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        operation = functools.partial(super().set, key, value, timeout, version)
        return self._guarded(operation, None, [self.make_key(key, version)])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        operation = functools.partial(super().touch, key, timeout, version)
        return self._guarded(operation, False, [self.make_key(key, version)])

    def delete(self, key, version=None):
        operation = functools.partial(super().delete, key, version)
        return self._guarded(operation, False, [self.make_key(key, version)])

    def get_many(self, keys, version=None):
        return self._guarded(functools.partial(super().get_many, keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded(functools.partial(super().has_key, key, version), False)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError (Redis answered). Unavailable: the value a fresh
        # counter would have, so that counting callers fail open too.
        operation = functools.partial(super().incr, key, delta, version)
        return self._guarded(operation, delta, [self.make_key(key, version)])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        operation = functools.partial(super().set_many, data, timeout, version)
        return self._guarded(operation, list(data), [self.make_key(key, version) for key in data])

    def delete_many(self, keys, version=None):
        keys = list(keys)
        operation = functools.partial(super().delete_many, keys, version)
        return self._guarded(operation, None, [self.make_key(key, version) for key in keys])

    def clear(self):
        return self._guarded(super().clear, False)
