"""Timing helpers shared by the benchmarks of bench/ (imported as bench.measure)."""

import statistics
import time

from django.db import connection


def count_queries(call):
    """The SQL statements `call()` sends."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return statements


def reference_loop():
    """A fixed pure-Python workload: its time tells a slow or busy host from a slow change."""
    start = time.perf_counter()
    sum(i * i for i in range(20000))
    return (time.perf_counter() - start) * 1000


# A page of the same stack with no list (the layout alone), requested in the same rounds as the pages
# measured: the host moves every figure with it, and a page's ratio to it (« × reference ») says what
# the page itself costs.
LAYOUT_URL = "/mentions-legales/"


def request_of(call):
    """The request of one of measure_block's calls, its preparation run first when it has one."""
    if isinstance(call, tuple):
        prepare, call = call
        prepare()
    return call


def measure_block(calls, rounds):
    """(median, p95, min) ms of each of `calls` (name → request) and of the reference loop ("loop"),
    interleaved `rounds` times so that every request and the loop see the same state of the host.
    A call may be a (prepare, request) pair: prepare() runs before each request, untimed."""
    timings = {"loop": []} | {name: [] for name in calls}
    for _ in range(rounds):
        timings["loop"].append(reference_loop())
        for name, call in calls.items():
            call = request_of(call)
            start = time.perf_counter()
            response = call()
            timings[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    return {name: summary(durations) for name, durations in timings.items()}


def summary(durations):
    """Median, p95 and minimum of `durations` (ms)."""
    durations = sorted(durations)
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1], durations[0]


def postgres_round_trip():
    """Median time of a `SELECT 1` (ms): the floor under every query of the page."""
    durations = []
    with connection.cursor() as cursor:
        for _ in range(200):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations)


def favour_this_benchmark(niceness=-15):
    """Run this process and its PostgreSQL backends ahead of the machine's other work (root only).

    A shared host (other sessions' test suites, CI neighbours) makes every round trip wait for a
    CPU: a page of four queries then takes twice its time. Raised priorities measure the code, not
    the neighbours; the reference loop still says how quiet the host was. BENCH_PRIORITY=0 turns it off.
    """
    import os

    from django.db.backends.signals import connection_created

    if os.environ.get("BENCH_PRIORITY") == "0" or os.geteuid() != 0:
        print("Priority: as the machine's other processes.")
        return False

    def favour_backend(connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            os.setpriority(os.PRIO_PROCESS, cursor.fetchone()[0], niceness)

    os.setpriority(os.PRIO_PROCESS, 0, niceness)
    connection_created.connect(favour_backend, weak=False, dispatch_uid="bench.favour_backend")
    if connection.connection is not None:
        favour_backend(connection)
    print(f"Priority: this benchmark and its PostgreSQL backends at nice {niceness} (BENCH_PRIORITY=0: off).")
    return True


def analyze():
    """The planner's statistics of every table, as autovacuum keeps them on a production server after
    the seeds' bulk writes. Run on every run, not only after seeding: on a server where autovacuum is
    off (this machine's was) the planner would guess on none, and pick plans no production server does
    (a sequential scan of 2,000 actions for 99 ids: 2.2 ms instead of 0.9)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
