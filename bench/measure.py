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
