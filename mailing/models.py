from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import EmailStatus


class OutgoingEmail(models.Model):
    """One email, rendered when it was queued, sent by a Celery task of the schema it belongs to.

    Its status is the job's state: a task that finds it already sent does nothing.
    """

    recipients = models.JSONField(_("destinataires"))
    from_email = models.CharField(_("expéditeur"), max_length=254)
    # The territory's contact address: answers reach its team, not the platform's sending address.
    reply_to = models.JSONField(_("répondre à"), default=list, blank=True)
    subject = models.CharField(_("objet"), max_length=998)  # the longest line RFC 5322 allows
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("version HTML"), blank=True)
    # Small text files sent with the email (an event's .ics): [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    # Extra headers, e.g. List-Unsubscribe (RFC 8058) on the emails a person can stop receiving.
    headers = models.JSONField(_("en-têtes"), default=dict, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.recipients)}"
