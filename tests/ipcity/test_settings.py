"""Settings from the environment and .env: the production mode refuses unsafe settings, SITE_URL's scheme
chooses plain HTTP or HTTPS behind a proxy, and the embedded default needs nothing set."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "k7Qv2pXw9Lr4Tz8Ny1Bm6Hc3Jd5Fg0Sa-Ue_Wi7Oo2Pq9Rt4Yx8Zb"
# Variables a developer's shell or CI may carry; each test states the ones it means.
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "IPCITY_PRODUCTION",
    "SITE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
)


# Set by the browser tests in the same worker process; a deployment never has it (check --deploy: async.E001).
TEST_ONLY_VARIABLES = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def _env(env: dict, tmp_path: Path) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES + TEST_ONLY_VARIABLES}
    return {**clean, "IPCITY_ENV_FILE": "", "IPCITY_VAR_DIR": str(tmp_path), **env}


def _manage(args: list[str], env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(env, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(names: list[str], env: dict, tmp_path: Path) -> dict:
    code = (
        "import django,json,os;os.environ['DJANGO_SETTINGS_MODULE']='ipcity.settings';django.setup();"
        "from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(env, tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _example_secret_key() -> str:
    return re.search(r"^SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.M).group(1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IPCITY_PRODUCTION": "1", "DEBUG": "1", "SECRET_KEY": REAL_KEY}, "refuses DEBUG=1"),
        ({"IPCITY_PRODUCTION": "1"}, "needs SECRET_KEY"),
        ({"IPCITY_PRODUCTION": "1", "SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"IPCITY_PRODUCTION": "1", "SECRET_KEY": "s" * 50}, "at least 50 random characters"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"TASK_EVIDENCE_MAX_MB": "ten"}, "TASK_EVIDENCE_MAX_MB must be a whole number"),
        ({"SITE_URL": "ipcity.example.gov.cn"}, "SITE_URL must look like"),
        ({"IPCITY_ENV_FILE": "/nonexistent/ipcity.env"}, "is not a file"),
    ],
)
def test_unsafe_settings_refuse_to_start(env, message, tmp_path):
    result = _manage(["check"], env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_placeholder_key_of_env_example_is_refused(tmp_path):
    """Regression: the 50-character placeholder used to pass the production check."""
    result = _manage(["check"], {"IPCITY_PRODUCTION": "1", "SECRET_KEY": _example_secret_key()}, tmp_path)
    assert result.returncode != 0
    assert "placeholder" in result.stderr
    padded = _example_secret_key() + "x7Gq2Lm9Rt4Vb8Nz1Kc6Hd3Jf5Sw0Pa-Ue_Yi7Oo2"
    assert "placeholder" in _manage(["check"], {"IPCITY_PRODUCTION": "1", "SECRET_KEY": padded}, tmp_path).stderr


def test_env_example_lists_every_setting_read():
    """Every variable the settings read is in .env.example, so a deployer sees all of them in one file."""
    source = (ROOT / "ipcity/settings/__init__.py").read_text()
    read = set(re.findall(r'env(?:bool|int|list)?\("([A-Z_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set()


def test_https_behind_a_proxy_passes_check_deploy(tmp_path):
    env = {
        "IPCITY_PRODUCTION": "1",
        "SECRET_KEY": REAL_KEY,
        "SITE_URL": "https://ipcity.example.gov.cn",
        "EMAIL_HOST": "mail.example.gov.cn",
    }
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    values = _settings(
        ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT"]
        + ["SECURE_HSTS_SECONDS", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "EMAIL_BACKEND"],
        env,
        tmp_path,
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert "ipcity.example.gov.cn" in values["ALLOWED_HOSTS"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://ipcity.example.gov.cn"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_plain_http_keeps_cookies_usable_and_warns(tmp_path):
    """Regression: Secure cookies over plain HTTP made every login fail with a CSRF error."""
    env = {"IPCITY_PRODUCTION": "1", "SECRET_KEY": REAL_KEY, "SITE_URL": "http://10.20.30.40:8000"}
    values = _settings(
        ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "HTTPS"], env, tmp_path
    )
    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "HTTPS": False,
    }
    result = _manage(["check"], env, tmp_path)
    assert "ipcity.W001" in result.stderr and "ipcity.W002" in result.stderr  # plain HTTP, console e-mail


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "ipcity.env"
    env_file.write_text("SITE_URL=https://from-file.example.gov.cn\nREPORT_EXPORT_TTL_HOURS=48\nDEBUG=1\n")
    values = _settings(
        ["SITE_URL", "REPORT_EXPORT_TTL_HOURS", "DEBUG"], {"IPCITY_ENV_FILE": str(env_file), "DEBUG": "0"}, tmp_path
    )
    assert values == {"SITE_URL": "https://from-file.example.gov.cn", "REPORT_EXPORT_TTL_HOURS": 48, "DEBUG": False}


def test_production_with_real_secret_starts(tmp_path):
    result = _manage(["check"], {"IPCITY_PRODUCTION": "1", "SECRET_KEY": REAL_KEY}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_embedded_default_uses_sqlite_eager_tasks_no_debug_and_a_private_key(tmp_path):
    names = ["DATABASES", "CELERY_TASK_ALWAYS_EAGER", "LANGUAGE_CODE", "TIME_ZONE", "DEBUG", "SECRET_KEY"]
    values = _settings(names, {}, tmp_path)
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert [values[n] for n in names[1:5]] == [True, "zh-hans", "Asia/Shanghai", False]
    key_file = tmp_path / "secret_key"
    assert values["SECRET_KEY"] == key_file.read_text() and len(values["SECRET_KEY"]) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert _settings(["SECRET_KEY"], {}, tmp_path)["SECRET_KEY"] == values["SECRET_KEY"]  # kept across starts
