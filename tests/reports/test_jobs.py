"""The job's life in one process: asked once or many times, claimed, rendered, failed, watched."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Event

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from reports import services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.render import render_pdf

from .helpers import pdf_text, report_world


@pytest.fixture
def world(in_a):
    return report_world()


def render(job):
    return services.render_job(job.pk, render_pdf)


def test_asking_twice_gives_one_job_and_once_done_renders_nothing(world, queued_emails, territory_a):
    member, organisation, assessment = world
    first = services.request_report(assessment, member)
    assert services.request_report(assessment, member).pk == first.pk
    assert ReportJob.objects.count() == 1

    assert render(first) == JobStatus.DONE
    first.refresh_from_db()
    assert first.status == JobStatus.DONE and first.attempts == 1 and first.size > 1000
    with first.file.open("rb") as file:
        assert organisation.name in pdf_text(file.read())
    # Asked again with nothing changed: the same job, nothing rendered again.
    again = services.request_report(assessment, member)
    assert again.pk == first.pk and ReportJob.objects.count() == 1
    # A second delivery of the task does nothing either.
    assert render(first) is None
    first.refresh_from_db()
    assert first.attempts == 1

    [email] = queued_emails(territory_a)
    assert email.recipients == [member.email]
    assert organisation.name in email.subject
    assert f"/auto-evaluations/{assessment.pk}/resultats/#rapport" in email.body


def test_a_change_of_what_the_report_shows_renders_it_again(world):
    member, _organisation, assessment = world
    first = services.request_report(assessment, member)
    render(first)
    answer = assessment.answers.first()
    answer.comment = "Un autre commentaire"
    answer.save(update_fields=["comment"])
    second = services.request_report(assessment, member)
    assert second.pk != first.pk and second.status == JobStatus.PENDING


def test_the_file_lives_in_private_storage_of_the_territory(world, private_root, territory_a, settings):
    member, _organisation, assessment = world
    job = services.request_report(assessment, member)
    render(job)
    job.refresh_from_db()
    path = private_root / territory_a.schema_name / job.file.name
    assert path.is_file()
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(NotImplementedError):
        job.file.url  # noqa: B018 — private files have no URL


def test_the_constraint_allows_one_live_or_done_job_per_content(world):
    member, _organisation, assessment = world
    job = services.request_report(assessment, member)
    for status in (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.DONE):
        ReportJob.objects.filter(pk=job.pk).update(status=status)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReportJob.objects.create(assessment=assessment, content_hash=job.content_hash)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    assert services.request_report(assessment, member).pk != job.pk


def test_a_job_claimed_by_a_process_that_died_renders_again_a_bounded_number_of_times(world, settings):
    member, _organisation, assessment = world
    settings.REPORT_MAX_ATTEMPTS = 2
    job = services.request_report(assessment, member)
    # As a worker killed mid-render leaves it: running, its lock gone with its session.
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, started_at=timezone.now())
    assert render(job) == JobStatus.DONE
    job.refresh_from_db()
    assert job.attempts == 2

    other = ReportJob.objects.create(assessment=assessment, content_hash="x" * 64, status=JobStatus.RUNNING, attempts=2)
    assert render(other) is None
    other.refresh_from_db()
    assert other.status == JobStatus.FAILED and "interrompue plusieurs fois" in other.message


def test_a_render_error_fails_the_job_with_a_french_message(world):
    member, _organisation, assessment = world
    job = services.request_report(assessment, member)

    def broken(_content):
        raise ValueError("WeasyPrint exploded")

    assert services.render_job(job.pk, broken) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message.startswith("Le rapport n'a pas pu être préparé.")
    # Failed: asking again starts a new job.
    assert services.request_report(assessment, member).pk != job.pk


def test_a_transient_error_goes_to_the_task_and_the_job_waits_for_its_retry(world):
    member, _organisation, assessment = world
    job = services.request_report(assessment, member)

    def database_gone(_content):
        from django.db import OperationalError

        raise OperationalError("server closed the connection")

    with pytest.raises(services.TRANSIENT_ERRORS):
        services.render_job(job.pk, database_gone)
    services.release_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and "nouvel essai" in job.message
    assert render(job) == JobStatus.DONE


def test_watchdog_fails_stuck_jobs_and_leaves_the_others(world, settings):
    member, _organisation, assessment = world
    settings.REPORT_STUCK_AFTER = 60
    old = timezone.now() - timedelta(seconds=61)
    recent = timezone.now() - timedelta(seconds=30)

    hashes = iter("abcdef")

    def job(status, **fields):
        return ReportJob.objects.create(assessment=assessment, content_hash=next(hashes) * 64, status=status, **fields)

    stuck_running = job(JobStatus.RUNNING, started_at=old, requested_at=old)
    stuck_pending = job(JobStatus.PENDING, requested_at=old)
    fresh_running = job(JobStatus.RUNNING, started_at=recent, requested_at=old)
    fresh_pending = job(JobStatus.PENDING, requested_at=recent)
    done = job(JobStatus.DONE, started_at=old, requested_at=old)

    assert sorted(services.fail_stuck_jobs()) == sorted([stuck_running.pk, stuck_pending.pk])
    statuses = dict(ReportJob.objects.values_list("pk", "status"))
    assert statuses[stuck_running.pk] == statuses[stuck_pending.pk] == JobStatus.FAILED
    assert statuses[fresh_running.pk] == JobStatus.RUNNING
    assert statuses[fresh_pending.pk] == JobStatus.PENDING
    assert statuses[done.pk] == JobStatus.DONE
    assert ReportJob.objects.get(pk=stuck_running.pk).message == services.MESSAGE_STUCK.for_kind(ReportKind.MATURITY)


def test_watchdog_sees_the_lock_of_a_process_still_rendering(world):
    """fail_stuck_jobs leaves a running job whose lock is held: another session holds it here."""
    member, _organisation, assessment = world
    job = services.request_report(assessment, member)
    schema = connections["default"].schema_name

    def from_another_session():
        try:
            with schema_context(schema):
                return services.lock_is_free(job.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(from_another_session).result() is True
        with services.render_lock(job.pk) as held:
            assert held
            assert pool.submit(from_another_session).result() is False
        assert pool.submit(from_another_session).result() is True


def _running_since(assessment, seconds, digest):
    started = timezone.now() - timedelta(seconds=seconds)
    return ReportJob.objects.create(
        assessment=assessment,
        content_hash=digest * 64,
        status=JobStatus.RUNNING,
        started_at=started,
        requested_at=started,
    )


def test_a_job_read_running_past_its_hard_time_limit_fails_as_too_long_at_once(world, settings):
    """Its render was killed at the limit (its lock went with its session): the results page says so
    when it next reads the job, without waiting for the watchdog."""
    member, _organisation, assessment = world
    settings.REPORT_HARD_TIME_LIMIT = 90
    within = _running_since(assessment, 90 + services.OVERRUN_GRACE_SECONDS - 2, "a")
    assert services.latest_job(assessment).status == JobStatus.RUNNING

    overrun = _running_since(assessment, 90 + services.OVERRUN_GRACE_SECONDS + 1, "b")
    ReportJob.objects.filter(pk=within.pk).update(requested_at=overrun.requested_at - timedelta(seconds=1))
    read = services.latest_job(assessment)
    assert read.pk == overrun.pk and read.status == JobStatus.FAILED
    assert (
        read.message
        == services.MESSAGE_TOO_LONG.for_kind(ReportKind.MATURITY)
        == ReportJob.objects.get(pk=overrun.pk).message
    )
    assert ReportJob.objects.get(pk=within.pk).status == JobStatus.RUNNING  # only the job read


def test_a_job_past_its_hard_time_limit_still_rendering_is_left_alone(world, settings):
    """Its lock held (a pool without time limits, still rendering): not failed, as the watchdog does."""
    member, _organisation, assessment = world
    settings.REPORT_HARD_TIME_LIMIT = 90
    job = _running_since(assessment, 3600, "c")
    schema = connections["default"].schema_name
    locked, read = Event(), Event()

    def render_in_another_session():
        try:
            with schema_context(schema), services.render_lock(job.pk) as held:
                locked.set()
                read.wait(10)
                return held
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        rendering = pool.submit(render_in_another_session)
        assert locked.wait(10)
        assert services.latest_job(assessment).status == JobStatus.RUNNING
        read.set()
        assert rendering.result() is True
    assert services.latest_job(assessment).status == JobStatus.FAILED  # its lock gone: failed


def test_without_a_hard_time_limit_a_long_running_job_is_never_failed_on_reading(world, settings):
    """Nothing tells a long render from a dead one then: the watchdog alone decides."""
    member, _organisation, assessment = world
    settings.REPORT_HARD_TIME_LIMIT = 0
    _running_since(assessment, 3600, "e")
    assert services.latest_job(assessment).status == JobStatus.RUNNING


def test_asking_again_for_a_job_past_its_hard_time_limit_starts_a_new_one(world, settings):
    member, _organisation, assessment = world
    settings.REPORT_HARD_TIME_LIMIT = 90
    job = services.request_report(assessment, member)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))

    again = services.request_report(assessment, member)
    assert again.pk != job.pk and again.status == JobStatus.PENDING
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_a_review_past_its_hard_time_limit_says_le_bilan(in_a, settings):
    from review.data import Period

    settings.REPORT_HARD_TIME_LIMIT = 90
    period, started = Period(), timezone.now() - timedelta(hours=1)
    job = ReportJob.objects.create(
        kind=ReportKind.REVIEW,
        content_hash="d" * 64,
        status=JobStatus.RUNNING,
        started_at=started,
        requested_at=started,
    )
    assert services.latest_review_job(period).pk == job.pk
    assert ReportJob.objects.get(pk=job.pk).message == services.MESSAGE_TOO_LONG.for_kind(ReportKind.REVIEW)
    assert ReportJob.objects.get(pk=job.pk).message.startswith("Le bilan a pris trop de temps")


def test_retries_back_off_twice_as_long_each_time(settings):
    from reports.tasks import retry_delay

    settings.REPORT_RETRY_DELAY = 5
    assert [retry_delay(n) for n in range(4)] == [5, 10, 20, 40]
    assert retry_delay(20) == 600


def test_the_watchdog_of_a_never_touches_the_jobs_of_b(world, territory_b, settings):
    member, _organisation, assessment = world
    settings.REPORT_STUCK_AFTER = 60
    old = timezone.now() - timedelta(days=1)
    with schema_context(territory_b.schema_name):
        member_b, _organisation_b, assessment_b = report_world("Menuiserie de B", "b@example.org")
        job_b = ReportJob.objects.create(
            assessment=assessment_b, content_hash="b" * 64, status=JobStatus.RUNNING, started_at=old, requested_at=old
        )
    job_a = ReportJob.objects.create(
        assessment=assessment, content_hash="a" * 64, status=JobStatus.RUNNING, started_at=old, requested_at=old
    )
    assert services.fail_stuck_jobs() == [job_a.pk]
    with schema_context(territory_b.schema_name):
        assert ReportJob.objects.get(pk=job_b.pk).status == JobStatus.RUNNING
