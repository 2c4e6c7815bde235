"""`serve` (the end of ./bin/start): gunicorn with DEBUG off, hosts that follow the address served, and the
beat schedule in-process in the embedded default, so the nightly work is never silently absent."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from indicators.models import IndicatorProgress
from ops.management.commands.serve import parse_addrport, run_schedule_once, served_hosts
from tests.factories import FigureFactory, IndicatorFactory


@pytest.mark.django_db
def test_every_beat_entry_runs_in_process():
    indicator = IndicatorFactory()
    FigureFactory(indicator=indicator, period_end=dt.date(2024, 3, 31), value=Decimal("110"))
    assert run_schedule_once() == []
    assert IndicatorProgress.objects.filter(indicator=indicator).exists()


# --- the production server of ./bin/start --------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("addrport", "expected"),
    [
        ("8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:8000", ("0.0.0.0", 8000)),
        ("10.1.2.3:8080", ("10.1.2.3", 8080)),
        ("[::]:8000", ("::", 8000)),
    ],
)
def test_addrport_is_parsed(addrport, expected):
    assert parse_addrport(addrport) == expected


@pytest.mark.parametrize("addrport", ["0.0.0.0", "host:port", "127.0.0.1:70000"])
def test_a_bad_addrport_is_a_clear_error(addrport):
    with pytest.raises(CommandError, match="is not host:port"):
        parse_addrport(addrport)


def test_allowed_hosts_follow_the_address_served():
    """Regression: ADDR=0.0.0.0:8000 answered every other machine with 400 DisallowedHost."""
    assert served_hosts("10.1.2.3") == ["10.1.2.3"]
    anywhere = served_hosts("0.0.0.0")
    assert {"127.0.0.1", "localhost", socket.gethostname()} <= set(anywhere)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, host: str | None = None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_runs_gunicorn_without_debug_pages_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS")}
    env.update(IPCITY_ENV_FILE="", IPCITY_VAR_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(120):
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("serve did not answer in 60 s")
        assert status == 200 and headers["Server"].startswith("gunicorn")
        assert "知识产权强市建设" in body.decode()
        status, _, css = _get(f"http://127.0.0.1:{port}/static/ipcity/base.css")
        assert status == 200 and b".demo-banner" in css  # static files collected and served by whitenoise
        status, _, body = _get(f"http://127.0.0.1:{port}/accounts/login/", host="intruder.example")
        assert status == 400 and len(body) < 1000 and b"Traceback" not in body  # no debug page
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
    assert "ALLOWED_HOSTS = 127.0.0.1, localhost" in output
