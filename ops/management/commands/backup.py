from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's online backup) and every stored file into one archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=None, help="folder to write the archive to (default <IPCITY_VAR_DIR>/backups)"
        )

    def handle(self, *args, dir, **options):
        try:
            archive, manifest = backup_create(directory=dir or settings.VAR_DIR / "backups")
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份完成 {archive}: {manifest['engine']}, {len(manifest['tables'])} 张表 {rows} 行, "
            f"{len(manifest['files'])} 个文件"
        )
