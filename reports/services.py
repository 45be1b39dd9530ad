"""The report jobs' writes: asking for a report, claiming it in a worker, finishing or failing it.

The job's row is its state (pending → running → done | failed). Who renders is decided by two
things that survive any crash: a PostgreSQL advisory lock, held by the rendering process's database
session (a process that dies loses its session, so its lock), and the row's status and attempts.
A delivery of the task that finds the lock taken does nothing (another process renders); one that
finds the job « running » with the lock free knows that the process which claimed it died, and
renders again at most REPORT_MAX_ATTEMPTS times in all before failing the job.
"""

import contextlib
import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Func, Q, Value, When
from django.utils import timezone
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from mailing.services import queue_email
from organisations.models import Membership
from tenants.links import current_territory, territory_url

from .content import content_hash, report_content
from .enums import JobStatus, ReportKind
from .models import ReportJob
from .review_content import review_content

logger = logging.getLogger(__name__)


class Wording:
    """A job's French message, worded for its document: « le rapport » (maturity) or « le bilan » (review)."""

    def __init__(self, maturity, review):
        self.maturity, self.review = maturity, review

    def for_kind(self, kind):
        return str(self.review if kind == ReportKind.REVIEW else self.maturity)

    def as_value(self):
        """The message for an UPDATE of jobs of any kind: chosen by each row's kind."""
        return Case(When(kind=ReportKind.REVIEW, then=Value(str(self.review))), default=Value(str(self.maturity)))


_TRY_LATER = gettext_lazy("Réessayez plus tard ou contactez l'équipe du programme.")
# The review is for the programme's team itself: nobody else to contact.
_TRY_LATER_REVIEW = gettext_lazy("Réessayez plus tard.")
MESSAGE_TOO_LONG = Wording(
    format_lazy("{} {}", gettext_lazy("Le rapport a pris trop de temps à préparer."), _TRY_LATER),
    format_lazy("{} {}", gettext_lazy("Le bilan a pris trop de temps à préparer."), _TRY_LATER_REVIEW),
)
MESSAGE_INTERRUPTED = Wording(
    format_lazy("{} {}", gettext_lazy("La préparation du rapport a été interrompue plusieurs fois."), _TRY_LATER),
    format_lazy("{} {}", gettext_lazy("La préparation du bilan a été interrompue plusieurs fois."), _TRY_LATER_REVIEW),
)
MESSAGE_FAILED = Wording(
    format_lazy("{} {}", gettext_lazy("Le rapport n'a pas pu être préparé."), _TRY_LATER),
    format_lazy("{} {}", gettext_lazy("Le bilan n'a pas pu être préparé."), _TRY_LATER_REVIEW),
)
MESSAGE_STUCK = Wording(
    gettext_lazy("La préparation du rapport n'a pas abouti. Vous pouvez la relancer."),
    gettext_lazy("La préparation du bilan n'a pas abouti. Vous pouvez la relancer."),
)
MESSAGE_RETRYING = gettext_lazy("Un incident passager a interrompu la préparation : nouvel essai dans un instant.")
MESSAGE_UNAVAILABLE = Wording(
    gettext_lazy("La préparation du rapport est momentanément impossible. Réessayez plus tard."),
    gettext_lazy("La préparation du bilan est momentanément impossible. Réessayez plus tard."),
)


class ReportError(Exception):
    """A refused request, with its French message."""


def job_content(job):
    """What the job's PDF shows, read now (its hash keys the job)."""
    if job.kind == ReportKind.REVIEW:
        return review_content(job.period)
    return report_content(job.assessment)


def job_renderer(job):
    """`render(content) → bytes` for the job's kind."""
    if job.kind == ReportKind.REVIEW:
        from .review_render import render_review_pdf

        return render_review_pdf
    from .render import render_pdf

    return render_pdf


# --------------------------------------------------------------------------
# Asking for a report (a request)
# --------------------------------------------------------------------------


def latest_job(assessment):
    """The assessment's newest job, for its results page (one query)."""
    return fail_if_overrun(
        ReportJob.objects.filter(assessment_id=assessment.pk).order_by("-requested_at", "-pk").first()
    )


