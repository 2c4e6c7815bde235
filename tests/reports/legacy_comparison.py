"""The comparison workbook as it was built before write-only mode (every row in memory), kept only to prove
the streamed workbook reads the same; removed once it does."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import progress
from core.periods import Quarter
from core.status import STATUS_ORDER
from indicators.models import Indicator
from indicators.selectors import catalogue_labels, stored_progress
from plans.models import City, Plan
from plans.selectors import current_plan
from reports.workbooks import (
    _MUTED_FONT,
    DATE,
    INTEGER,
    PERCENT,
    Column,
    Styled,
    Table,
    _facts,
    _percent,
    _print_setup,
    _section,
    _write,
    number,
    status_cell,
)


@dataclass(frozen=True)
class ComparisonRow:
    indicator: Indicator
    result: progress.Progress

    @property
    def gap(self) -> float | None:
        """Progress minus expected progress: how far ahead of (or behind) its own calendar a city is."""
        p, e = self.result.progress, self.result.expected
        return None if p is None or e is None else p - e


@dataclass
class ComparisonReport:
    quarter: Quarter
    generated_on: dt.date
    labels: dict[str, str]  # catalogue key -> Chinese name, in column order
    plans: list[Plan]
    rows: list[ComparisonRow]  # by catalogue key, then city

    @property
    def as_of(self) -> dt.date:
        return self.quarter.end

    def by_plan_and_key(self) -> dict[tuple[int, str], ComparisonRow]:
        """The first indicator of each key in each plan (in plan order): one cell of the summary sheet."""
        cells = {}
        for row in self.rows:
            cells.setdefault((row.indicator.plan_id, row.indicator.catalogue_key), row)
        return cells


def comparison_report(
    *, cities: QuerySet[City], quarter: Quarter, catalogue_key: str = "", today: dt.date | None = None
) -> ComparisonReport:
    """Like indicators (same catalogue key) of each city's current plan as of the quarter's end, read as the
    comparison dashboard reads them (stored_progress), for every key at once in a fixed number of queries."""
    as_of = quarter.end
    plans_by_city = defaultdict(list)
    for plan in Plan.objects.filter(city__in=cities).select_related("city").order_by("city__code", "period_start"):
        plans_by_city[plan.city_id].append(plan)
    plans = [current_plan(city_plans, as_of) for city_plans in plans_by_city.values()]
    indicators = (
        Indicator.objects.filter(plan__in=[p.pk for p in plans])
        .exclude(catalogue_key="")
        .select_related("plan__city", "lead_department", "target_group")
        .prefetch_related("lead_links__department")
        .order_by("catalogue_key", "plan__city__code", "order")
    )
    if catalogue_key:
        indicators = indicators.filter(catalogue_key=catalogue_key)
    indicators = list(indicators)
    results = stored_progress(indicators, as_of=as_of)
    compared = {i.plan_id for i in indicators}
    return ComparisonReport(
        quarter=quarter,
        generated_on=today or timezone.localdate(),
        labels=catalogue_labels(Indicator.objects.filter(pk__in=[i.pk for i in indicators])),
        plans=[p for p in plans if p.pk in compared],
        rows=[ComparisonRow(i, results[i.pk]) for i in indicators],
    )


def comparison_workbook(report: ComparisonReport) -> Workbook:
    """说明 (what is compared), 对比总表 (cities × indicators, progress by status), 对比明细 (every row)."""
    workbook = Workbook()
    header = _("知识产权强市建设跨城市指标对比（截至%(quarter)s末）") % {"quarter": report.quarter.label}
    _comparison_cover(workbook.active, report, header)
    _comparison_summary(workbook.create_sheet(_("对比总表")), report, header)
    _comparison_detail(workbook.create_sheet(_("对比明细")), report, header)
    workbook.properties.title = header
    workbook.properties.creator = "ipcity"
    return workbook


def _comparison_cover(ws: Worksheet, report: ComparisonReport, header: str):
    ws.title = _("说明")
    table = Table(ws)
    table.title(header, 8)
    row = _facts(
        ws,
        [
            (_("统计截至"), f"{report.as_of:%Y-%m-%d}", None),
            (_("城市数（个）"), len({p.city_id for p in report.plans}), INTEGER),
            (_("方案数（个）"), len(report.plans), INTEGER),
            (_("对比指标（类）"), len(report.labels), INTEGER),
            (
                _("比较口径"),
                _("各城市单位、实施期限不同，按指标进度（由基期到目标完成的比例）和与应达进度之差比较；颜色表示状态。"),
                None,
            ),
            (_("生成日期"), f"{report.generated_on:%Y-%m-%d}", None),
        ],
        start_row=3,
        last_column=8,
        table=table,
    )
    row += 2
    _section(ws, row, _("状态图例"))
    table.write([Column(_("状态"), max_width=12)], [[status_cell(s)] for s in STATUS_ORDER], start_row=row + 1)
    table.fit()
    _print_setup(ws, header, title_rows=None)


def _comparison_summary(ws: Worksheet, report: ComparisonReport, header: str):
    """One row per like indicator, the cities side by side: each cell the city's progress, coloured by status."""
    columns = [Column(_("对比指标"), max_width=24), Column(_("城市数\n（个）"), INTEGER, max_width=8)]
    columns += [
        Column(
            f"{plan.city.name}\n{plan.period_start.year}—{plan.period_end.year}", PERCENT, min_width=10, max_width=12
        )
        for plan in report.plans
    ]
    cells = report.by_plan_and_key()
    rows = []
    for key, label in report.labels.items():
        values = [label, sum((plan.pk, key) in cells for plan in report.plans)]
        for plan in report.plans:
            row = cells.get((plan.pk, key))
            if row is None:
                values.append(None)
            elif row.result.progress is None:
                values.append(status_cell(row.result.status))
            else:
                values.append(Styled(row.result.progress, status=row.result.status, number_format=PERCENT))
        rows.append(values)
    table = Table(ws)
    last = table.write(columns, rows)
    note = _("单元格为指标进度（%），颜色为状态；无进度的指标显示状态；空白为该市方案无此类指标。")
    _write(ws, last + 2, 1, note).font = _MUTED_FONT
    table.fit()
    ws.freeze_panes = "C2"
    _print_setup(ws, header)


