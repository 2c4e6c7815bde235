from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load


class Command(BaseCommand):
    help = (
        "Keep the database in step with the plan fixtures (fixtures/plans/*.yaml): adds, updates and removals "
        "in one transaction per plan; refuses to remove a row that carries the city's work. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="fixture files (default: all five plans)")
        parser.add_argument("--dry-run", action="store_true", help="print the changes and keep none of them")

    def handle(self, *args, paths, dry_run, **options):
        paths = paths or sorted(PLAN_FIXTURE_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"no plan fixtures in {PLAN_FIXTURE_DIR}")
        for path in paths:
            try:
                report = plan_fixture_load(path=path, dry_run=dry_run)
            except ValidationError as exc:
                raise CommandError(f"{path.name}: {'; '.join(exc.messages)}") from exc
            readings = "口径与解读 {total} 条，其中待确认 {pending} 条".format(**report.readings)
            if not report.changed:
                self.stdout.write(f"{path.name}: 无变化（{readings}）")
                continue
            self.stdout.write(f"{path.name}: {'将更新（试运行，未保存）' if dry_run else '已更新'}（{readings}）")
            for line in report.changes:
                self.stdout.write(f"  {line}")
            for line in report.lines():
                self.stdout.write(f"  {line}")