def latest_done_job(assessment):
    """The assessment's newest rendered report, for the staff's view of it (one query)."""
    return (
        ReportJob.objects.filter(assessment_id=assessment.pk, status=JobStatus.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _add_to_notified(job, user):
    ReportJob.objects.filter(pk=job.pk).exclude(notify_user_ids__contains=[user.pk]).update(
        notify_user_ids=Func(F("notify_user_ids"), Value(user.pk), function="array_append")
    )


def _send_on_commit(job):
    schema = connection.schema_name

    def send():
        from .tasks import render_report

        try:
            # The schema read when the job was written (a request's, or a schema_context's). The time
            # limits travel in the message (Celery's worker obeys the sender's): read from settings now.
            render_report.apply_async(
                (job.pk,),
                headers={"_schema_name": schema},
                retry=False,
                soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
                time_limit=settings.REPORT_HARD_TIME_LIMIT,
            )
        except Exception:  # the broker is down: the job stays pending; the watchdog fails it, a new ask sends again
            logger.exception("Report job %s: could not send its task", job.pk)

    transaction.on_commit(send)


@transaction.atomic
def request_report(assessment, user):
    """The job that renders (or rendered) the report of `assessment` as it reads now.

    A done job with the same content: returned, nothing rendered. A job waiting or running for
    that content: returned (the user is added to those emailed when it is ready). Otherwise a new
    job, whose task is sent on commit. Two requests at once both reach the insert: the constraint
    lets one through and the other returns its job.
    """
    if not assessment.is_submitted:
        raise ReportError(_("Le rapport est disponible une fois l'auto-évaluation validée."))
    digest = content_hash(report_content(assessment))
    return _request(digest, user, kind=ReportKind.MATURITY, assessment=assessment)


@transaction.atomic
def request_review(period, user):
    """The job that renders (or rendered) the programme review over `period` as it reads now, for the
    territory's staff: one job per content, as request_report (the period is part of the content)."""
    if not user.is_territory_staff:
        raise ReportError(_("Le bilan est réservé à l'équipe du programme."))
    digest = content_hash(review_content(period))
    return _request(digest, user, kind=ReportKind.REVIEW, period_start=period.start, period_end=period.end)


def latest_review_job(period):
    """The newest review job of that period, for the dashboard (one query)."""
    return fail_if_overrun(
        ReportJob.objects.filter(kind=ReportKind.REVIEW, period_start=period.start, period_end=period.end)
        .order_by("-requested_at", "-pk")
        .first()
    )


def _request(digest, user, **fields):
    existing = _current_job(digest)
    if existing is not None:
        if existing.status == JobStatus.DONE and not existing.file.storage.exists(existing.file.name):
            logger.warning("Report job %s: its file is missing; rendering again", existing.pk)
            ReportJob.objects.filter(pk=existing.pk).update(
                status=JobStatus.FAILED, message=MESSAGE_FAILED.for_kind(existing.kind)
            )
        else:
            return _join(existing, user)
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(content_hash=digest, requested_by=user, notify_user_ids=[user.pk], **fields)
    except IntegrityError:
        # Another request created it between our read and our insert: theirs is ours.
        existing = _current_job(digest)
        if existing is None:
            raise
        return _join(existing, user)
    _send_on_commit(job)
    return job


def _current_job(digest):
    job = fail_if_overrun(ReportJob.objects.filter(content_hash=digest).exclude(status=JobStatus.FAILED).first())
    return None if job is None or job.status == JobStatus.FAILED else job


def _join(job, user):
    if job.is_live:
        _add_to_notified(job, user)
        # Pending for long: its message may have been lost (broker down when it was sent). Sending it
        # again is harmless: a second delivery finds the job claimed, or done, and does nothing.
        if job.status == JobStatus.PENDING and job.requested_at < timezone.now() - timedelta(seconds=30):
            _send_on_commit(job)
    return job


# --------------------------------------------------------------------------
# Rendering (a worker)
# --------------------------------------------------------------------------


def _lock_key(job_id):
    # Advisory locks are database-wide: the schema is part of the key, since job ids repeat per schema.
    return f"reports:{connection.schema_name}:{job_id}"


@contextlib.contextmanager
def render_lock(job_id):
    """Whether this process holds the job's lock (session level: a dead process's session releases it)."""
    key = _lock_key(job_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])


def lock_is_free(job_id):
    """No process holds the job's lock (tried and released at once)."""
    with render_lock(job_id) as acquired:
        return acquired


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def claim_job(job_id):
    """The job, marked running for this process, if it is this delivery's to render; else None.

    The caller holds the job's lock, so no other process is rendering it.
    """
    # Only the job's row is locked: a review job has no assessment (the outer join's side can't be locked).
    jobs = ReportJob.objects.select_for_update(of=("self",)).select_related("assessment__organisation")
    job = jobs.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return None
    if job.status == JobStatus.RUNNING and job.attempts >= settings.REPORT_MAX_ATTEMPTS:
        # Its last renders all died with their process (a document too big for its worker, say):
        # another try would die the same way.
        _fail(job, MESSAGE_INTERRUPTED)
        return None
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.started_at = timezone.now()
    job.worker = worker_name()
    job.message = ""
    job.save(update_fields=["status", "attempts", "started_at", "worker", "message"])
    return job


def _fail(job, message):
    job.status = JobStatus.FAILED
    job.message = message.for_kind(job.kind)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


def fail_job(job_id, message):
    """Failed with `message` (a Wording: its kind's), unless it is already done or failed."""
    return (
        ReportJob.objects.filter(pk=job_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]).update(
            status=JobStatus.FAILED, message=message.as_value(), finished_at=timezone.now()
        )
        == 1
    )


