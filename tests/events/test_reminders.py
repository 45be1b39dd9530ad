"""Reminders and feedback requests go exactly once per attendee: run twice at once (two connections),
or after a real worker was killed mid-run (SIGKILL), each territory in its own schema and time zone."""

import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from events import reminders, tasks
from events.enums import Attendance, EventStatus, RegistrationStatus
from events.models import Event, Registration
from mailing.models import OutgoingEmail
from organisations.models import Organisation

from ..conftest import _database_url, running_celery_worker
from .factories import (
    EventFactory,
    OrganisationFactory,
    UserFactory,
    committed,
    member_of,
    register,
    territory_zone,
    utc,
)

MAYOTTE, PARIS = ZoneInfo("Indian/Mayotte"), ZoneInfo("Europe/Paris")


# ---- when a reminder is due (pure) ------------------------------------------------------------------


def test_a_reminder_two_days_before_is_due_at_8_local_time_two_days_before():
    friday_18_in_mayotte = utc(2027, 3, 12, 15, 0)

    assert reminders.reminder_due_at(friday_18_in_mayotte, 2, MAYOTTE) == utc(2027, 3, 10, 5, 0)
    assert reminders.reminder_due_at(friday_18_in_mayotte, 2, PARIS) == utc(2027, 3, 10, 7, 0)
    assert reminders.reminder_due_at(friday_18_in_mayotte, 0, PARIS) is None


def test_the_local_date_decides_not_the_utc_one():
    # 01:00 on Friday in Mayotte is still Thursday in UTC: the reminder is counted from Friday.
    assert reminders.reminder_due_at(utc(2027, 3, 11, 22, 0), 1, MAYOTTE) == utc(2027, 3, 11, 5, 0)


# ---- in one territory ------------------------------------------------------------------------------


def reminder_emails(territory):
    with schema_context(territory.schema_name):
        return list(OutgoingEmail.objects.filter(subject__startswith="Rappel : "))


def test_the_reminder_goes_to_confirmed_attendees_once_with_the_ics(in_a, territory_a, queued_emails):
    now = utc(2027, 3, 10, 9, 0)
    event = EventFactory(starts_at=utc(2027, 3, 12, 17, 0), ends_at=utc(2027, 3, 12, 19, 0), reminder_days_before=2)
    confirmed = register(event)
    register(event, status=RegistrationStatus.WAITLISTED)
    register(event, status=RegistrationStatus.CANCELLED)
    for other in (
        EventFactory(starts_at=event.starts_at, ends_at=event.ends_at, status=EventStatus.DRAFT),
        EventFactory(starts_at=event.starts_at, ends_at=event.ends_at, status=EventStatus.CANCELLED),
        EventFactory(starts_at=event.starts_at, ends_at=event.ends_at, reminder_days_before=0),
        EventFactory(starts_at=event.starts_at + timedelta(days=1), ends_at=event.ends_at + timedelta(days=1)),
    ):
        register(other)

    assert reminders.send_due_reminders(now) == 1
    assert reminders.send_due_reminders(now + timedelta(hours=1)) == 0
    # Registered after the reminder was due (08:00 on Wednesday): the confirmation was enough.
    late = register(event)
    Registration.objects.filter(pk=late.pk).update(created_at=utc(2027, 3, 10, 8, 0))
    assert reminders.send_due_reminders(now + timedelta(hours=2)) == 0

    [email] = queued_emails(territory_a)
    assert email.recipients == [confirmed.user.email]
    assert "vendredi 12 mars 2027, de 18:00 à 20:00" in email.body  # Paris, UTC+1
    assert email.attachments[0]["filename"].endswith(".ics")
    confirmed.refresh_from_db()
    assert confirmed.reminder_sent_at == now


