"""Work done on a connection of its own, outside the test's transaction, as another request would."""

import threading

from django.db import connection, connections


def in_own_connection(func, territory=None, timeout=120):
    """func() in a thread of its own, hence on its own connection (in `territory`'s schema if given):
    what it reads was committed, what it writes is committed, and it holds no lock once it returns.
    Its result is returned and its exception raised here."""
    outcome = {}

    def run():
        try:
            if territory is not None:
                connection.set_tenant(territory)
            outcome["value"] = func()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