def _comparison_detail(ws: Worksheet, report: ComparisonReport, header: str):
    columns = [
        Column(_("对比指标"), max_width=18),
        Column(_("城市"), max_width=10),
        Column(_("指标名称\n（原文）"), max_width=24),
        Column(_("单位"), max_width=8),
        Column(_("基期值"), max_width=12),
        Column(_("目标值"), max_width=12),
        Column(_("当前值"), max_width=12),
        Column(_("判定口径"), max_width=10),
        Column(_("本季度数值"), max_width=12),
        Column(_("数据日期"), DATE, max_width=12),
        Column(_("应达进度\n（%）"), PERCENT, max_width=10),
        Column(_("指标进度\n（%）"), PERCENT, max_width=10),
        Column(_("进度差\n（百分点）"), "0.0", max_width=10),
        Column(_("状态"), max_width=10),
        Column(_("判断依据"), max_width=36),
        Column(_("牵头单位"), max_width=16),
    ]
    rows = []
    for row in report.rows:
        indicator, result = row.indicator, row.result
        rows.append(
            [
                report.labels[indicator.catalogue_key],
                indicator.plan.city.name,
                indicator.name,
                indicator.unit,
                number(result.base),
                number(result.end_target),
                number(result.current),
                progress.basis_label(result.basis),
                number(result.period_value) if progress.period_value_label(result.basis, indicator.frequency) else None,
                result.data_date,
                _percent(result.expected),
                _percent(result.progress),
                None if row.gap is None else row.gap * 100,
                status_cell(result.status),
                result.reason,
                indicator.lead_names,
            ]
        )
    table = Table(ws)
    table.write(columns, rows)
    table.fit()
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    _print_setup(ws, header)
