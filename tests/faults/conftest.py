"""The fault tests' stack: a Celery worker and gunicorn against the private PostgreSQL and Redis that
tests/faults/instances.py runs on ports 5440 and 6390 (.ci/run brings them up; without them these skip).

Beat is not run: its one-minute ticks (the recompute sweep, the export recovery) are sent by the tests
when they would have come, so a test waits seconds, not minutes.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection, connections

from tests.faults import instances

ROOT = Path(__file__).resolve().parents[2]
LOGS = instances.ROOT / "logs"
WEB_PORT = int(os.environ.get("FAULTS_WEB_PORT", "8790"))
EXPORT_TIME_LIMIT = 30


def wait_for(condition, seconds: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"{what}: not within {seconds} s")


def worker_answers() -> bool:
    from ipcity.celery import app

    try:
        return bool(app.control.inspect(timeout=0.5).ping())
    except Exception:  # the test's own broker connection, broken by a Redis restart, reconnects next time
        return False


class Process:
    """A child in its own process group, so kill -9 takes it and its pool children at once."""

    def __init__(self, name: str, argv: list[str], env: dict):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{name}-{time.monotonic_ns()}.log"
        self._file = self.log.open("w")
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill9(self):
        os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self):
        if self.popen.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._file.close()

    def text(self) -> str:
        self._file.flush()
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def stack_env(django_db_setup, django_db_blocker):
    if not os.environ.get("FAULTS_INSTANCES"):
        pytest.skip('needs the private instances: eval "$(python tests/faults/instances.py up)" (.ci/run does)')
    db = connection.settings_dict
    assert db["PORT"] in (instances.PG_PORT, str(instances.PG_PORT)), "fault tests run only on the private PostgreSQL"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": instances.REDIS_URL,
        "IPCITY_ENV_FILE": "",
        "DEBUG": "0",
        "CONN_MAX_AGE": "60",
        "REPORT_EXPORT_TIME_LIMIT": str(EXPORT_TIME_LIMIT),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


class Stack:
    def __init__(self, env):
        self.env = env
        self.processes: list[Process] = []

    def worker(self) -> Process:
        process = Process(
            "worker",
            [sys.executable, "-m", "celery", "-A", "ipcity", "worker", "-l", "info", "--concurrency", "2",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"faults{time.monotonic_ns()}@%h"],
            self.env,
        )  # fmt: skip
        self.processes.append(process)
        wait_for(worker_answers, 60, "worker answering")
        return process

    def web(self) -> Process:
        process = Process(
            "web",
            [sys.executable, "-m", "gunicorn", "ipcity.wsgi:application", "-b", f"127.0.0.1:{WEB_PORT}",
             "-w", "2", "--timeout", "30", "--graceful-timeout", "5"],
            self.env,
        )  # fmt: skip
        self.processes.append(process)
        wait_for(self._web_answers, 60, "gunicorn answering")
        return process

    @staticmethod
    def _web_answers() -> bool:
        try:
            return http("GET", "/accounts/login/", timeout=2).status == 200
        except OSError:
            return False

    def close(self):
        for process in reversed(self.processes):  # nothing to keep: no graceful shutdown to wait for
            if process.popen.poll() is None:
                process.kill9()
            process._file.close()


@pytest.fixture
def stack(stack_env):
    from ipcity.celery import app

    if not instances._listening(instances.REDIS_PORT):
        instances.redis_start()
    app.control.purge()
    stack = Stack(stack_env)
    yield stack
    stack.close()
    if not instances._listening(instances.PG_PORT):
        instances.pg_start()
    connections.close_all()


def http(method: str, path: str, token: str | None = None, data: dict | None = None, timeout: float = 30):
    """One request to gunicorn: status, body text, JSON when there is some, seconds taken."""
    request = urllib.request.Request(f"http://127.0.0.1:{WEB_PORT}{path}", method=method)
    request.add_header("Accept", "application/json" if path.startswith("/api/") else "text/html")
    if token:
        request.add_header("Authorization", f"Token {token}")
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, body, timeout=timeout) as response:
            status, text = response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    return SimpleNamespace(status=status, text=text, json=payload, seconds=time.monotonic() - started)


# --- The data: one plan with many indicators, a history of approved figures, a quarter awaiting review ----


def build_world(indicators: int, awaiting: int):
    """Bulk-built (factories per row would take minutes): `indicators` stocks with approved figures for
    every closed quarter but the last, and the last one submitted for `awaiting` of them."""
    from rest_framework.authtoken.models import Token

    from accounts.models import Role
    from core.periods import closed_quarters
    from indicators import recompute
    from indicators.models import Indicator, QuarterlyFigure
    from indicators.services import today
    from tests.factories import IndicatorFactory, PlanFactory, make_user

    plan = PlanFactory()
    first = IndicatorFactory(plan=plan, code="F0000", order=0)
    rows = [
        Indicator(
            plan=plan, code=f"F{n:04d}", order=n, category=first.category, name=f"故障测试指标{n}", unit="件",
            measure_type=first.measure_type, target_form=first.target_form, target_value=Decimal(200 + n % 50),
            target_date=first.target_date, base_value=Decimal(100), base_year=2023,
            lead_department=first.lead_department,
        )
        for n in range(1, indicators)
    ]  # fmt: skip
    all_indicators = [first, *Indicator.objects.bulk_create(rows)]
    last, *history = closed_quarters(plan.period_start, plan.period_end, today=today())  # newest first
    history.reverse()
    staff = make_user(f"staff{plan.pk}", Role.BUREAU_STAFF, city=plan.city)
    reviewer = make_user(f"reviewer{plan.pk}", Role.REVIEWER, city=plan.city)
    figures = [
        QuarterlyFigure(
            indicator=indicator, period_end=quarter.end, value=Decimal(100 + (n % 7 + 2) * i),
            status=QuarterlyFigure.Status.APPROVED, source="故障测试",
        )
        for n, indicator in enumerate(all_indicators)
        for i, quarter in enumerate(history, start=1)
    ]  # fmt: skip
    submitted = [
        QuarterlyFigure(
            indicator=indicator, period_end=last.end, value=Decimal(150 + n), status=QuarterlyFigure.Status.SUBMITTED,
            submitted_by=staff, created_by=staff, submitted_at=dt.datetime.now(dt.UTC), source="故障测试",
        )
        for n, indicator in enumerate(all_indicators[:awaiting])
    ]  # fmt: skip
    QuarterlyFigure.objects.bulk_create(figures + submitted, batch_size=2000)
    recompute.recompute_mark(indicator_ids=[i.pk for i in all_indicators])  # as their approvals did
    return SimpleNamespace(
        plan=plan,
        indicator_ids=[i.pk for i in all_indicators],
        awaiting=list(
            QuarterlyFigure.objects.filter(status=QuarterlyFigure.Status.SUBMITTED, indicator__plan=plan)
            .order_by("indicator__order")
            .values_list("pk", "indicator_id")
        ),
        last_quarter=last,
        staff_token=Token.objects.create(user=staff).key,
        reviewer_token=Token.objects.create(user=reviewer).key,
    )
