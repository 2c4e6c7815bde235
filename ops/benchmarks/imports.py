"""The 1,000-row history import: upload (checks and parse), preview and confirm (validate, save, submit)
of a filled history template, target ≤ 2 s for validating and saving on SQLite and PostgreSQL.

It builds its own plan (50 indicators × 20 closed quarters) inside a transaction it rolls back, so it
needs no synthetic data and leaves nothing behind.
"""

import datetime as dt
import io
import statistics
import time

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Profile, Role
from figures import excel, imports
from indicators.models import Indicator, MeasureType, TargetForm
from plans.models import City, Department, Plan

INDICATORS = 50
PERIOD = (dt.date(2021, 1, 1), dt.date(2025, 12, 31))  # 20 quarters, all closed


def _world():
    city = City.objects.create(code="bench-import", name="导入基准市")
    owner = Department.objects.create(city=city, name="市市场监管局", is_programme_owner=True)
    plan = Plan.objects.create(
        city=city, code="bench-import", title="导入基准方案", period_start=PERIOD[0], period_end=PERIOD[1]
    )
    Indicator.objects.bulk_create(
        Indicator(
            plan=plan,
            code=f"H{n:03d}",
            order=n,
            category="知识产权创造",
            name=f"基准指标{n}",
            unit="件",
            measure_type=MeasureType.STOCK,
            target_form=TargetForm.ABSOLUTE,
            target_value=200,
            target_date=PERIOD[1],
            base_value=100,
            base_year=2020,
            lead_department=owner,
        )
        for n in range(INDICATORS)
    )
    user = User.objects.create(username="benchmark-imports")
    Profile.objects.create(user=user, role=Role.BUREAU_STAFF, city=city)
    return plan, user


def _filled_template(plan) -> bytes:
    workbook = load_workbook(io.BytesIO(imports.history_template(plan=plan)))
    sheet = workbook.worksheets[0]
    value_column = 1 + [c.field for c in excel.HISTORY_COLUMNS].index("value")
    source_column = 1 + [c.field for c in excel.HISTORY_COLUMNS].index("source")
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        sheet.cell(row=row, column=value_column, value=100 + row / 10)  # rising: a stock that falls needs a comment
        sheet.cell(row=row, column=source_column, value="历年统计公报")
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _once(plan, user, content: bytes) -> tuple[float, float, float, int, int]:
    with transaction.atomic():
        started = time.perf_counter()
        upload = imports.figure_import_upload(
            user=user, plan=plan, kind="history", quarter=None, name="历史.xlsx", content=content
        )
        uploaded = time.perf_counter()
        preview = imports.figure_import_preview(upload=upload)
        previewed = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            confirmed = imports.figure_import_confirm(user=user, upload=upload)
        done = time.perf_counter()
        assert preview.ok and upload.saved_rows == preview.writes, [r.errors for r in confirmed.rows if r.errors][:3]
        transaction.set_rollback(True)
    return uploaded - started, previewed - uploaded, done - previewed, upload.saved_rows, len(ctx.captured_queries)


def run(write, repeat: int = 3):
    with transaction.atomic():
        plan, user = _world()
        content = _filled_template(plan)
        runs = [_once(plan, user, content) for _ in range(repeat)]
        transaction.set_rollback(True)
    upload, preview, confirm = (statistics.median(r[i] for r in runs) for i in range(3))
    rows, queries = runs[-1][3], runs[-1][4]
    write(
        f"imports: history import of {rows} rows ({len(content) // 1024} KiB) on {connection.vendor}: "
        f"upload {upload:.2f} s, preview {preview:.2f} s, confirm (validate, save, submit) {confirm:.2f} s "
        f"in {queries} queries (medians of {repeat}), target ≤ 2 s to validate and save"
    )
