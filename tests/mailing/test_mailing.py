"""The mail path's rules, in one process: rendering, one send per email, errors, the sweep.
tests/mailing/test_delivery.py runs the same path through a real worker and a real SMTP server."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from mailing.enums import EmailStatus
from mailing.models import OutgoingEmail
from mailing.services import attachment, deliver, emails_to_sweep, queue_email, queue_message

from .smtp import free_port, smtp_server

JOIN_REQUEST = ("organisations/email/join_request_subject.txt", "organisations/email/join_request_message.txt")


def join_request_email(to="camille@example.org", name="L'atelier d'Orly"):
    context = {
        "organisation": {"name": name},
        "requester": {"display_name": "Dominique d'Orly", "email": "dominique@example.org", "get_full_name": "x"},
        "territory": {"programme_name": "Programme", "name": "Territoire", "of_name": "du Territoire"},
        "message": "J'y travaille <depuis> 2020.",
        "url": "http://territoire-a.localhost:8000/organisations/1/",
    }
    return queue_email(to, *JOIN_REQUEST, context)


def test_subject_and_text_are_plain_text_and_the_subject_one_line(in_a):
    email = join_request_email(name="L'atelier\r\nd'Orly")

    assert email.subject == "Dominique d'Orly demande à rejoindre L'atelier d'Orly"
    assert "« L'atelier\r\nd'Orly »" in email.body
    assert "J'y travaille <depuis> 2020." in email.body
    assert email.status == EmailStatus.PENDING


def test_the_email_is_sent_after_commit(in_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        email = join_request_email()
    assert len(callbacks) == 1
    assert OutgoingEmail.objects.get(pk=email.pk).attempts == 0  # nothing sent inside the transaction


def test_an_email_delivered_twice_is_sent_once(in_a, mailoutbox):
    email = join_request_email()

    assert deliver(email.pk) is True
    assert deliver(email.pk) is False

    assert [message.to for message in mailoutbox] == [["camille@example.org"]]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    assert email.sent_at is not None


def test_an_attachment_is_stored_with_the_email_and_sent_with_it(in_a, mailoutbox):
    ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    email = queue_message(
        "camille@example.org",
        "Inscription",
        "Vous êtes inscrite.",
        attachments=[attachment("evenement-1.ics", ics, "text/calendar")],
    )

    assert deliver(email.pk) is True

    [message] = mailoutbox
    assert message.attachments == [("evenement-1.ics", ics, "text/calendar")]


def test_smtp_down_keeps_the_email_pending_and_counts_the_attempt(in_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    email = join_request_email()

    with pytest.raises(OSError):
        deliver(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error


def test_a_refused_recipient_fails_the_email_for_good(in_a, settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    email = join_request_email(to="refuse@example.org")

    with smtp_server(port) as inbox:
        assert deliver(email.pk) is False

    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert "550" in email.last_error
    assert inbox.messages == []
    assert smtplib.SMTPRecipientsRefused.__name__ in email.last_error


def test_the_sweep_takes_pending_emails_left_alone_and_gives_up_on_old_ones(in_a, settings):
    settings.MAIL_SWEEP_AFTER, settings.MAIL_GIVE_UP_AFTER = 300, 3 * 24 * 3600
    now = timezone.now()

    def email(created_minutes_ago, last_attempt_minutes_ago=None, status=EmailStatus.PENDING):
        row = join_request_email()
        OutgoingEmail.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(minutes=created_minutes_ago),
            last_attempt_at=None
            if last_attempt_minutes_ago is None
            else now - timedelta(minutes=last_attempt_minutes_ago),
            status=status,
        )
        return row.pk

    fresh = email(1)  # its own task is on its way
    never_sent = email(10)  # queued while the broker was down
    retried_long_ago = email(60, last_attempt_minutes_ago=30)
    retrying = email(60, last_attempt_minutes_ago=1)
    sent = email(10, status=EmailStatus.SENT)
    too_old = email(4 * 24 * 60)

    assert sorted(emails_to_sweep(now)) == sorted([never_sent, retried_long_ago])
    assert OutgoingEmail.objects.get(pk=too_old).status == EmailStatus.FAILED
    assert {fresh, retrying, sent}.isdisjoint(emails_to_sweep(now))


def test_the_beat_schedule_runs_the_sweep_of_every_schema():
    from django.conf import settings

    from assett.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-pending-emails"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.MAIL_SWEEP_AFTER
