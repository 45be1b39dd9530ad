"""Weight and Lighthouse mobile performance of the main pages, served as the image serves them.

    cd bench/lighthouse && npm ci --ignore-scripts && cd ../..
    DATABASE_URL=... REDIS_URL=... python bench/page_weight.py
    LIGHTHOUSE_RUNS=1 LIGHTHOUSE_PAGES="agenda,événement" ...   # one run each, those pages only

The database must hold the demo (`python manage.py seed_demo`; the script runs it when Grand
Poitiers is missing). Static files are collected with the production settings into a temporary
folder, gunicorn serves them with WhiteNoise in production mode (the compose file's environment),
and Lighthouse 12 (npm, pinned in bench/lighthouse/package.json) audits each page on Debian's
Chromium with its default mobile emulation and simulated throttling. Participants' and staff's
pages are opened with a session made for the demo accounts (the questionnaire's with one of a member
of the organisation whose assessment is in progress); the editor's page needs a draft, started for the
demo's staff when there is none. Goals (issue 9): every main page
≤ 350 KB transferred and a performance score ≥ 90. Prints one line per page.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = BASE_DIR / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
HOST = "grand-poitiers.localhost"
BUDGET_BYTES = 350 * 1024
SCORE_GOAL = 90
RUNS = int(
    os.environ.get("LIGHTHOUSE_RUNS", 3)
)  # Lighthouse's score moves between runs on a shared machine: the median of three


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(static_root):
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    env = {key: value for key, value in os.environ.items() if key not in ("ASSETT_TESTING", "DEBUG", "DJANGO_ENV")}
    env.update({key: str(value) for key, value in compose["x-app"]["environment"].items()})
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(static_root.parent / "media"),
        EMAIL_HOST="127.0.0.1",
    )
    return env


def collect_static(static_root):
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    line = next(line for line in dockerfile.splitlines() if line.startswith("RUN") and "collectstatic" in line)
    words = shlex.split(line.removeprefix("RUN"))
    assignments = [word for word in words if re.fullmatch(r"[A-Z_]+=.*", word)]
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "ASSETT_TESTING")}
    env.update(dict(word.split("=", 1) for word in assignments), STATIC_ROOT=str(static_root))
    command = words[len(assignments) :]
    command[0] = str(BIN / command[0]) if (BIN / command[0]).exists() else command[0]
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True)


def start_gunicorn(env, port):
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[0] = str(BIN / command[0])
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": f"{HOST}:{port}"})
            with urllib.request.urlopen(request, timeout=30):  # noqa: S310 — our own local server
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not answer")


def pages_and_sessions():
    """The pages to audit and, per role, a session cookie of the demo accounts (made in the database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import User
    from events.enums import EventStatus
    from events.models import Event, WorkshopFormat
    from referentiel import authoring
    from referentiel.enums import AssessmentStatus
    from referentiel.models import Assessment
    from tenants.models import Territory

    if not Territory.objects.filter(slug="grand-poitiers").exists():
        call_command("seed_demo")

    def session_of(user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    with schema_context(Territory.objects.get(slug="grand-poitiers").schema_name):
        participant = User.objects.get(email=f"participant@{HOST}")
        staff = User.objects.get(email="equipe@grand-poitiers.localhost")
        sessions = {"participant": session_of(participant), "staff": session_of(staff)}
        organisation = participant.organisations.first()
        submitted = organisation.assessments.filter(status=AssessmentStatus.SUBMITTED).first()
        # The demo's assessment in progress belongs to another organisation than the participant's:
        # its theme page is opened with a session of one of that organisation's members.
        in_progress = (
            Assessment.objects.filter(status=AssessmentStatus.IN_PROGRESS).select_related("organisation").first()
        )
        if in_progress:
            theme_code = (in_progress.last_theme or in_progress.version.themes.first()).code
            sessions["answering"] = session_of(in_progress.organisation.memberships.order_by("pk").first().user)
        # The editor's draft: started for the demo's staff when missing, as the editor's « Adapter » button does.
        authoring.start_draft(staff)
        event = (
            Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        workshop_format = WorkshopFormat.objects.order_by("pk").first()
    theme = in_progress and f"/auto-evaluations/{in_progress.pk}/themes/{theme_code}/"
    pages = [
        ("accueil", None, "/"),
        ("connexion", None, "/comptes/login/"),
        ("boîte à outils", None, "/boite-a-outils/"),
        ("mon espace", "participant", "/mon-espace/"),
        ("organisation", "participant", f"/organisations/{organisation.pk}/"),
        ("résultats", "participant", f"/auto-evaluations/{submitted.pk}/resultats/"),
        theme and ("questionnaire (thème)", "answering", theme),
        ("plan d'actions", "participant", f"/organisations/{organisation.pk}/plan/"),
        ("agenda", "participant", "/evenements/"),
        event and ("événement", "participant", f"/evenements/{event.pk}/"),
        ("organisations (équipe)", "staff", "/gestion/organisations/"),
        ("éditeur du référentiel", "staff", "/gestion/referentiel/brouillon/"),
        ("bilan (équipe)", "staff", "/gestion/bilan/"),
        ("déroulés (équipe)", "staff", "/gestion/deroules/"),
        workshop_format and ("déroulé (équipe)", "staff", f"/gestion/deroules/{workshop_format.pk}/"),
    ]
    pages = [page for page in pages if page]  # a page the demo has nothing for is left out
    if os.environ.get("LIGHTHOUSE_PAGES"):  # e.g. LIGHTHOUSE_PAGES="agenda,événement": those pages only
        chosen = {name.strip() for name in os.environ["LIGHTHOUSE_PAGES"].split(",")}
        pages = [page for page in pages if page[0] in chosen]
    return pages, sessions


def audit(url, cookie, output_dir):
    headers = {"Cookie": cookie} if cookie else {}
    completed = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance",
            "--output=json",
            f"--output-path={output_dir / 'report.json'}",
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
            "--disable-background-networking --disable-component-update --disable-sync",
            f"--extra-headers={json.dumps(headers)}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode:
        return {"error": completed.stderr.strip().splitlines()[-1][:120]}
    report = json.loads((output_dir / "report.json").read_text())
    audits = report["audits"]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "bytes": audits["total-byte-weight"]["numericValue"],
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "status": report.get("runtimeError", {}).get("code", "ok"),
    }


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: cd bench/lighthouse && npm ci --ignore-scripts")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name not in os.environ:
            raise SystemExit(f"{name} must be set (the database holding the demo).")
    pages, sessions = pages_and_sessions()
    with tempfile.TemporaryDirectory() as folder:
        static_root = Path(folder) / "static"
        collect_static(static_root)
        port = free_port()
        server = start_gunicorn(production_environment(static_root), port)
        try:
            print(f"{'page':<26} {'KB':>6} {'score':>5} {'FCP s':>6} {'LCP s':>6} {'CLS':>5}")
            failures = []
            for name, role, path in pages:
                runs = [audit(f"http://{HOST}:{port}{path}", sessions.get(role), Path(folder)) for _ in range(RUNS)]
                if "error" in runs[0]:
                    print(f"{name:<26} {runs[0]['error']}")
                    failures.append(name)
                    continue
                runs.sort(key=lambda run: run["score"])
                median = runs[len(runs) // 2]
                print(
                    f"{name:<26} {median['bytes'] / 1024:6.0f} {median['score']:5d} {median['fcp']:6.2f} "
                    f"{median['lcp']:6.2f} {max(run['cls'] for run in runs):5.3f}"
                )
                if median["bytes"] > BUDGET_BYTES or median["score"] < SCORE_GOAL:
                    failures.append(name)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"Goals: ≤ {BUDGET_BYTES // 1024} KB and score ≥ {SCORE_GOAL}: "
        + ("met" if not failures else f"missed by {failures}")
    )


if __name__ == "__main__":
    main()
