"""A PDF report's job: its state lives here, so that a task delivered twice, or a worker that dies, does no harm."""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.storage import PrivateTerritoryStorage

from .enums import JobStatus, ReportKind

private_storage = PrivateTerritoryStorage()


def report_upload_to(job, filename):
    # A random part: the name says nothing guessable, and a new render never overwrites an old file.
    if job.kind == ReportKind.REVIEW:
        return f"reports/bilan/bilan-{job.pk}-{secrets.token_hex(8)}.pdf"
    return f"reports/{job.assessment_id}/rapport-{job.pk}-{secrets.token_hex(8)}.pdf"


class ReportJob(models.Model):
    """One render of a PDF, keyed on the hash of what it shows: an assessment's maturity report, or
    the territory's programme review (bilan) over a period (`kind`; the check constraints below keep
    each kind's fields coherent).

    At most one job per content hash is waiting, running or done (the constraint below): asking twice,
    or from two browsers at once, finds the same job, and a report is rendered again only when what
    it shows changed. A failed job leaves room for a new one.
    """

    kind = models.CharField(_("document"), max_length=10, choices=ReportKind.choices, default=ReportKind.MATURITY)
    # A maturity report's assessment; None for a review.
    assessment = models.ForeignKey(
        "referentiel.Assessment", on_delete=models.CASCADE, related_name="report_jobs", null=True, blank=True
    )
    # A review's period (review.data.Period: both days included, None open-ended); None for a maturity report.
    period_start = models.DateField(_("début de la période"), null=True, blank=True)
    period_end = models.DateField(_("fin de la période"), null=True, blank=True)
    content_hash = models.CharField(_("empreinte du contenu"), max_length=64)
    status = models.CharField(_("état"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    # French, shown to the members when the job failed (or while it waits for another try).
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who asked for it (ids of this schema's users): each gets the « rapport prêt » email once.
    notify_user_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Renders started: bounded (REPORT_MAX_ATTEMPTS) so that a document that kills its worker is never
    # rendered in a loop.
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    # « host:pid » of the process that claimed it: which worker to look at when a job went wrong.
    worker = models.CharField(_("processus"), max_length=200, blank=True)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=report_upload_to, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport PDF")
        verbose_name_plural = _("rapports PDF")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"], condition=~Q(status=JobStatus.FAILED), name="one_live_report_per_content"
            ),
            models.CheckConstraint(
                condition=Q(kind=ReportKind.MATURITY, assessment__isnull=False, period_start=None, period_end=None)
                | Q(kind=ReportKind.REVIEW, assessment__isnull=True),
                name="report_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(period_start=None) | Q(period_end=None) | Q(period_start__lte=F("period_end")),
                name="report_period_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["assessment", "-requested_at"]),
            models.Index(fields=["kind", "-requested_at"], condition=Q(kind="review"), name="report_review_jobs"),
            # The watchdog's scan: few rows are ever pending or running.
            models.Index(fields=["status"], condition=Q(status__in=["pending", "running"]), name="report_live_jobs"),
        ]

    def __str__(self):
        return f"{self.assessment_id or self.kind}/{self.pk} ({self.status})"

    @property
    def is_review(self):
        return self.kind == ReportKind.REVIEW

    @property
    def period(self):
        """A review's period (review.data.Period)."""
        from review.data import Period

        return Period(start=self.period_start, end=self.period_end)

    @property
    def is_live(self):
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def is_done(self):
        return self.status == JobStatus.DONE
