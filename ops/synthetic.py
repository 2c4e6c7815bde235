"""National-scale synthetic data for benchmarks: seeded, flagged, never mixed with the five real plans.

Cities are created with is_synthetic=True and codes starting "syn-"; everything else hangs off them, so
removing them removes it all. The indicator mix cycles through every measure type and target form, and
the figures have gaps (missing quarters) and corrections (superseded versions), like real use.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from core.periods import quarters_between
from indicators.models import Indicator, MeasureType, QuarterlyFigure, TargetForm
from plans.models import City, Department, Plan
from tasks.models import Task, TaskAssignment

SYNTHETIC_PREFIX = "syn-"

# (measure type, target form, unit, target, base, base year): every combination found in the five plans.
INDICATOR_SHAPES = [
    (MeasureType.STOCK, TargetForm.ABSOLUTE, "件", 200, 120, 2023),
    (MeasureType.STOCK, TargetForm.ABSOLUTE, "万件", 28, None, None),
    (MeasureType.STOCK, TargetForm.COMPOUND_GROWTH, "件", 8, 10, 2023),
    (MeasureType.STOCK, TargetForm.COMPOUND_GROWTH, "件", 8, None, 2023),
    (MeasureType.STOCK, TargetForm.GROWTH_SINCE_BASE, "件", 20, 50, 2023),
    (MeasureType.FLOW, TargetForm.ABSOLUTE, "家", 600, None, None),
    (MeasureType.FLOW, TargetForm.PER_YEAR_INCREMENT, "家", 3, None, None),
    (MeasureType.FLOW, TargetForm.MILESTONE, "个", 1, None, None),
    (MeasureType.ANNUAL, TargetForm.ABSOLUTE, "亿元", 16, 7.75, 2023),
    (MeasureType.ANNUAL, TargetForm.COMPOUND_GROWTH, "亿元", 30, 5, 2023),
    (MeasureType.RATE, TargetForm.THRESHOLD, "%", 90, None, None),
    (MeasureType.RATE, TargetForm.ABSOLUTE, "%", 17, 12, 2023),
    (MeasureType.STOCK, TargetForm.QUALITATIVE, "", None, None, None),
]
CATEGORIES = ["知识产权创造", "知识产权运用", "知识产权保护", "知识产权管理", "知识产权服务", "知识产权人才"]


CHUNK = 100  # cities built and saved at a time, so memory stays flat however many cities are asked for


def synthetic_generate(*, cities: int = 300, indicators_per_city: int = 30, quarters: int = 12, seed: int = 1) -> dict:
    """Create `cities` synthetic cities, each with one plan of `quarters` quarters ending at the latest."""
    rng = random.Random(seed)
    totals = {"cities": 0, "indicators": 0, "figures": 0, "tasks": 0}
    with transaction.atomic():
        synthetic_remove()
        for first in range(0, cities, CHUNK):
            counts = _generate_cities(range(first, min(cities, first + CHUNK)), indicators_per_city, quarters, rng)
            for key, value in counts.items():
                totals[key] += value
    return totals


def _generate_cities(numbers: range, indicators_per_city: int, quarters: int, rng: random.Random) -> dict:
    city_rows = City.objects.bulk_create(
        [
            City(code=f"{SYNTHETIC_PREFIX}{n:04d}", name=f"合成市{n:04d}", province="合成省", is_synthetic=True)
            for n in numbers
        ]
    )
    owners = Department.objects.bulk_create(
        [Department(city=c, name="市市场监管局", is_programme_owner=True) for c in city_rows]
    )
    partners = Department.objects.bulk_create(
        [Department(city=c, name=name) for c in city_rows for name in ("市财政局", "市科技局", "各县(市)区政府")]
    )
    plans = Plan.objects.bulk_create(
        [
            Plan(
                city=c,
                code=f"{c.code}-plan",
                title=f"{c.name}知识产权强市建设试点工作方案（合成）",
                period_start=dt.date(2024, 1, 1),
                period_end=dt.date(2026, 12, 31),
            )
            for c in city_rows
        ]
    )
    indicators = Indicator.objects.bulk_create(
        [
            _indicator(plan, owner, n)
            for plan, owner in zip(plans, owners, strict=True)
            for n in range(indicators_per_city)
        ],
        batch_size=2000,
    )
    figures = QuarterlyFigure.objects.bulk_create(
        [f for i in indicators for f in _figures(i, quarters, rng)], batch_size=5000
    )
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                section="二、",
                number=str(n + 1),
                order=n,
                title=f"合成任务{n + 1}",
                text="合成任务内容。",
            )
            for plan in plans
            for n in range(10)
        ],
        batch_size=2000,
    )
    by_city = {}
    for dept in partners:
        by_city.setdefault(dept.city_id, []).append(dept)
    assignments = []
    for task in tasks:
        lead, *others = by_city[task.plan.city_id]
        assignments.append(TaskAssignment(task=task, department=lead, role=TaskAssignment.Role.LEAD))
        assignments.append(
            TaskAssignment(task=task, department=others[int(task.number) % 2], role=TaskAssignment.Role.RESPONSIBLE)
        )
    TaskAssignment.objects.bulk_create(assignments, batch_size=5000)
    return {"cities": len(city_rows), "indicators": len(indicators), "figures": len(figures), "tasks": len(tasks)}


def synthetic_remove() -> int:
    deleted, _ = City.objects.filter(is_synthetic=True).delete()
    return deleted


def _indicator(plan: Plan, owner: Department, n: int) -> Indicator:
    measure, form, unit, target, base, base_year = INDICATOR_SHAPES[n % len(INDICATOR_SHAPES)]
    return Indicator(
        plan=plan,
        code=f"S-{n + 1:02d}",
        order=n,
        category=CATEGORIES[n % len(CATEGORIES)],
        name=f"合成指标{n + 1:02d}",
        unit=unit,
        measure_type=measure,
        target_form=form,
        target_value=None if target is None else Decimal(str(target)),
        target_date=plan.period_end,
        base_value=None if base is None else Decimal(str(base)),
        base_year=base_year,
        is_ratio=form == TargetForm.THRESHOLD,
        lead_department=owner,
        catalogue_key=f"synthetic_{n % 13:02d}",
    )


def _figures(indicator: Indicator, quarters: int, rng: random.Random) -> list[QuarterlyFigure]:
    if indicator.target_form == TargetForm.QUALITATIVE:
        return []
    out = []
    level = float(indicator.base_value or 10)
    pace = rng.uniform(0.5, 1.3)
    plan = indicator.plan
    for period_end in [q.end for q in quarters_between(plan.period_start, plan.period_end)][:quarters]:
        if rng.random() < 0.08:
            continue  # a gap: the quarter was never reported
        if indicator.measure_type == MeasureType.RATE:
            denominator = rng.randint(20, 200)
            numerator = min(denominator, round(denominator * rng.uniform(0.8, 1.0)))
            value, num, den = Decimal(numerator * 100) / denominator, Decimal(numerator), Decimal(denominator)
        else:
            level += pace * rng.uniform(0.5, 1.5)
            value, num, den = (
                Decimal(
                    str(
                        round(level if indicator.measure_type == MeasureType.STOCK else pace * rng.uniform(0.5, 1.5), 3)
                    )
                ),
                None,
                None,
            )
        corrected = rng.random() < 0.05
        out.append(
            QuarterlyFigure(
                indicator=indicator,
                period_end=period_end,
                version=1,
                value=value,
                numerator=num,
                denominator=den,
                status=QuarterlyFigure.Status.SUPERSEDED if corrected else QuarterlyFigure.Status.APPROVED,
            )
        )
        if corrected:
            out.append(
                QuarterlyFigure(
                    indicator=indicator,
                    period_end=period_end,
                    version=2,
                    value=value * Decimal("1.01"),
                    numerator=num,
                    denominator=den,
                    status=QuarterlyFigure.Status.APPROVED,
                    correction_reason="合成更正",
                )
            )
    return out
