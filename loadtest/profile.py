"""Where a request of the load mix spends its time: the mix of loadtest/inprocess.py through the whole
middleware stack under pyinstrument, every sample put in one bucket by the innermost part of the stack it
belongs to (database queries, templates, sessions and authentication, middleware, the view's own code).

Usage: python loadtest/profile.py TARGETS.json [REQUESTS]. Prints each bucket's share of the time, and the
time per request. .ci/loadtest runs it after the load; run alone it shows where a saturated worker goes.
"""

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from inprocess import weighted_requests  # loadtest/ is on sys.path when run as a script
from pyinstrument import Profiler

PROJECT = str(Path(__file__).resolve().parents[1])
BUCKETS = [
    ("ORM and queries", ("/django/db/", "/psycopg/")),
    ("templates", ("/django/template/", "/templatetags/")),
    ("sessions and authentication", ("/django/contrib/sessions/", "/django/contrib/auth/", "/axes/")),
    ("middleware", ("middleware",)),
]
VIEW = "views, selectors and serialisers (own code)"
HANDLER = "Django and DRF request handling"


def _bucket(stack: list[str]) -> str:
    """The innermost frame that names a bucket: a query made while rendering a template is a query, the
    view's own code is the view's even though middleware called it."""
    for path in reversed(stack):
        for name, markers in BUCKETS:
            if any(marker in path for marker in markers):
                return name
        if path.startswith(PROJECT) and "/.venv/" not in path and "/loadtest/" not in path:
            return VIEW
    return HANDLER


def shares(frame, stack=(), out=None) -> Counter:
    out = Counter() if out is None else out
    stack = (*stack, frame.file_path or "")
    out[_bucket(list(stack))] += frame.total_self_time
    for child in frame.children:
        shares(child, stack, out)
    return out


def main(path: str, requests: int):
    with open(path, encoding="utf-8") as f:
        mix = weighted_requests(json.load(f))
    rng = random.Random(1)
    chosen = rng.choices(mix, weights=[w for _, _, w in mix], k=requests)
    for client, url, _ in mix:
        client.get(url)  # warm: templates compiled, connections open
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for client, url, _ in chosen:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"loadtest/profile.py: {url} answered {response.status_code}")
    profiler.stop()
    elapsed = time.perf_counter() - started
    totals = shares(profiler.last_session.root_frame())
    whole = sum(totals.values()) or 1.0
    print(f"profile: {requests} requests of the load mix, {1000 * elapsed / requests:.1f} ms a request (profiled)")
    for name, seconds in totals.most_common():
        print(f"  {name:35} {100 * seconds / whole:5.1f}%")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
