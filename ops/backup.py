"""Backup and restore: the database and every stored file (evidence, exported workbooks) in one archive.

The database goes through its own tool, so the copy is exact and the archive restores only into the same
engine: PostgreSQL through pg_dump/pg_restore (custom format), SQLite through its online backup API. The
manifest written beside them holds the rows of every table and the SHA-256 of every file; a restore goes
into an empty database and an empty media folder (or replaces them when forced) and then checks itself
against that manifest, so "restored" means "the same rows and the same bytes", not "the tool exited 0".
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot be done, or a restore that does not match its manifest."""


# --- reading what is there ----------------------------------------------------------------------------


def _engine() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def _table_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    """Every stored file under MEDIA_ROOT by its relative path, with its SHA-256."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _pg_args() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"], "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


# --- backup ---------------------------------------------------------------------------------------------


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump reads the snapshot the counts were taken in, so manifest and dump describe one instant."""
    args, env = _pg_args()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _table_counts(cursor, connection.introspection.table_names(cursor))
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    """SQLite's online backup is a consistent copy; the counts are read from the copy itself."""
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return _table_counts(cursor, [row[0] for row in cursor.fetchall()])


def backup_create(*, directory: Path) -> tuple[Path, dict]:
    """Write ipcity-backup-<time>.tar.gz into `directory`; returns its path and its manifest."""
    engine = _engine()
    directory.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    archive = directory / f"ipcity-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(dir=directory) as work:
        dump = Path(work) / DUMP_NAMES[engine]
        counts = _dump_postgresql(dump) if engine == "postgresql" else _dump_sqlite(dump)
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created": timezone.now().isoformat(),
            "tables": counts,
            "files": files,
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = Path(work) / "archive.partial"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            for relative in files:
                tar.add(media_root / relative, arcname=f"media/{relative}")
        partial.replace(archive)  # never a half-written archive under the final name
    return archive, manifest


# --- restore --------------------------------------------------------------------------------------------


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "django_migrations" not in tables:
            return True
        return _table_counts(cursor, ["django_migrations"])["django_migrations"] == 0


def _restore_postgresql(dump: Path) -> None:
    args, env = _pg_args()
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env,
    )


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    with sqlite3.connect(dump) as source:
        source.backup(connection.connection)
    connection.close()


def _current_counts(tables: list[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        counts = _table_counts(cursor, [t for t in tables if t in present])
    return {t: counts.get(t, -1) for t in tables}


def backup_restore(*, archive: Path, force: bool = False) -> dict:
    """Restore an archive of backup_create and check it; refuses a non-empty database or media folder
    unless forced (then both are replaced). Raises BackupError naming every difference from the manifest."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError):
        raise BackupError(f"{archive}: not an ipcity backup (not a .tar.gz archive)") from None
    with tempfile.TemporaryDirectory() as work, tar:
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
        except (KeyError, ValueError):
            raise BackupError(f"{archive}: not an ipcity backup (no manifest.json)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive}: backup format {manifest.get('format')}, this ipcity reads {FORMAT}")
        if manifest["engine"] != engine:
            raise BackupError(f"{archive} holds a {manifest['engine']} database; this ipcity uses {engine}")
        if not force:
            if not _database_is_empty():
                raise BackupError("the database is not empty (restore replaces it: add --force)")
            if _media_files(media_root):
                raise BackupError(f"{media_root} is not empty (restore replaces it: add --force)")
        tar.extractall(work, filter="data")  # the "data" filter refuses absolute paths and links out of `work`
        dump = Path(work) / DUMP_NAMES[engine]
        if engine == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
        if media_root.exists():
            shutil.rmtree(media_root)
        if (Path(work) / "media").is_dir():
            shutil.copytree(Path(work) / "media", media_root)
        else:
            media_root.mkdir(parents=True)
    found = _current_counts(list(manifest["tables"]))
    problems = [
        f"table {table}: {found[table]} rows, the backup has {expected}"
        for table, expected in manifest["tables"].items()
        if found[table] != expected
    ]
    restored_files = _media_files(media_root)
    problems += [
        f"file {name}: {'missing' if name not in restored_files else 'different bytes'}"
        for name, digest in manifest["files"].items()
        if restored_files.get(name) != digest
    ]
    if problems:
        raise BackupError("the restore does not match the backup:\n" + "\n".join(problems))
    return {
        "created": dt.datetime.fromisoformat(manifest["created"]),
        "rows": sum(manifest["tables"].values()),
        "tables": len(manifest["tables"]),
        "files": len(manifest["files"]),
    }
