"""The benchmark's measurements: time (median and p95 of repeated runs), queries and peak memory of one
operation, gathered into the table `manage.py benchmark` prints.

Peak memory is tracemalloc's peak of Python allocations during one extra run (tracemalloc slows what it
traces, so the timed runs go without it); libpq's own buffers are not in it, the process's peak RSS is
printed under the table.
"""

import contextlib
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Row:
    operation: str
    timings_ms: list[float]
    queries: int
    peak_mib: float
    target: str = ""
    met: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        """Nearest rank: with few runs it is the slowest, never an interpolation past it."""
        ordered = sorted(self.timings_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(operation: str, run: Callable[[], object], *, repeat: int, warm: bool = True) -> Row:
    """Run once counting its queries (and warming caches), time `repeat` runs, then trace one for its peak.

    warm=False counts the queries of the first timed run instead: for an operation of seconds, whose few
    queries cost nothing to record, and too long to run once more.
    """
    timings = []
    for n in range(repeat + warm):
        with CaptureQueriesContext(connection) if n == 0 else contextlib.nullcontext() as counting:
            started = time.perf_counter()
            run()
            elapsed = (time.perf_counter() - started) * 1000
        if n == 0:  # now: a later request's start empties the log the capture reads from
            queries = len(counting.captured_queries)
        if n > 0 or not warm:
            timings.append(elapsed)
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Row(operation, timings, queries, peak / 2**20)


def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table, for the note."""
    lines = [
        "| operation | median | p95 | queries | peak memory (tracemalloc) | target | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append(
            f"| {row.operation} | {_ms(row.median)} | {_ms(row.p95)} | {row.queries} | {row.peak_mib:.1f} MiB "
            f"| {row.target} | {met} |"
        )
    return lines


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"
