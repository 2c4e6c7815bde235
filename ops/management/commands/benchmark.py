"""Prints the speed figures the issues set targets for, on national-scale synthetic data.

Run on PostgreSQL for the reported figures: DATABASE_URL=postgres://... python manage.py benchmark
"""

import importlib

from django.core.management.base import BaseCommand

from ops.synthetic import synthetic_generate
from plans.models import City

SECTIONS = ["progress", "reports", "dashboards", "imports"]


class Command(BaseCommand):
    help = "Benchmark at national scale (300 cities × 30 indicators × 12 quarters)."

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
        parser.add_argument("--regenerate", action="store_true", help="rebuild the synthetic data first")

    def handle(self, *args, only, regenerate, **options):
        sections = only or SECTIONS
        needs_synthetic = any(section != "imports" for section in sections)  # imports builds its own plan
        if regenerate or (needs_synthetic and not City.objects.filter(is_synthetic=True).exists()):
            self.stdout.write(
                "generating synthetic data: " + ", ".join(f"{k} {v}" for k, v in synthetic_generate().items())
            )
        for section in sections:
            importlib.import_module(f"ops.benchmarks.{section}").run(self.stdout.write)
