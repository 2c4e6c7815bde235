"""One machine of a deployment, run as its own process from its own working directory: the web (migrates,
takes an evidence upload, records an export request; its broker is down, so the build waits for a worker),
the worker (builds the export, reads the evidence) or the web again (serves the download).

Used by test_shared_storage.py; prints one JSON object. Everything it stores goes through Django's storage
API; the only directory it shares with the other machines is MEDIA_ROOT (and the database).
"""

import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "ipcity.settings"

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role  # noqa: E402
from core.periods import Quarter  # noqa: E402
from reports.models import ExportJob  # noqa: E402
from reports.services import export_job_request  # noqa: E402
from reports.tasks import export_job_build_task  # noqa: E402
from tasks.models import TaskUpdate  # noqa: E402
from tests.factories import (  # noqa: E402
    AssignmentFactory,
    IndicatorFactory,
    PlanFactory,
    TaskFactory,
    TaskUpdateFactory,
    make_user,
)

EVIDENCE = b"%PDF-1.4 evidence uploaded on the web machine"


def web_upload() -> dict:
    call_command("migrate", verbosity=0)
    plan = PlanFactory()
    IndicatorFactory(plan=plan)
    staff = make_user("storage_staff", Role.BUREAU_STAFF, city=plan.city)
    task = TaskFactory(plan=plan)
    update = TaskUpdateFactory(
        task=task,
        department=AssignmentFactory(task=task).department,
        author=staff,
        evidence=ContentFile(EVIDENCE, name="proof.pdf"),
        evidence_name="证明材料.pdf",
    )
    with transaction.atomic():
        job = export_job_request(
            user=staff, kind=ExportJob.Kind.QUARTERLY, plan=plan, quarter=Quarter.of(plan.period_start)
        )
    job.refresh_from_db()
    return {"job": job.pk, "status": job.status, "update": update.pk, "evidence": update.evidence.name}


def worker_build(job_id: int, update_id: int) -> dict:
    export_job_build_task(job_id)
    job = ExportJob.objects.get(pk=job_id)
    evidence = TaskUpdate.objects.get(pk=update_id).evidence
    with default_storage.open(evidence.name, "rb") as handle:
        evidence_digest = hashlib.sha256(handle.read()).hexdigest()
    return {"status": job.status, "file": job.file.name, "evidence_sha256": evidence_digest}


def web_download(job_id: int) -> dict:
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    client = Client(HTTP_HOST="localhost")
    client.force_login(job.requested_by)
    response = client.get(f"/report-jobs/{job_id}/download/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {"status_code": response.status_code, "sha256": hashlib.sha256(body).hexdigest(), "zip": body[:2] == b"PK"}


if __name__ == "__main__":
    role, *numbers = sys.argv[1:]
    handlers = {"web-upload": web_upload, "worker-build": worker_build, "web-download": web_download}
    print(json.dumps(handlers[role](*map(int, numbers))))
