"""Real servers that a test may stop, freeze and start again: a Redis of its own (never the shared
one) and the site under gunicorn, in a process of its own, pointed at that Redis and the test database.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import redis

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server on a free port, without persistence: stopped, it forgets everything."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="assett-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server).")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}.")

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self):
        """SIGSTOP: the port still accepts connections, and nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def close(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class SiteServer:
    """The site under gunicorn (one process, threads), its log kept in a file for the test to read."""

    def __init__(self, database_url, redis_url, threads=8, **env):
        self.port = free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="assett-site-", suffix=".log")[1])
        self.env = {
            **os.environ,
            "ASSETT_TESTING": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            **env,
        }
        self.threads = threads
        self.process = None

    def start(self):
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "assett.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--threads",
                    str(self.threads),
                    "--timeout",
                    "60",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen within 30 s:\n{self.log()}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def close(self):
        self.stop()
        self.log_path.unlink(missing_ok=True)


class Browser:
    """Enough of a browser for these tests: a Host header, cookies, CSRF, timed requests."""

    def __init__(self, port, host):
        self.port = port
        self.host = host
        self.cookies = {}
        self.timings = []  # (label, seconds, status)

    def request(self, method, path, data=None, headers=None, label=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        all_headers = {"Host": self.host, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
                all_headers["Referer"] = f"http://{self.host}/"
        started = time.monotonic()
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        seconds = time.monotonic() - started
        connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.timings.append((label or f"{method} {path}", seconds, response.status))
        return response.status, response.getheader("Location"), content.decode(errors="replace")

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def log_in(self, email, password, state):
        self.cookies.pop("sessionid", None)
        self.get("/comptes/login/", label=f"{state}: login page")
        return self.post("/comptes/login/", {"login": email, "password": password}, label=f"{state}: login")
