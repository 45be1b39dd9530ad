"""The development launcher: plain `python manage.py ...` meets the embedded servers that `make run`
uses, its messages stay off standard output, and a dying Celery worker is restarted.

The manage.py tests run a copy of this checkout with DATABASE_URL / REDIS_URL unset, so that its
embedded PostgreSQL (a socket in the copy's .local/) and Redis (on a free port, not 6390) are
started, used and stopped there, away from the machine's servers and from this worktree's .local/.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
UNSET = ("DATABASE_URL", "REDIS_URL", "DATABASE_URL_FILE", "REDIS_URL_FILE", "ASSETT_TESTING", "DJANGO_ENV")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of the checkout (not its servers' data), an environment configuring no server, a runner."""
    root = tmp_path_factory.mktemp("checkout") / "assett"
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
    assert "importée dans « Territoire de la copie »" in imported.stdout
