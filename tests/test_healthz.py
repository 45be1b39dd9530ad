"""/healthz: the status for anyone, the details for the token's holder, and a worker check that a
flood of calls cannot turn into a flood of broker pings nor hang the server."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client, override_settings

from assett import health

from .conftest import TERRITORY_A, _database_url
from .processes import Browser, RedisServer, SiteServer, free_port

TOKEN = "un-jeton-de-supervision-assez-long"


@pytest.fixture
def fresh_worker_check(monkeypatch):
    """The worker check keeps its answer a few seconds per process: each test starts without one."""
    monkeypatch.setattr(health, "workers", health.WorkerCheck())


@pytest.fixture
def token():
    with override_settings(HEALTHZ_TOKEN=TOKEN):
        yield TOKEN


def body(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.mark.parametrize("host", [TERRITORY_A.domain, "testserver", "inconnu.localhost"])
def test_anonymous_caller_gets_the_status_only(db, territories, token, host):
    for extra in ({}, {"HTTP_AUTHORIZATION": "Bearer mauvais-jeton"}, {"QUERY_STRING": "token=mauvais"}):
        response = Client(HTTP_HOST=host).get("/healthz", **extra)
        assert response.status_code == 200
        assert body(response) == {"status": "ok"}
        assert "no-cache" in response["Cache-Control"]


def test_no_token_configured_gives_no_details_to_anyone(db, client_a):
    with override_settings(HEALTHZ_TOKEN=""):
        assert body(client_a.get("/healthz", HTTP_AUTHORIZATION="Bearer ")) == {"status": "ok"}
        assert body(client_a.get("/healthz?token=")) == {"status": "ok"}


@pytest.mark.parametrize(
    "how",
    [{"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, {"HTTP_X_HEALTHZ_TOKEN": TOKEN}, {"QUERY_STRING": f"token={TOKEN}"}],
    ids=["bearer", "x-healthz-token", "query"],
)
def test_token_gives_the_details(db, client_a, token, fresh_worker_check, how):
    response = client_a.get("/healthz", **how)
    deadline = time.monotonic() + 10
    # The first ping's caller waits for it a bounded time only: on a loaded machine, ask again.
    while body(response)["workers"]["status"] == "unknown" and time.monotonic() < deadline:
        time.sleep(0.2)
        response = client_a.get("/healthz", **how)

    report = body(response)
    assert response.status_code == 200
    assert report["status"] == "ok"
    assert report["database"] == {"status": "ok"}
    assert report["redis"] == {"status": "ok"}
    # The session's test worker may be up or not; without one it is "down", and still a 200.
    assert report["workers"]["status"] in ("ok", "down")


@pytest.mark.worker
def test_running_worker_is_counted(db, client_a, token, fresh_worker_check, celery_worker):
    report = body(client_a.get("/healthz", HTTP_X_HEALTHZ_TOKEN=TOKEN))
    assert report["workers"]["status"] == "ok"
    assert report["workers"]["count"] >= 1


def test_redis_down_is_reported_in_json_and_is_not_a_503(db, client_a, token, fresh_worker_check):
    server = RedisServer()  # a free port, nothing started on it
    caches = {
        alias: {
            "BACKEND": "assett.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
        for alias in ("default", "platform")
    }
    with override_settings(CACHES=caches):
        anonymous = client_a.get("/healthz")
        detailed = client_a.get("/healthz", HTTP_X_HEALTHZ_TOKEN=TOKEN)
    server.close()

    assert (anonymous.status_code, body(anonymous)) == (200, {"status": "ok"})
    assert detailed.status_code == 200
    assert body(detailed)["redis"] == {"status": "error"}


# -- against real servers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()


def published(redis_server):
    """A worker ping is one PUBLISH on the broker's control channel."""
    return redis_server.client().info("commandstats").get("cmdstat_publish", {}).get("calls", 0)


def flood(port, count, **headers):
    def call(_):
        started = time.monotonic()
        status, _, text = Browser(port, TERRITORY_A.domain).get("/healthz", headers=headers)
        return status, json.loads(text), time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(call, range(count)))
    return results, time.monotonic() - started


@pytest.mark.django_db  # the test database must exist for the server to use it
def test_a_flood_of_calls_pings_the_broker_once_per_period_and_never_hangs(territories, redis_server):
    server = SiteServer(_database_url(), redis_server.url, threads=8, HEALTHZ_TOKEN=TOKEN)
    server.start()
    try:
        Browser(server.port, TERRITORY_A.domain).get("/")  # loads the application
        before = published(redis_server)

        anonymous, _ = flood(server.port, 25)
        assert published(redis_server) == before
        assert {(status, json.dumps(report)) for status, report, _ in anonymous} == {(200, '{"status": "ok"}')}

        first, first_seconds = flood(server.port, 25, Authorization=f"Bearer {TOKEN}")
        second, second_seconds = flood(server.port, 25, **{"X-Healthz-Token": TOKEN})
        assert published(redis_server) == before + 1
        assert {status for status, _, _ in first + second} == {200}
        assert {report["workers"]["status"] for _, report, _ in second} == {"down"}

        time.sleep(health.WORKERS_CACHE_SECONDS)
        third, third_seconds = flood(server.port, 25, Authorization=f"Bearer {TOKEN}")
        time.sleep(1)  # the ping runs in the background
        assert published(redis_server) == before + 2

        slowest = max(seconds for _, _, seconds in first + second + third)
        print(
            f"\n25 parallel token calls: {first_seconds:.2f} s, {second_seconds:.2f} s, {third_seconds:.2f} s;"
            f" slowest call {slowest:.2f} s"
        )
        assert slowest < 3
        status, _, _ = Browser(server.port, TERRITORY_A.domain).get("/")  # the server still serves
        assert status == 200
    finally:
        server.close()


@pytest.mark.django_db
def test_database_down_is_a_json_503(territories, redis_server):
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens: refused
    server = SiteServer(unreachable, redis_server.url, HEALTHZ_TOKEN=TOKEN)
    server.start()
    try:
        status, _, text = Browser(server.port, TERRITORY_A.domain).get("/healthz")
        assert (status, json.loads(text)) == (503, {"status": "error"})
        status, _, text = Browser(server.port, TERRITORY_A.domain).get("/healthz", headers={"X-Healthz-Token": TOKEN})
        assert status == 503
        assert json.loads(text)["database"] == {"status": "error", "error": "OperationalError"}
    finally:
        server.close()
