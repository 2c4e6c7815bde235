from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore an archive of `manage.py backup` into an empty database and media folder, then check it."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database and media folder that are not empty"
        )

    def handle(self, *args, archive, force, **options):
        try:
            summary = backup_restore(archive=archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        created = timezone.localtime(summary["created"])
        self.stdout.write(
            f"恢复完成（备份于 {created:%Y-%m-%d %H:%M}）: {summary['tables']} 张表 {summary['rows']} 行, "
            f"{summary['files']} 个文件，与备份清单一致"
        )
