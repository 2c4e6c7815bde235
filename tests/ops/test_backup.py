"""manage.py backup / restore: a restore into an empty database and an empty media folder gives back the
plans, figures and their history, the users and every stored file (an evidence file and an exported
workbook download the same bytes from the restored copy). Runs on SQLite, and on PostgreSQL under
DATABASE_URL (.ci/run stage 2)."""

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from indicators.models import QuarterlyFigure
from plans.models import Plan
from reports.models import ExportJob
from tasks.models import TaskUpdate
from tests.factories import (
    AssignmentFactory,
    FigureFactory,
    IndicatorFactory,
    TaskFactory,
    TaskUpdateFactory,
    make_user,
)

ROOT = Path(__file__).resolve().parents[2]


def _download(client: Client, user, url: str) -> list:
    client.force_login(user)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [response.status_code, hashlib.sha256(body).hexdigest()]


def fingerprint() -> dict:
    """What must survive a restore, read the same way on the original and on the restored copy."""
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST="localhost")
    downloads = {
        f"evidence {u.pk}": _download(client, u.author, f"/task-updates/{u.pk}/evidence/")
        for u in TaskUpdate.objects.exclude(evidence="").select_related("author").order_by("pk")
    }
    downloads |= {
        f"export {job.pk}": _download(client, job.requested_by, f"/report-jobs/{job.pk}/download/")
        for job in ExportJob.objects.exclude(file="").select_related("requested_by").order_by("pk")
    }
    return {
        "plans": list(Plan.objects.order_by("pk").values_list("pk", "code")),
        "figures": [
            [f.pk, f.indicator_id, str(f.period_end), str(f.value), f.status]
            for f in QuarterlyFigure.objects.order_by("pk")
        ],
        "figure_history": list(
            QuarterlyFigure.history.order_by("history_id").values_list("history_id", "id", "status", "history_type")
        ),
        "users": list(get_user_model().objects.order_by("pk").values_list("username", "password", "is_superuser")),
        "downloads": downloads,
    }


def _seed():
    figure = FigureFactory(indicator=IndicatorFactory(), period_end=dt.date(2024, 3, 31), value=Decimal("120.5"))
    figure.status = QuarterlyFigure.Status.SUBMITTED
    figure.save()  # a second history row
    city = figure.indicator.plan.city
    staff = make_user("backup_staff", Role.BUREAU_STAFF, city=city)
    task = TaskFactory(plan=figure.indicator.plan)
    assignment = AssignmentFactory(task=task)
    TaskUpdateFactory(
        task=task,
        department=assignment.department,
        author=staff,
        evidence=ContentFile(b"%PDF-1.4 evidence of the task update", name="proof.pdf"),
        evidence_name="证明材料.pdf",
    )
    ExportJob.objects.create(
        kind=ExportJob.Kind.QUARTERLY,
        status=ExportJob.Status.DONE,
        requested_by=staff,
        plan=figure.indicator.plan,
        quarter_end=dt.date(2024, 3, 31),
        file=ContentFile(b"PK\x03\x04 an exported workbook", name="report.xlsx"),
        filename="通报.xlsx",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def _restore_target(tmp_path: Path):
    """An empty database of the same engine and an empty var folder, for a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT")}
    env.update(IPCITY_ENV_FILE="", IPCITY_VAR_DIR=str(tmp_path / "restored"), DJANGO_SETTINGS_MODULE="ipcity.settings")
    if connection.vendor != "postgresql":
        return env, None
    name = f"ipcity_restore_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
    env["DATABASE_URL"] = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    return env, name


def _manage(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_site_gives_back_every_row_and_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _seed()
    expected = json.loads(json.dumps(fingerprint()))
    assert len(expected["downloads"]) == 2 and all(status == 200 for status, _ in expected["downloads"].values())
    assert len(expected["figure_history"]) >= 2
    call_command("backup", "--dir", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("ipcity-backup-*.tar.gz")

    env, database = _restore_target(tmp_path)
    try:
        restore = _manage(["manage.py", "restore", str(archive)], env)
        assert restore.returncode == 0, restore.stderr
        assert "与备份清单一致" in restore.stdout
        code = "import django, json; "
        code += "django.setup(); from tests.ops import test_backup as t; print(json.dumps(t.fingerprint()))"
        restored = _manage(["-c", code], env)
        assert restored.returncode == 0, restored.stderr
        assert json.loads(restored.stdout) == expected

        again = _manage(["manage.py", "restore", str(archive)], env)
        assert again.returncode != 0 and "not empty" in again.stderr  # never over live data without --force
    finally:
        if database:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="not an ipcity backup"):
        call_command("restore", str(not_a_backup))
