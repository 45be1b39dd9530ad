"""The cache backend against a real Redis of its own, stopped, frozen and started again."""

import logging
import time

import pytest

from assett import cache as resilient
from assett.cache import ResilientRedisCache

from .processes import RedisServer

RETRY_SECONDS = 0.5


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()
    resilient._breakers.pop(server.url, None)  # a later server may get the same port


@pytest.fixture
def cache(redis_server):
    return ResilientRedisCache(
        redis_server.url,
        {
            "KEY_PREFIX": "t",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_seconds": RETRY_SECONDS},
        },
    )


def outage_lines(caplog, words):
    return [r for r in caplog.records if r.name == "assett.cache" and words in r.getMessage()]


def test_stopped_redis_is_a_miss_logged_once_and_used_again_when_back(cache, redis_server, caplog):
    caplog.set_level(logging.INFO, logger="assett.cache")
    cache.set("k", "v")
    redis_server.stop()

    started = time.monotonic()
    for _ in range(20):
        assert cache.get("k", "absent") == "absent"
        cache.set("k", "w")
        assert cache.add("lock", 1) is True  # allauth's rate-limit lock: fail open
        assert cache.incr("counter") == 1
        assert cache.has_key("k") is False
        assert cache.get_many(["k"]) == {}
        cache.delete("k")
    assert time.monotonic() - started < 0.5
    assert cache.unavailable
    assert len(outage_lines(caplog, "is unavailable")) == 1

    redis_server.start()
    time.sleep(RETRY_SECONDS + 0.1)
    cache.set("k", "back")
    assert cache.get("k") == "back"
    assert not cache.unavailable
    assert len(outage_lines(caplog, "answers again")) == 1
    with pytest.raises(ValueError):  # Redis answered: a missing counter is still the caller's business
        cache.incr("missing")


def test_full_redis_refusing_writes_is_an_outage_not_an_error(cache, redis_server):
    """Kept fragments fill Redis; with `maxmemory` reached and no eviction, Redis answers every write
    « OOM command not allowed »: a miss, as when it is down, never a 500."""
    cache.set("big", "x" * 2_000_000)
    client = redis_server.client()
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1mb")

    cache.set("k", "v")  # refused: no exception
    assert cache.unavailable
    assert cache.get("k", "absent") == "absent"
    client.config_set("maxmemory", "0")


def test_frozen_redis_costs_one_timeout_then_is_skipped(cache, redis_server):
    cache.set("k", "v")
    redis_server.freeze()
    try:
        started = time.monotonic()
        assert cache.get("k") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(50):
            assert cache.get("k") is None
        rest = time.monotonic() - started
    finally:
        redis_server.thaw()
    assert 0.2 < first < 0.5
    assert rest < 0.05


def test_value_changed_during_an_outage_is_not_read_back_after_it(cache, redis_server):
    """A frozen Redis keeps what it had: a session deleted meanwhile (a logout) must not come back."""
    cache.set("session", {"_auth_user_id": "1"})
    cache.set("profile", "old")
    cache.set("untouched", "still here")
    redis_server.freeze()
    try:
        cache.get("anything")  # times out: the breaker opens
        cache.delete("session")  # skipped
        cache.set("profile", "new")  # skipped
    finally:
        redis_server.thaw()
    time.sleep(RETRY_SECONDS + 0.1)

    assert cache.get("session") is None
    assert cache.get("profile") is None
    assert cache.get("untouched") == "still here"
    assert not cache.unavailable
