"""The benchmark's rows: p95 by nearest rank (never past the slowest run), queries of one run, a table."""

import os

import pytest

from ops.benchmarks import Row, in_fresh_process, measure, table
from plans.models import City


def test_p95_is_a_run_that_happened():
    assert Row("x", [10.0, 30.0, 20.0], 0, 0.0).p95 == 30.0
    row = Row("x", [float(n) for n in range(1, 101)], 0, 0.0)
    assert (row.median, row.p95) == (50.5, 95.0)


@pytest.mark.django_db
def test_measure_counts_the_queries_of_one_run_and_traces_its_memory():
    calls = []

    def run():
        calls.append(list(City.objects.all()))
        calls[-1].append(bytearray(2 * 2**20))

    row = measure("two megabytes", run, repeat=3)
    assert len(calls) == 5  # counted, three timed, traced
    assert row.queries == 1 and len(row.timings_ms) == 3
    assert 2 <= row.peak_mib < 3


def test_table_says_which_targets_were_missed():
    lines = table([Row("a", [1500.0], 3, 12.0, "≤ 1.5 s", True), Row("b", [120.0], 9, 1.0, "≤ 100 ms", False)])
    assert lines[2] == "| a | 1.50 s | 1.50 s | 3 | 12.0 MiB (tracemalloc) | ≤ 1.5 s | yes |"
    assert lines[3] == "| b | 120.0 ms | 120.0 ms | 9 | 1.0 MiB (tracemalloc) | ≤ 100 ms | NO |"


@pytest.mark.django_db
def test_queries_are_counted_even_when_later_requests_empty_the_query_log():
    from django.db import reset_queries

    def request():
        # what Django's request_started receiver does to the query log (sending the signal itself would also
        # close the test's database connection on PostgreSQL)
        reset_queries()
        list(City.objects.all())
        list(City.objects.all())

    assert measure("a page", request, repeat=2).queries == 2


def test_a_fresh_process_reports_its_own_peak_rss(tmp_path, monkeypatch):
    """The child allocates about 64 MiB more than it held at its start, and its row says so in RSS."""
    (tmp_path / "allocating.py").write_text('def run():\n    global kept\n    kept = b"x" * (64 * 2**20)\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    row = in_fresh_process("allocating", "allocating.run")
    started = float(row.operation.split("RSS ")[1].split(" MiB")[0])
    assert row.memory == "RSS" and row.queries == 0 and len(row.timings_ms) == 1
    assert 56 <= row.peak_mib - started < 100
