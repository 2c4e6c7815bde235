from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load


class Command(BaseCommand):
    help = "Load the plan fixtures (fixtures/plans/*.yaml). Idempotent: a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="fixture files (default: all five plans)")

    def handle(self, *args, paths, **options):
        paths = paths or sorted(PLAN_FIXTURE_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"no plan fixtures in {PLAN_FIXTURE_DIR}")
        for path in paths:
            try:
                report = plan_fixture_load(path=path)
            except ValidationError as exc:
                raise CommandError(f"{path.name}: {'; '.join(exc.messages)}") from exc
            self.stdout.write(f"{path.name}: {'已更新' if report.changed else '无变化'}")
            for line in report.lines():
                self.stdout.write(f"  {line}")
