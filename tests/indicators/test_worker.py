"""Through a real Redis broker and Celery worker: approving a figure changes the stored status.

Marked `worker`: .ci/run runs these against the local Redis and PostgreSQL (the worker process must see
the test database, so SQLite's in-memory test database cannot serve).
"""

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Role
from core.periods import Quarter
from figures import services as figures
from indicators.models import IndicatorProgress, LagFlag, QuarterlyFigure
from indicators.services import indicator_progress_recompute, today
from indicators.tasks import indicator_recompute_task
from tests.factories import FigureFactory, IndicatorFactory, make_user

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs REDIS_URL (a real Redis broker); .ci/run runs these with one")
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs DATABASE_URL=postgres://… so the worker process can see the test database")
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "0"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ipcity",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "2",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    from ipcity.celery import app

    app.control.purge()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not app.control.inspect(timeout=1).ping():
        time.sleep(0.5)
    yield process
    process.terminate()
    process.wait(timeout=30)


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_approving_a_figure_through_the_worker_changes_the_stored_status(worker):
    indicator = IndicatorFactory()
    city = indicator.plan.city
    staff = make_user("staff", Role.BUREAU_STAFF, city=city)
    reviewer = make_user("reviewer", Role.REVIEWER, city=city)
    last_quarter = _last_closed_quarter_with_deadline_passed(indicator.plan.reporting_lag_days)
    FigureFactory(
        indicator=indicator, period_end=dt.date(indicator.plan.period_start.year, 3, 31), value=Decimal("101")
    )
    indicator_progress_recompute(indicator_ids=[indicator.pk])
    before = IndicatorProgress.objects.get(indicator=indicator).status
    assert before == "overdue_report"

    submitted = FigureFactory(
        indicator=indicator,
        period_end=last_quarter,
        value=Decimal("199"),
        status=QuarterlyFigure.Status.SUBMITTED,
        submitted_by=staff,
        created_by=staff,
    )
    figures.figure_approve(user=reviewer, figure=submitted)

    assert _wait_for(lambda: IndicatorProgress.objects.get(indicator=indicator).status != before), (
        worker.stdout.read() if worker.poll() is not None else "worker did not recompute in time"
    )
    assert IndicatorProgress.objects.get(indicator=indicator).status == "on_track"


def test_two_recomputes_at_once_leave_one_flag(worker):
    indicator = IndicatorFactory(target_value=Decimal("1000"))
    FigureFactory(
        indicator=indicator, period_end=dt.date(indicator.plan.period_start.year, 3, 31), value=Decimal("101")
    )
    results = [indicator_recompute_task.delay(indicator.pk) for _ in range(4)]
    for result in results:
        result.get(timeout=60)
    assert IndicatorProgress.objects.filter(indicator=indicator).count() == 1
    assert LagFlag.objects.filter(indicator=indicator, cleared_on__isnull=True).count() == 1


def _last_closed_quarter_with_deadline_passed(lag_days: int) -> dt.date:
    quarter = Quarter.last_closed(today())
    if quarter.end + dt.timedelta(days=lag_days) >= today():
        quarter = quarter.previous
    return quarter.end
