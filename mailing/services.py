"""The one way out for email: rendered now, stored as a row, sent by a Celery task after commit.

A request never waits on SMTP: it only writes the row. The task runs in the schema the email was
queued in, locks the row and sends it if it is still pending, so a task delivered twice sends once.
"""

import html
import logging
import re
import smtplib
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from .enums import EmailStatus
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def single_line(text):
    """A header value on one line: every run of whitespace, newlines included, becomes one space."""
    return " ".join(str(text).split())


def render_plain(template_name, context):
    """A plain-text template rendered without HTML escaping: « d'Orly », not « d&#x27;Orly »."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def attachment(filename, content, mimetype):
    """One text attachment as queue_email and queue_message take it (stored with the email)."""
    return {"filename": filename, "content": content, "mimetype": mimetype}


def unsubscribe_headers(url):
    """One-click unsubscribe (RFC 8058): mail clients show « Se désabonner » and POST to `url`
    « List-Unsubscribe=One-Click », with no cookie nor CSRF token: the URL itself must say who."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def queue_email(to, subject_template, text_template, context, html_template=None, attachments=(), headers=None):
    """Render an email from its templates and send it after commit. Returns the stored row."""
    subject = render_plain(subject_template, context)
    body = render_plain(text_template, context).strip() + "\n"
    html_body = get_template(html_template).render(context) if html_template else ""
    return queue_message(to, subject, body, html_body, attachments=attachments, headers=headers)


def _sending_territory():
    """The territory whose schema the email is queued in; None on the national site."""
    from tenants.links import current_territory
    from tenants.models import Territory

    if connection.schema_name == "public":
        return None
    try:
        return current_territory()
    except Territory.DoesNotExist:
        return None


def sender(territory):
    """« Programme name <address> »: the programme people signed up to, not the platform's bare address.

    The address stays the configured one (the one whose domain the mail server may send for).
    """
    display_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if territory is not None:
        display_name = single_line(territory.programme_name)
    if not display_name:
        return address
    # Unencoded: Django encodes the header when sending (formataddr would store =?utf-8?q?…?= here).
    quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def signature(territory):
    """The same closing lines under every email: who writes, why, and whom to answer."""
    if territory is None:
        return "\n—\nL'équipe nationale ASSETT (Cerema, Efficacity)\n"
    lines = [
        "",
        "—",
        f"L'équipe du programme « {single_line(territory.programme_name)} » – {single_line(territory.name)}",
        "Le programme accompagne les entreprises, associations et établissements publics du territoire "
        "dans leur transition écologique.",
    ]
    if territory.contact_email:
        lines.append(f"Une question ? Répondez à ce courriel ou écrivez à {territory.contact_email}.")
    else:
        lines.append("Ce courriel est envoyé automatiquement : merci de ne pas y répondre.")
    return "\n".join(lines) + "\n"


_URL_RE = re.compile(r"https?://[^\s<>\"]+")


def _paragraph_html(paragraph):
    """A paragraph of the text part, escaped, its links made clickable and its line breaks kept."""
    parts, last = [], 0
    for match in _URL_RE.finditer(paragraph):
        parts.append(html.escape(paragraph[last : match.start()]))
        url = html.escape(match.group())
        parts.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    parts.append(html.escape(paragraph[last:]))
    return "".join(parts).replace("\n", "<br>\n")


def html_from_text(body, subject, territory):
    """The HTML part, built from the text part so that the two always say the same thing."""
    paragraphs = [_paragraph_html(p.strip()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    context = {"subject": subject, "paragraphs": paragraphs, "territory": territory}
    return get_template("mailing/layout.html").render(context)


def queue_message(to, subject, body, html_body="", from_email=None, attachments=(), headers=None):
    """Store an already rendered email (allauth renders its own) and send it after commit.

    Sent in the name of the territory's programme, with its contact as Reply-To, signed the same way
    and with an HTML part (the text part laid out) when the caller has none.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return None
    territory = _sending_territory()
    subject = single_line(subject)[:998]
    body = body.rstrip() + "\n" + signature(territory)
    email = OutgoingEmail.objects.create(
        recipients=recipients,
        from_email=from_email or sender(territory),
        reply_to=[territory.contact_email] if territory is not None and territory.contact_email else [],
        subject=subject,
        body=body,
        html_body=html_body or html_from_text(body, subject, territory),
        attachments=list(attachments),
        headers=dict(headers or {}),
    )
    # The schema is read now: on_commit may run after the caller left a schema_context.
    schema_name = connection.schema_name
    transaction.on_commit(lambda: dispatch(email.pk, schema_name))
    return email


def dispatch(email_id, schema_name):
    """Hand the email to a worker. With the broker unreachable the request goes on: the row stays
    pending and the periodic sweep (send_pending_emails) sends it."""
    from .tasks import send_email

    try:
        # No publish retries: a request must not wait for Redis to come back.
        send_email.apply_async(args=[email_id], headers={"_schema_name": schema_name}, retry=False)
    except Exception:
        logger.warning("Email %s of %s left pending: the broker is unreachable", email_id, schema_name, exc_info=True)


def is_permanent(error):
    """Errors that another attempt would not fix: the server refused the sender or every recipient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def deliver(email_id):
    """Send the email if it is still pending; True once sent, False if there is nothing to do.

    A transient error (connection refused, timeout, 4xx) is recorded and raised again for the
    caller to retry; a permanent one marks the email failed.
    """
    with transaction.atomic():
        # The lock makes a second delivery of the same task wait, then find the email sent.
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, status=EmailStatus.PENDING).first()
        if email is None:
            return False
        email.attempts += 1
        email.last_attempt_at = timezone.now()
        try:
            message = EmailMultiAlternatives(
                email.subject,
                email.body,
                email.from_email,
                email.recipients,
                reply_to=email.reply_to or None,
                headers=email.headers or None,
            )
            if email.html_body:
                message.attach_alternative(email.html_body, "text/html")
            for item in email.attachments:
                message.attach(item["filename"], item["content"], item["mimetype"])
            message.send()
        except Exception as exc:
            email.last_error = repr(exc)[:2000]
            if is_permanent(exc):
                email.status = EmailStatus.FAILED
            email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            error = exc
        else:
            email.status = EmailStatus.SENT
            email.sent_at = email.last_attempt_at
            email.last_error = ""
            email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
            return True
    if is_permanent(error):
        logger.error("Email %s refused for good: %r", email_id, error)
        return False
    raise error


def emails_to_sweep(now=None):
    """Pending emails whose own task is not expected any more: queued while the broker was down,
    or out of retries. Those too old to still matter are marked failed."""
    now = now or timezone.now()
    stale = OutgoingEmail.objects.filter(status=EmailStatus.PENDING)
    stale.filter(created_at__lt=now - timedelta(seconds=settings.MAIL_GIVE_UP_AFTER)).update(
        status=EmailStatus.FAILED, last_error="abandonné : trop ancien"
    )
    quiet_since = now - timedelta(seconds=settings.MAIL_SWEEP_AFTER)
    return list(
        stale.filter(created_at__lt=quiet_since)
        .exclude(last_attempt_at__gte=quiet_since)
        .values_list("pk", flat=True)[: settings.MAIL_SWEEP_BATCH]
    )
