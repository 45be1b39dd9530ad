"""Real Celery workers (prefork, on the real Redis) rendering real reports, killed with SIGKILL mid-render.

Each render waits REPORT_RENDER_PAUSE seconds once its job is « running », so that the test can kill
the process named in the job's `worker` column at that moment. A job must then end done or failed,
never stay « running », and never be rendered in a loop. What the tests commit is removed at the end.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from accounts.enums import Role
from accounts.models import User
from mailing.models import OutgoingEmail
from reports import services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.tasks import fail_stuck_jobs_everywhere
from review.data import Period

from ..conftest import BASE_DIR, TERRITORY_A, _database_url, _wait_for_other_sessions_to_close
from .conftest import committed_in
from .helpers import pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

PAUSE = 4


class Worker:
    """`celery worker --pool=prefork -c 1` in a session of its own (so that a test can kill it whole)."""

    def __init__(self, private_root, **env):
        from assett.celery import app

        self.app = app
        self.name = f"reports-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "ASSETT_TESTING": "1",
            # The tests' default queue: the tasks that request_report sends on commit go there.
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "PRIVATE_MEDIA_ROOT": str(private_root),
            "REPORT_RENDER_PAUSE": str(PAUSE),
            **env,
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "assett", "worker", "--pool=prefork", "-c", "1", "-l", "WARNING"]
            + ["-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", f"{self.name}@%h"],
            cwd=BASE_DIR,
            env=self.env,
            start_new_session=True,
        )
        destination = [f"{self.name}@{os.uname().nodename}"]
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.app.control.inspect(destination=destination, timeout=0.5).ping():
                return self
            time.sleep(0.2)
        self.kill()
        pytest.fail("The Celery worker did not start within 40 s.")

    def kill(self):
        """SIGKILL to the worker and its pool processes at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_factory(private_root, django_db_blocker):
    from assett.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    started = []

    def start(**env):
        worker = Worker(private_root, **env).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    _wait_for_other_sessions_to_close(django_db_blocker)


