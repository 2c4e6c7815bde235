"""One city's quarterly workbook (target ≤ 1 s on PostgreSQL, a fixed query count) and its Word 通报 at
national scale, and the cross-city comparison workbook of every synthetic city (a background job: its target
is memory, ≤ 100 MiB whatever the number of cities — written in write-only mode from chunks of rows, it took
1.5 GB at 3,000 cities when built in memory).

The synthetic generator makes tasks but no task reports; this section adds a quarter's reports for every
synthetic task (so the task sheet has states and late departments to read) inside a transaction it rolls
back, so the synthetic data stays as generated.
"""

import datetime as dt
import io
import random

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from core.periods import closed_quarters
from ops.benchmarks import Row, measure
from plans.models import City, Plan
from reports import bulletin, selectors, workbooks
from tasks.models import TaskAssignment, TaskUpdate


def _build(plan: Plan, quarter, user) -> bytes:
    """What an export job does between claiming the job and storing the file."""
    report = selectors.quarterly_report(plan=plan, quarter=quarter, user=user)
    buffer = io.BytesIO()
    workbooks.quarterly_workbook(report).save(buffer)
    return buffer.getvalue()


def _bulletin(plan: Plan, quarter, user) -> bytes:
    """What a 通报 export job does between claiming the job and storing the file (the Word document)."""
    report = selectors.quarterly_report(plan=plan, quarter=quarter, user=user)
    return bulletin.document_bytes(bulletin.compose(report), report)


def _comparison(cities, quarter) -> int:
    """What the comparison export job does between claiming the job and storing the file; its size."""
    buffer = io.BytesIO()
    workbooks.comparison_workbook(selectors.comparison_report(cities=cities, quarter=quarter)).save(buffer)
    return len(buffer.getvalue())


def _task_reports(quarters, author: User, rng: random.Random) -> int:
    """Each synthetic task's departments report on the quarters, some late, some never."""
    assignments = TaskAssignment.objects.filter(task__plan__city__is_synthetic=True).values_list(
        "task_id", "department_id"
    )
    updates = []
    for task_id, department_id in assignments:
        for quarter in quarters:
            roll = rng.random()
            if roll < 0.1:
                continue  # never reported: 逾期未报
            on = quarter.end + dt.timedelta(days=rng.randint(3, 12) if roll > 0.2 else rng.randint(20, 40))
            updates.append(
                TaskUpdate(
                    task_id=task_id,
                    department_id=department_id,
                    quarter_end=quarter.end,
                    author=author,
                    state=rng.choice(TaskUpdate.State.values),
                    text="合成进展。",
                    created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10))),
                )
            )
    TaskUpdate.objects.bulk_create(updates, batch_size=5000)
    return len(updates)


def run(write, repeat: int = 7) -> list[Row]:
    plan = Plan.objects.filter(city__is_synthetic=True).select_related("city").order_by("code").first()
    if plan is None:
        write("reports: no synthetic data")
        return []
    today = timezone.localdate()
    quarters = closed_quarters(plan.period_start, plan.period_end, today=today)
    quarter = quarters[0]
    with transaction.atomic():
        author = User.objects.create(username="benchmark-reports")
        count = _task_reports(quarters, author, random.Random(1))
        if connection.vendor == "postgresql":
            # Fresh bulk inserts have no planner statistics yet; autovacuum gives a live database them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        reader = User(username="benchmark-admin", is_superuser=True)  # sees every city and every report
        sizes = []
        workbook = measure(
            f"{plan.city.code} quarterly workbook as of {quarter} ({plan.indicators.count()} indicators, "
            f"{plan.tasks.count()} tasks, {count} task reports in the database)",
            lambda: sizes.append(len(_build(plan, quarter, reader))),
            repeat=repeat,
        )
        workbook.operation += f", {sizes[-1] // 1024} KiB"
        workbook.target, workbook.met = "≤ 1 s", workbook.median <= 1000
        bulletin_sizes = []
        written = measure(
            f"{plan.city.code} Word 通报 as of {quarter} (sentences, charts, status table)",
            lambda: bulletin_sizes.append(len(_bulletin(plan, quarter, reader))),
            repeat=max(1, repeat // 2),
        )
        written.operation += f", {bulletin_sizes[-1] // 1024} KiB"

        cities = City.objects.filter(is_synthetic=True)
        compared = []
        comparison = measure(
            f"cross-city comparison workbook as of {quarter} ({cities.count()} cities, every key; a background job)",
            lambda: compared.append(_comparison(cities, quarter)),
            repeat=1,
            warm=False,
        )
        comparison.operation += f", {compared[-1] // 1024} KiB"
        comparison.target, comparison.met = "peak ≤ 100 MiB", comparison.peak_mib <= 100
        transaction.set_rollback(True)
    return [workbook, written, comparison]
