"""Two staff copying the same national format at the same moment: two copies, two codes, no error."""

import threading

import pytest
from django.db import connection, connections

from events.format_services import copy_format
from events.models import WorkshopFormat
from tests.threads import in_own_connection
from toolbox.enums import Origin


def _cleanup():
    WorkshopFormat.objects.filter(origin=Origin.LOCAL, code__startswith="world-cafe-local").delete()


@pytest.fixture
def committed(db, territory_a):
    in_own_connection(territory=territory_a, func=_cleanup)
    yield
    in_own_connection(territory=territory_a, func=_cleanup)


def test_two_copies_of_one_format_at_once_get_two_codes(committed, territory_a):
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def copy(index):
        try:
            connection.set_tenant(territory_a)
            source = WorkshopFormat.objects.get(code="world-cafe")
            barrier.wait(timeout=10)
            outcomes[index] = copy_format(source).code
        except Exception as error:  # noqa: BLE001 - the test inspects what each call raised
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["world-cafe-local", "world-cafe-local-2"], outcomes
    codes = in_own_connection(
        territory=territory_a,
        func=lambda: sorted(
            WorkshopFormat.objects.filter(origin=Origin.LOCAL).values_list("code", "copied_from__code")
        ),
    )
    assert codes == [("world-cafe-local", "world-cafe"), ("world-cafe-local-2", "world-cafe")]
