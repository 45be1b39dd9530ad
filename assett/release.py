"""The release this process runs, for cache keys of what it renders (assett/fragments.py).

A fragment kept by one release must not be served by the next: its template or the code that builds
its context may have changed while its key, made of the data it shows, did not (seen on `make run`,
whose Redis outlives a restart: rows of the plan rendered before a template change came back after
it). A deploy may name its release (ASSETT_RELEASE, a commit); otherwise it is a digest of the
project's code, templates, catalogue and static files, and of the versions of the libraries that
render markup with it, read once per process (about 10 ms).
"""

import functools
import hashlib
import os
from importlib.metadata import version
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

SUFFIXES = (".py", ".html", ".txt", ".mo", ".css", ".js", ".svg")


def _folders():
    """The project's apps and its shared folders: not the virtualenv, build copies or tests."""
    base = settings.BASE_DIR
    own = {config.path for config in apps.get_app_configs() if Path(config.path).parent == base}
    return sorted(own | {str(base / name) for name in ("assett", "templates", "locale", "static")})


def _digest():
    digest = hashlib.sha256(f"{django.get_version()} {version('django-dsfr')}".encode())
    for folder in _folders():
        for where, folders, files in os.walk(folder):
            folders[:] = sorted(name for name in folders if name != "__pycache__")
            for name in sorted(files):
                if name.endswith(SUFFIXES):
                    path = os.path.join(where, name)
                    digest.update(path.removeprefix(str(settings.BASE_DIR)).encode())
                    with open(path, "rb") as file:
                        digest.update(file.read())
    return digest.hexdigest()[:16]


@functools.cache
def release():
    return os.environ.get("ASSETT_RELEASE") or _digest()