def test_the_feedback_request_goes_after_the_event_to_those_not_marked_absent_once(in_a, territory_a, queued_emails):
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    present = register(event, attendance=Attendance.PRESENT)
    unmarked = register(event)
    register(event, attendance=Attendance.ABSENT)
    register(event, status=RegistrationStatus.WAITLISTED)
    old = EventFactory(starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30, hours=-2))
    register(old, attendance=Attendance.PRESENT)
    running = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    register(running, attendance=Attendance.PRESENT)

    assert reminders.send_due_feedback_requests(now) == 2
    assert reminders.send_due_feedback_requests(now) == 0

    emails = queued_emails(territory_a)
    assert sorted(email.recipients[0] for email in emails) == sorted([present.user.email, unmarked.user.email])
    assert all(email.subject.startswith("Votre avis sur ") for email in emails)


@pytest.fixture
def a_in_mayotte(db, territory_a):
    with territory_zone(territory_a, "Indian/Mayotte"):
        yield territory_a


def test_each_territory_reminds_in_its_own_zone_and_schema(a_in_mayotte, territory_b):
    """A in Mayotte, B in Paris; the same event (Friday 18:00 UTC) in both. At 05:30 UTC on Wednesday
    it is 08:30 in Mayotte (due) and 06:30 in Paris (not yet); at 07:30 UTC both are due."""
    territory_a = a_in_mayotte
    people = {}
    for territory in (territory_a, territory_b):
        with schema_context(territory.schema_name):
            event = EventFactory(starts_at=utc(2027, 3, 12, 18, 0), ends_at=utc(2027, 3, 12, 20, 0))
            people[territory.schema_name] = register(event).user.email

    def run(at):
        sent = {}
        for territory in (territory_a, territory_b):
            with schema_context(territory.schema_name):
                sent[territory.schema_name] = reminders.send_due_reminders(at)
        return sent

    assert run(utc(2027, 3, 10, 5, 30)) == {territory_a.schema_name: 1, territory_b.schema_name: 0}
    assert run(utc(2027, 3, 10, 7, 30)) == {territory_a.schema_name: 0, territory_b.schema_name: 1}
    for territory in (territory_a, territory_b):
        [email] = reminder_emails(territory)
        assert email.recipients == [people[territory.schema_name]]
    [mayotte_email] = reminder_emails(territory_a)
    assert "vendredi 12 mars 2027, de 21:00 à 23:00" in mayotte_email.body  # 18:00 UTC is 21:00 in Mayotte


# ---- concurrency: committed data, other connections ------------------------------------------------------


@pytest.fixture
def committed_attendees(territory_a, territory_b):
    """Committed events whose reminder is due now, with confirmed attendees, in A and B; removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    made = {}

    def make(territory, events=3, per_event=12, soon=timedelta(hours=20)):
        def create():
            start = (timezone.now() + soon).replace(microsecond=0)
            registrations = []
            for index in range(events):
                event = EventFactory(
                    title=f"Atelier {tag} {index}", starts_at=start, ends_at=start + timedelta(hours=2)
                )
                for _ in range(per_event):
                    organisation = OrganisationFactory(name=f"Organisation {tag}")
                    registrations.append(
                        register(
                            event,
                            user=member_of(
                                organisation, UserFactory(email=f"{uuid.uuid4().hex[:10]}.{tag}@exemple.org")
                            ),
                            organisation=organisation,
                        )
                    )
            # Registered days ago, before the reminder was due.
            Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
                created_at=timezone.now() - timedelta(days=5)
            )
            return [registration.user.email for registration in registrations]

        made[territory.schema_name] = committed(create, territory.schema_name)
        return made[territory.schema_name]

    yield make, tag

    for schema_name in made:

        def delete():
            Event.objects.filter(title__contains=tag).delete()
            Organisation.objects.filter(name__contains=tag).delete()
            User.objects.filter(email__endswith=f".{tag}@exemple.org").delete()
            OutgoingEmail.objects.filter(subject__contains=tag).delete()

        committed(delete, schema_name)


def reminders_of(tag, schema_name):
    return committed(
        lambda: [
            email.recipients[0]
            for email in OutgoingEmail.objects.filter(subject__startswith="Rappel : ", subject__contains=tag)
        ],
        schema_name,
    )


@pytest.mark.django_db
def test_two_runs_at_once_send_each_reminder_once(territory_a, committed_attendees):
    make, tag = committed_attendees
    attendees = make(territory_a, events=3, per_event=15)
    start = threading.Barrier(2)

    def run():
        try:
            with schema_context(territory_a.schema_name):
                start.wait(timeout=10)
                return reminders.send_due_reminders()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = [future.result() for future in [pool.submit(run), pool.submit(run)]]

    assert sum(sent) == len(attendees) == 45
    assert sorted(reminders_of(tag, territory_a.schema_name)) == sorted(attendees)


def _children_named(text):
    """Pids of this process's children whose command line holds `text` (the worker of a queue)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and text in command:
            pids.append(int(entry))
    return pids