def release_job(job_id, message=MESSAGE_RETRYING):
    """Back to pending before a retry: the retry's delivery claims it as a fresh one."""
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.PENDING, message=str(message))


def download_name(job):
    if job.kind == ReportKind.REVIEW:
        period = job.period
        span = "-".join(day.isoformat() for day in (period.start, period.end) if day) or "programme"
        return f"bilan-{slugify(current_territory().name)[:60] or 'territoire'}-{span}.pdf"
    organisation = job.assessment.organisation
    day = timezone.localtime(job.assessment.submitted_at).date().isoformat()
    return f"rapport-{slugify(organisation.name)[:60] or 'organisation'}-{day}.pdf"


@transaction.atomic
def finish_job(job, pdf):
    """Store the PDF and mark the job done; email those who asked. False when the job was failed meanwhile."""
    current = ReportJob.objects.select_for_update().get(pk=job.pk)
    if current.status != JobStatus.RUNNING or current.worker != job.worker:
        return False  # the watchdog failed it meanwhile, or another process took it over
    current.file.save("rapport.pdf", ContentFile(pdf), save=False)
    current.status = JobStatus.DONE
    current.size = len(pdf)
    current.finished_at = timezone.now()
    current.message = ""
    current.save(update_fields=["file", "status", "size", "finished_at", "message"])
    _email_ready(current)
    return True


def _email_ready(job):
    if job.kind == ReportKind.REVIEW:
        _email_review_ready(job)
        return
    assessment = job.assessment
    organisation = assessment.organisation
    # Only those who are still members: someone who left the organisation meanwhile is not told.
    member_ids = Membership.objects.filter(organisation=organisation, user_id__in=job.notify_user_ids).values("user_id")
    territory = current_territory()
    for user in User.objects.filter(pk__in=member_ids, is_active=True):
        queue_email(
            user.email,
            "reports/email/ready_subject.txt",
            "reports/email/ready_message.txt",
            {
                "user": user,
                "organisation": organisation,
                "territory": territory,
                "assessment_date": timezone.localtime(assessment.submitted_at),
                "url": territory_url(territory, "referentiel:results", pk=assessment.pk) + "#rapport",
            },
        )


