"""The mail path end to end: a real Celery worker (smtp backend) and a real SMTP server on a local port.

The worker reads what the test commits: the test's own connection is in the django_db mark's
transaction (which makes pytest-django create the test database), so everything the worker must see
is written, and every request made, on another thread's connection, in autocommit (`committed`).
What the tests commit is removed at the end.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from mailing import tasks
from mailing.enums import EmailStatus
from mailing.models import OutgoingEmail
from mailing.services import queue_email
from organisations.models import Invitation
from organisations.services import create_organisation

from ..conftest import BASE_DIR, TERRITORY_A, _database_url, running_celery_worker
from .smtp import free_port, frozen_smtp_server, smtp_server

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

SMTP_PORT = free_port()


@pytest.fixture(scope="module")
def mail_worker(territories, django_db_blocker):
    """A worker that sends through SMTP on SMTP_PORT, gives up on a silent server after 1 s and
    retries 0.2 s later (then 0.4 s, 0.8 s…); its sweep takes emails pending for 1 s."""
    # It consumes the tests' default queue: the tasks sent on commit by this process go there.
    # Those that earlier tests left there are dropped first.
    from assett.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    with running_celery_worker(
        django_db_blocker,
        settings.CELERY_TASK_DEFAULT_QUEUE,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_TIMEOUT="1",
        MAIL_RETRY_DELAY="0.2",
        MAIL_SWEEP_AFTER="1",
    ) as queue:
        yield queue


def committed(query, schema_name=None):
    """Run `query()` on a connection of its own (a thread's), in autocommit, in `schema_name` if given."""

    def in_thread():
        try:
            if schema_name is None:
                return query()
            with schema_context(schema_name):
                return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture
def owner(territory_a):
    """A committed owner of a committed organisation of territory A; removed afterwards with its emails."""
    tag = uuid.uuid4().hex[:8]

    def create():
        user = User.objects.create_user(f"owner.{tag}@example.org", "Mot-de-passe-42")
        user.emailaddress_set.create(email=user.email, verified=True, primary=True)
        organisation = create_organisation(
            user,
            name=f"L'atelier d'Orly {tag}",
            kind="entreprise",
            siret="73282932000074",
            headcount_band="02",
            commune="Orly",
        )
        return user, organisation

    user, organisation = committed(create, territory_a.schema_name)
    yield user, organisation, tag

    def delete():
        organisation.delete()
        user.delete()
        OutgoingEmail.objects.filter(subject__contains=tag).delete()
        OutgoingEmail.objects.filter(recipients__contains=[f"colleague.{tag}@example.org"]).delete()
        OutgoingEmail.objects.filter(recipients__contains=[f"warm-up.colleague.{tag}@example.org"]).delete()

    committed(delete, territory_a.schema_name)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def email_to(territory, address):
    return committed(
        lambda: OutgoingEmail.objects.filter(recipients__contains=[address]).first(), territory.schema_name
    )


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_invitation_answers_at_once_with_smtp_frozen_and_arrives_once_when_it_is_back(
    territory_a, owner, mail_worker, settings
):
    # This process would talk to the same frozen server if it sent the email itself.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", SMTP_PORT, 3
    user, organisation, tag = owner
    colleague = f"colleague.{tag}@example.org"
    client = Client(HTTP_HOST=TERRITORY_A.domain)
    committed(lambda: client.force_login(user), territory_a.schema_name)
    # The first request of a process compiles templates and fills caches (~1 s): not what is measured.
    assert committed(lambda: client.get(f"/organisations/{organisation.pk}/")).status_code == 200

    with frozen_smtp_server(SMTP_PORT):
        response, elapsed = committed(
            lambda: timed(lambda: client.post(f"/organisations/{organisation.pk}/inviter/", {"email": colleague}))
        )

        assert response.status_code == 302
        print(f"\ninvitation request with SMTP frozen: {elapsed * 1000:.0f} ms")
        # Sending here would wait 3 s (EMAIL_TIMEOUT above) and fail; the worker waits instead (1 s each try).
        assert elapsed < 1.5, elapsed
        # The worker tried, waited for the server's greeting in vain, and will try again.
        assert wait_for(lambda: email_to(territory_a, colleague).attempts >= 2, 20)

    with smtp_server(SMTP_PORT) as inbox:
        assert wait_for(lambda: inbox.to(colleague), 60), "the email never arrived"
        time.sleep(3)  # several retry delays: a second copy would have come by now

    token = committed(
        lambda: Invitation.objects.get(organisation=organisation, email=colleague).token, territory_a.schema_name
    )
    [message] = inbox.to(colleague)
    assert (
        message["Subject"].strip()
        == f"{user} vous invite à rejoindre L'atelier d'Orly {tag} sur {territory_a.programme_name}"
    )
    assert f"http://{TERRITORY_A.domain}:8000/invitations/{token}/" in message.get_body().get_content()
    email = email_to(territory_a, colleague)
    assert email.status == EmailStatus.SENT
    assert email.attempts >= 3  # at least two failures (frozen), then the send


def test_email_queued_in_a_schema_context_is_sent_from_that_schema(territory_a, owner, mail_worker):
    """Provisioning queues the first admin's invitation inside schema_context() and commits after leaving it."""
    _user, _organisation, tag = owner

    def queue_then_commit_from_public():
        with transaction.atomic(), schema_context(territory_a.schema_name):
            queue_email(
                f"colleague.{tag}@example.org",
                "organisations/email/join_request_subject.txt",
                "organisations/email/join_request_message.txt",
                {
                    "organisation": {"name": tag},
                    "requester": {"display_name": "X", "email": "x@example.org", "get_full_name": ""},
                    "message": "",
                    "url": "/",
                    "territory": territory_a,
                },
            )
        assert connection.schema_name == "public"

    with smtp_server(SMTP_PORT) as inbox:
        committed(queue_then_commit_from_public)
        assert wait_for(lambda: inbox.to(f"colleague.{tag}@example.org"), 30)
    [message] = inbox.to(f"colleague.{tag}@example.org")
    assert message["Subject"].strip() == f"X demande à rejoindre {tag}"


QUEUE_WITH_THE_BROKER_DOWN = """
import json, time
from django_tenants.utils import schema_context
from accounts.models import User
from organisations.models import Organisation
from organisations.services import invite_member
with schema_context({schema!r}):
    owner = User.objects.get(email={email!r})
    organisation = Organisation.objects.get(created_by=owner)
    invite_member(organisation, owner, "warm-up." + {colleague!r})  # the first call compiles the templates
    started = time.perf_counter()
    invitation = invite_member(organisation, owner, {colleague!r})
    print(json.dumps({{"seconds": time.perf_counter() - started, "token": invitation.token}}))
"""


def test_broker_down_leaves_the_email_pending_and_the_sweep_sends_it(territory_a, owner, mail_worker):
    user, _organisation, tag = owner
    colleague = f"colleague.{tag}@example.org"
    script = QUEUE_WITH_THE_BROKER_DOWN.format(schema=territory_a.schema_name, email=user.email, colleague=colleague)
    completed = subprocess.run(  # noqa: S603 - this checkout's manage.py
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"\ninvitation with the broker down: {outcome['seconds'] * 1000:.0f} ms")
    assert outcome["seconds"] < 2  # kombu's default retries took 6 s
    assert "left pending: the broker is unreachable" in completed.stderr
    email = email_to(territory_a, colleague)
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)

    with smtp_server(SMTP_PORT) as inbox:
        time.sleep(1.1)  # the worker's sweep leaves alone what is younger than a second
        tasks.send_pending_emails_everywhere.delay()
        assert wait_for(lambda: inbox.to(colleague), 30), "the sweep did not send the pending email"
    [message] = inbox.to(colleague)
    assert f"http://{TERRITORY_A.domain}:8000/invitations/{outcome['token']}/" in message.get_body().get_content()
    assert email_to(territory_a, colleague).status == EmailStatus.SENT