def _is_dead(pid):
    """Gone, or a zombie waiting for its parent (the worker's Popen reaps it when the block ends)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
@pytest.mark.django_db
def test_a_worker_killed_mid_run_loses_nothing_and_the_next_run_sends_each_reminder_once(
    territory_a, territory_b, committed_attendees, django_db_blocker
):
    make, tag = committed_attendees
    attendees_a = make(territory_a, events=2, per_event=4)
    attendees_b = make(territory_b, events=1, per_event=3)
    schema = territory_a.schema_name
    # Another session holds the outgoing emails of A: the worker's first insert waits, inside its
    # transaction, after it marked the registrations. That is where it dies.
    blocker = psycopg.connect(_database_url())
    blocker.execute(f'LOCK TABLE "{schema}".mailing_outgoingemail IN SHARE MODE')
    # Activity is read from a session of its own: within a transaction, pg_stat_activity is a snapshot.
    watcher = psycopg.connect(_database_url(), autocommit=True)

    def waiting_insert():
        row = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE 'INSERT INTO \"mailing_outgoingemail\"%%'"
        ).fetchone()
        return row and row[0]

    try:
        queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
        with running_celery_worker(django_db_blocker, queue):
            [worker_pid] = _children_named(f"{queue}@")
            tasks.send_background_emails.apply_async(headers={"_schema_name": schema}, queue=queue)
            assert _wait_for(waiting_insert, 30), "the worker never reached its first email"
            backend = waiting_insert()
            os.kill(worker_pid, signal.SIGKILL)
            assert _wait_for(lambda: _is_dead(worker_pid), 10)
            blocker.rollback()  # the lock goes; the dead worker's session finds its client gone and rolls back
            assert _wait_for(
                lambda: not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone(), 30
            )
    finally:
        blocker.close()
        watcher.close()

    def marked():
        return Registration.objects.filter(event__title__contains=tag, reminder_sent_at__isnull=False).count()

    assert committed(marked, schema) == 0  # neither the marks nor the emails survived the kill
    assert reminders_of(tag, schema) == []

    # The next run (the beat job, here on a fresh worker) sends each reminder once, in both territories.
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    with running_celery_worker(django_db_blocker, queue):
        tasks.send_background_emails_everywhere.apply_async(queue=queue)
        tasks.send_background_emails_everywhere.apply_async(queue=queue)  # twice: nothing doubles
        assert _wait_for(
            lambda: (
                len(reminders_of(tag, schema)) == len(attendees_a)
                and len(reminders_of(tag, territory_b.schema_name)) == len(attendees_b)
            ),
            60,
        )
        time.sleep(1)
    assert sorted(reminders_of(tag, schema)) == sorted(attendees_a)
    assert sorted(reminders_of(tag, territory_b.schema_name)) == sorted(attendees_b)
    assert committed(marked, schema) == len(attendees_a)


def test_the_beat_runs_the_job_for_every_territory_every_quarter_of_an_hour():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["send-event-emails"]
    assert entry == {"task": "events.send_background_emails_everywhere", "schedule": 15 * 60}
    assert tasks.send_background_emails_everywhere.name == entry["task"]
