from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from mailing.models import OutgoingEmail
from reports.models import ReportJob

from .helpers import report_world


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Reports are written under a folder of the test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def committed_in(schema_name, call):
    """`call()` on a connection of its own (a thread's), in autocommit, in `schema_name`."""

    def run():
        try:
            with schema_context(schema_name):
                return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def committed_world(territory_a, django_db_blocker):
    """A report world, committed (other browsers and workers have connections of their own); removed afterwards.

    Yields (in_a, member, assessment), where in_a(call) runs `call` committed in territory A."""

    def in_a(call):
        return committed_in(territory_a.schema_name, call)

    with django_db_blocker.unblock():
        member, organisation, assessment = in_a(lambda: report_world("Boulangerie concurrente", "two@example.org"))
    yield in_a, member, assessment

    def delete():
        ReportJob.objects.filter(assessment=assessment).delete()
        OutgoingEmail.objects.filter(recipients__contains=[member.email]).delete()
        organisation.plan_items.all().delete()
        organisation.delete()
        member.delete()

    with django_db_blocker.unblock():
        in_a(delete)
