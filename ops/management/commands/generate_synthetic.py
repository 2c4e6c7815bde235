from django.core.management.base import BaseCommand

from ops.synthetic import synthetic_generate, synthetic_remove


class Command(BaseCommand):
    help = "Build national-scale synthetic data (flagged is_synthetic; never mixed with the real plans)."

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=300)
        parser.add_argument("--indicators", type=int, default=30)
        parser.add_argument("--quarters", type=int, default=12)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--remove", action="store_true", help="delete all synthetic cities and their data")

    def handle(self, *args, cities, indicators, quarters, seed, remove, **options):
        if remove:
            self.stdout.write(f"deleted {synthetic_remove()} rows")
            return
        counts = synthetic_generate(cities=cities, indicators_per_city=indicators, quarters=quarters, seed=seed)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
