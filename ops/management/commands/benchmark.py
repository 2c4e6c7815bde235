"""Prints the speed figures the issues set targets for, on national-scale synthetic data, as a table.

Run on PostgreSQL for the reported figures, once per size, each size in its own database (generating 3,000
cities takes minutes; the data is kept for later runs):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipcity_bench300 python manage.py benchmark --cities 300
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipcity_bench3000 python manage.py benchmark --cities 3000
"""

import importlib
import os
import resource
import sys

from django.core.management.base import BaseCommand
from django.db import connection

from ops.benchmarks import table
from ops.synthetic import synthetic_generate
from plans.models import City

SECTIONS = ["progress", "dashboards", "reports", "imports"]


def _load() -> str:
    """The machine's load when the figures were taken: wall-clock times on a busy machine are inflated."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


class Command(BaseCommand):
    help = "Benchmark at national scale (N cities × 30 indicators × 12 quarters); prints a Markdown table."

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
        parser.add_argument("--cities", type=int, help="synthetic cities wanted (generated when the count differs)")
        parser.add_argument("--regenerate", action="store_true", help="rebuild the synthetic data first")
        parser.add_argument("--repeat", type=int, help="timed runs of each operation (default: each section's own)")

    def handle(self, *args, only, cities, regenerate, repeat, **options):
        sections = only or SECTIONS
        needs_synthetic = any(section != "imports" for section in sections)  # imports builds its own plan
        have = City.objects.filter(is_synthetic=True).count()
        if regenerate or (needs_synthetic and (have == 0 or (cities and cities != have))):
            counts = synthetic_generate(cities=cities or 300)
            self.stdout.write("generating synthetic data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        before = _load()
        rows = []
        for section in sections:
            run = importlib.import_module(f"ops.benchmarks.{section}").run
            rows += run(self.stdout.write, repeat=repeat) if repeat else run(self.stdout.write)
        synthetic = City.objects.filter(is_synthetic=True).count()
        self.stdout.write("")
        self.stdout.write(
            f"{synthetic} synthetic cities on {connection.vendor} ({connection.settings_dict['NAME']}); "
            f"{before} before, {_load()} after; "
            f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
        self.stdout.write(f"command: {' '.join(['python', 'manage.py', *sys.argv[1:]])}")
        self.stdout.write("")
        for line in table(rows):
            self.stdout.write(line)
