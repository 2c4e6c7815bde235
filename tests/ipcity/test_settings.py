"""The production mode refuses unsafe settings; the embedded default needs nothing set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IPCITY_PRODUCTION": "1", "DEBUG": "1", "SECRET_KEY": "x" * 50}, "refuses DEBUG=1"),
        ({"IPCITY_PRODUCTION": "1"}, "needs SECRET_KEY"),
        ({"IPCITY_PRODUCTION": "1", "SECRET_KEY": "short"}, "needs SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
    ],
)
def test_unsafe_settings_refuse_to_start(env, message):
    result = _check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_with_real_secret_starts():
    result = _check({"IPCITY_PRODUCTION": "1", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_embedded_default_uses_sqlite_and_eager_tasks():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='ipcity.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "zh-hans", "Asia/Shanghai"]
