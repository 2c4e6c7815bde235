"""Full progress recompute at national scale: target ≤ 5 s on 2 cores on PostgreSQL, bounded queries."""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.services import indicator_progress_recompute


def run(write, repeat: int = 3):
    timings, queries, count = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            count = indicator_progress_recompute()
            timings.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    write(
        f"progress: full recompute of {count} indicators: median {statistics.median(timings):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in timings)}), {queries} queries, target ≤ 5 s"
    )