def _email_review_ready(job):
    # Only those who are still on the territory's team.
    territory = current_territory()
    for user in User.objects.filter(pk__in=job.notify_user_ids, is_active=True):
        if not user.is_territory_staff:
            continue
        queue_email(
            user.email,
            "reports/email/review_ready_subject.txt",
            "reports/email/review_ready_message.txt",
            {
                "user": user,
                "territory": territory,
                "period_label": review_period_label(job),
                "url": territory_url(territory, "reports:state", pk=job.pk),
            },
        )


def review_period_label(job):
    from .review_content import period_label

    return period_label(job.period)


def render_job(job_id, render=None):
    """Render job `job_id` with `render(content) → bytes` (by default its kind's: job_renderer) if this
    delivery should. Returns the final status or None when there was nothing to do. Transient errors
    (database, storage) propagate to the task, which retries; any other error fails the job with a
    French message."""
    from celery.exceptions import SoftTimeLimitExceeded

    with render_lock(job_id) as acquired:
        if not acquired:
            logger.info("Report job %s: rendered by another process", job_id)
            return None
        job = claim_job(job_id)
        if job is None:
            return None
        try:
            if settings.REPORT_RENDER_PAUSE:
                time.sleep(settings.REPORT_RENDER_PAUSE)  # tests: a render that takes that long
            pdf = (render or job_renderer(job))(job_content(job))
        except SoftTimeLimitExceeded:
            logger.warning("Report job %s: soft time limit", job_id)
            fail_job(job_id, MESSAGE_TOO_LONG)
            return JobStatus.FAILED
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("Report job %s: render failed", job_id)
            fail_job(job_id, MESSAGE_FAILED)
            return JobStatus.FAILED
        return JobStatus.DONE if finish_job(job, pdf) else JobStatus.FAILED


def _transient_errors():
    from django.db import InterfaceError, OperationalError

    return (OperationalError, InterfaceError, ConnectionError, TimeoutError)


TRANSIENT_ERRORS = _transient_errors()


# --------------------------------------------------------------------------
# The watchdog
# --------------------------------------------------------------------------


# Seconds past the hard time limit after which a running job whose lock is free has surely lost its
# process: the pool kills a render at the limit, and its database session (the lock) goes with it.
OVERRUN_GRACE_SECONDS = 5


def fail_if_overrun(job):
    """`job`, failed « trop de temps » when it is read running past its hard time limit with its lock
    free: a killed render says so at once, where the watchdog would fail it minutes later, and
    more vaguely. Job None or any other state: as it is, without a query."""
    limit = settings.REPORT_HARD_TIME_LIMIT
    if job is None or job.status != JobStatus.RUNNING or not limit or job.started_at is None:
        return job
    if job.started_at > timezone.now() - timedelta(seconds=limit + OVERRUN_GRACE_SECONDS):
        return job
    if lock_is_free(job.pk):
        if fail_job(job.pk, MESSAGE_TOO_LONG):
            logger.warning("Report job %s: past its hard time limit, marked failed", job.pk)
        job.refresh_from_db()  # failed now, or ended meanwhile
    return job


def fail_stuck_jobs(now=None):
    """Fail the jobs of this schema left pending or running for longer than REPORT_STUCK_AFTER.

    A running job whose lock is held is being rendered (a hard time limit ends it soon): left
    alone. Returns the ids failed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REPORT_STUCK_AFTER)
    stuck = ReportJob.objects.filter(
        Q(status=JobStatus.RUNNING, started_at__lt=cutoff) | Q(status=JobStatus.PENDING, requested_at__lt=cutoff)
    ).values_list("pk", "status")
    failed = []
    for job_id, status in stuck:
        if status == JobStatus.RUNNING and not lock_is_free(job_id):
            continue
        updated = ReportJob.objects.filter(
            Q(status=JobStatus.RUNNING, started_at__lt=cutoff) | Q(status=JobStatus.PENDING, requested_at__lt=cutoff),
            pk=job_id,
        ).update(status=JobStatus.FAILED, message=MESSAGE_STUCK.as_value(), finished_at=now)
        if updated:
            logger.warning("Report job %s: stuck %s, marked failed", job_id, status)
            failed.append(job_id)
    return failed
