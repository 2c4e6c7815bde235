"""Several machines share stored files through the configured storage only: a web process and a worker,
each started from its own empty working directory with its own var folder, sharing nothing on disk but
MEDIA_ROOT (and a database). The worker builds the export the web recorded and reads the evidence the web
stored; the web then serves the worker's file. Each machine is tests/ops/storage_machine.py."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MACHINE = ROOT / "tests" / "ops" / "storage_machine.py"
DEAD_BROKER = "redis://127.0.0.1:9/0"  # nothing listens: the web's message is lost, the job waits as pending


def _machine(role: str, *args, cwd: Path, media: Path, database: str, broker: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT")}
    env.update(
        IPCITY_ENV_FILE="",
        IPCITY_VAR_DIR=str(cwd / "var"),
        MEDIA_ROOT=str(media),
        DATABASE_URL=database,
        PYTHONDONTWRITEBYTECODE="1",
    )
    if broker:
        env["REDIS_URL"] = broker
    result = subprocess.run(
        [sys.executable, str(MACHINE), role, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_a_worker_and_a_web_process_share_only_the_media_storage(tmp_path):
    web, worker, media, db = (tmp_path / name for name in ("web", "worker", "media", "db"))
    for folder in (web, worker, media, db):
        folder.mkdir()
    shared = {"media": media, "database": f"sqlite:///{db / 'ipcity.sqlite3'}"}

    recorded = _machine("web-upload", cwd=web, broker=DEAD_BROKER, **shared)
    assert recorded["status"] == "pending"  # not built on the web machine
    assert _files(media) == {recorded["evidence"]}

    built = _machine("worker-build", recorded["job"], recorded["update"], cwd=worker, **shared)
    assert built["status"] == "done"
    assert built["evidence_sha256"] == hashlib.sha256(b"%PDF-1.4 evidence uploaded on the web machine").hexdigest()
    assert _files(media) == {recorded["evidence"], built["file"]}

    served = _machine("web-download", recorded["job"], cwd=web, broker=DEAD_BROKER, **shared)
    assert served["status_code"] == 200 and served["zip"]
    assert served["sha256"] == hashlib.sha256((media / built["file"]).read_bytes()).hexdigest()
    # Neither machine kept a stored file in its own directory: only its own var (secret key, static files).
    for folder in (web, worker):
        assert {Path(name).parts[0] for name in _files(folder)} <= {"var"}
        assert not (folder / "var" / "media").exists()
