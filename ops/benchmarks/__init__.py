"""The benchmark's measurements: time (median and p95 of repeated runs), queries and peak memory of one
operation, gathered into the table `manage.py benchmark` prints.

Peak memory is tracemalloc's peak of Python allocations during one extra run (tracemalloc slows what it
traces, so the timed runs go without it); libpq's own buffers are not in it. For an operation a worker runs
(the recompute), `in_fresh_process` also reads the peak RSS of a new process that does nothing else, as the
worker sees it; the benchmark process's own peak RSS (every section, the data generation) is printed under
the table.
"""

import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
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
    memory: str = "tracemalloc"

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


FRESH_PROCESS = """
import json, time, django
django.setup()
from django.db import connection
from {module} import {name}
queries = 0
def counted(execute, sql, params, many, context):
    global queries
    queries += 1
    return execute(sql, params, many, context)
def mib(field):
    # /proc/self/status, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024
started_mib = mib("VmRSS")
with connection.execute_wrapper(counted):
    started = time.perf_counter()
    {name}()
    elapsed = (time.perf_counter() - started) * 1000
print(json.dumps({{"ms": elapsed, "queries": queries, "started_mib": started_mib, "peak_mib": mib("VmHWM")}}))
"""


def in_fresh_process(operation: str, dotted: str) -> Row:
    """Run a callable (module.name, no arguments) once in a new Python process on the same settings and
    database, and read that process's peak RSS: libpq's buffers and the interpreter included, as a worker
    running it would see. The row says how much of it the process held before the operation began."""
    module, name = dotted.rsplit(".", 1)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ipcity.settings")}
    completed = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS.format(module=module, name=name)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return Row(
        f"{operation}, in a fresh process (RSS {result['started_mib']:.0f} MiB before it began)",
        [result["ms"]],
        result["queries"],
        result["peak_mib"],
        memory="RSS",
    )


def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table, for the note."""
    lines = [
        "| operation | median | p95 | queries | peak memory | target | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append(
            f"| {row.operation} | {_ms(row.median)} | {_ms(row.p95)} | {row.queries} "
            f"| {row.peak_mib:.1f} MiB ({row.memory}) | {row.target} | {met} |"
        )
    return lines


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"