def wait_for(condition, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


def job_row(in_a, pk):
    return in_a(lambda: ReportJob.objects.get(pk=pk))


def running_with_a_new_process(in_a, pk, known):
    """The job once it is running in a process not in `known`; None if that did not happen in time."""

    def check():
        job = job_row(in_a, pk)
        return job if job.status == JobStatus.RUNNING and job.worker and job.worker not in known else None

    return wait_for(check, 60)


def read(job):
    with job.file.open("rb") as file:
        return file.read()


def pid_of(job):
    return int(job.worker.rsplit(":", 1)[1])


def test_a_render_killed_midway_is_delivered_again_and_ends_done(committed_world, worker_factory, private_root):
    in_a, member, assessment = committed_world
    worker_factory()
    job = in_a(lambda: services.request_report(assessment, member))

    first = running_with_a_new_process(in_a, job.pk, set())
    assert first is not None, "the worker never started the render"
    os.kill(pid_of(first), signal.SIGKILL)  # the pool process rendering it, mid-render

    done = wait_for(lambda: (row := job_row(in_a, job.pk)).status in (JobStatus.DONE, JobStatus.FAILED) and row, 60)
    assert done and done.status == JobStatus.DONE, done and (done.status, done.message)
    assert done.attempts == 2 and done.worker != first.worker
    assert "Boulangerie concurrente" in pdf_text(in_a(lambda: read(done)))
    time.sleep(PAUSE + 1)  # no further delivery renders it again
    assert job_row(in_a, job.pk).attempts == 2


def test_a_render_killed_every_time_fails_after_its_attempts_never_looping(committed_world, worker_factory):
    in_a, member, assessment = committed_world
    worker_factory(REPORT_MAX_ATTEMPTS="2")
    job = in_a(lambda: services.request_report(assessment, member))

    seen = set()
    for _attempt in range(2):
        running = running_with_a_new_process(in_a, job.pk, seen)
        assert running is not None, f"no render after {len(seen)} kills"
        seen.add(running.worker)
        os.kill(pid_of(running), signal.SIGKILL)

    failed = wait_for(lambda: (row := job_row(in_a, job.pk)).status == JobStatus.FAILED and row, 60)
    assert failed, job_row(in_a, job.pk).status
    assert failed.attempts == 2 and "interrompue plusieurs fois" in failed.message
    time.sleep(PAUSE + 1)
    assert job_row(in_a, job.pk).status == JobStatus.FAILED and job_row(in_a, job.pk).attempts == 2


def test_a_whole_worker_killed_leaves_a_job_that_the_watchdog_fails(committed_world, worker_factory):
    """SIGKILL to the worker and its pool at once: nobody redelivers the task before the broker's visibility
    timeout, so the job would stay « running »; the watchdog, run by beat for every territory, fails it."""
    in_a, member, assessment = committed_world
    worker = worker_factory()
    job = in_a(lambda: services.request_report(assessment, member))
    assert running_with_a_new_process(in_a, job.pk, set()) is not None
    worker.kill()
    time.sleep(1)
    assert job_row(in_a, job.pk).status == JobStatus.RUNNING

    worker_factory(REPORT_STUCK_AFTER="1")
    fail_stuck_jobs_everywhere.delay()  # what beat sends; it sends one watchdog task per territory
    failed = wait_for(lambda: (row := job_row(in_a, job.pk)).status == JobStatus.FAILED and row, 30)
    assert failed and failed.message == services.MESSAGE_STUCK.for_kind(ReportKind.MATURITY)
    # Failed: the member may ask again, and a new job renders.
    again = in_a(lambda: services.request_report(assessment, member))
    assert again.pk != job.pk
    done = wait_for(lambda: job_row(in_a, again.pk).status == JobStatus.DONE, 60)
    assert done


def test_a_render_past_its_soft_time_limit_fails_with_a_french_message(committed_world, worker_factory, settings):
    in_a, member, assessment = committed_world
    worker_factory()
    settings.REPORT_SOFT_TIME_LIMIT = 1  # the limits travel with the task; the render waits PAUSE (4 s)
    job = in_a(lambda: services.request_report(assessment, member))
    failed = wait_for(lambda: (row := job_row(in_a, job.pk)).status == JobStatus.FAILED and row, 60)
    assert failed and failed.message.startswith("Le rapport a pris trop de temps à préparer.")
    assert failed.attempts == 1


def test_a_render_past_its_hard_time_limit_says_so_when_next_read_and_may_be_asked_again(
    committed_world, worker_factory, settings
):
    """The hard limit on its own (no soft limit, as when a render is stuck where the soft limit's
    exception cannot reach it): the pool kills the process and acknowledges the message, so nobody
    renders again; the job stays « running » with its lock free until it is next read, a few seconds
    past the limit, and then fails « trop de temps », without the watchdog."""
    in_a, member, assessment = committed_world
    # No soft limit: none in the message (0), none in the worker's task (its REPORT_SOFT_TIME_LIMIT).
    worker_factory(REPORT_SOFT_TIME_LIMIT="0")
    settings.REPORT_SOFT_TIME_LIMIT, settings.REPORT_HARD_TIME_LIMIT = 0, 2  # the render waits PAUSE (4 s)
    job = in_a(lambda: services.request_report(assessment, member))
    running = running_with_a_new_process(in_a, job.pk, set())
    assert running is not None, "the worker never started the render"

    # Killed at 2 s: its database session, so the job's lock, went with it.
    assert wait_for(lambda: in_a(lambda: services.lock_is_free(job.pk)), 10, step=0.2)
    time.sleep(PAUSE)  # past the pause: a render that had survived would have ended by now
    killed = job_row(in_a, job.pk)
    assert killed.status == JobStatus.RUNNING and killed.attempts == 1 and not killed.file
    with pytest.raises(ProcessLookupError):
        os.kill(pid_of(running), 0)

    # What the results page (and its polled state) reads, past the limit and its grace.
    read = wait_for(
        lambda: (row := in_a(lambda: services.latest_job(assessment))).status == JobStatus.FAILED and row, 15
    )
    assert read and read.pk == job.pk
    failed = job_row(in_a, job.pk)
    assert failed.message == services.MESSAGE_TOO_LONG.for_kind(ReportKind.MATURITY)
    assert failed.attempts == 1  # never rendered again

    # Failed: the member may ask again, and a new job renders (within the usual limits).
    settings.REPORT_SOFT_TIME_LIMIT, settings.REPORT_HARD_TIME_LIMIT = 60, 90
    again = in_a(lambda: services.request_report(assessment, member))
    assert again.pk != job.pk
    assert wait_for(lambda: job_row(in_a, again.pk).status == JobStatus.DONE, 60)


@pytest.fixture
def committed_staff(territory_a, django_db_blocker):
    """A staff member of territory A, committed; their review jobs and emails removed afterwards."""

    def in_a(call):
        return committed_in(territory_a.schema_name, call)

    with django_db_blocker.unblock():
        staff = in_a(lambda: User.objects.create_user("bilan-worker@a.example", "Mot-de-passe-42", role=Role.STAFF))
    yield in_a, staff

    def delete():
        ReportJob.objects.filter(kind=ReportKind.REVIEW).delete()
        OutgoingEmail.objects.filter(recipients__contains=[staff.email]).delete()
        staff.delete()

    with django_db_blocker.unblock():
        in_a(delete)


def test_a_real_worker_renders_the_programme_review_once_and_emails_it(committed_staff, worker_factory):
    in_a, staff = committed_staff
    worker_factory(REPORT_RENDER_PAUSE="0")
    job = in_a(lambda: services.request_review(Period(), staff))
    assert in_a(lambda: services.request_review(Period(), staff).pk) == job.pk  # asked twice: one job

    done = wait_for(lambda: (row := job_row(in_a, job.pk)).status in (JobStatus.DONE, JobStatus.FAILED) and row, 90)
    assert done and done.status == JobStatus.DONE, done and (done.status, done.message)
    assert done.attempts == 1 and done.file.name.startswith("reports/bilan/")
    text = pdf_text(in_a(lambda: read(done)))
    assert "Bilan du programme" in text and TERRITORY_A.name in text and "Depuis le début du programme." in text
    assert in_a(lambda: OutgoingEmail.objects.filter(recipients__contains=[staff.email]).count()) == 1
