"""The labelled demo: accounts for every role and generated figures, never mixed into the plan data.

Figures and task updates are generated deterministically (seeded by indicator code, task and department)
so that the five plans look like real use: some indicators ahead, most on pace, some behind, a quarter
awaiting review, a report missing, provisional figures, a correction; departments reporting on their
tasks, a few late or blocked. 督办 items are raised from them through the same services real use goes through, and
some walked along the chain. Every generated row has is_demo=True (批示 are by demo accounts); demo figures put
the 演示数据 banner on every page, and `load_demo --remove` takes them all away again.
"""

import datetime as dt
import hashlib
import random
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Profile, Role
from core import progress
from core.periods import Quarter
from indicators.models import (
    GROWTH_FORMS,
    Indicator,
    IndicatorProgress,
    LagFlag,
    MeasureType,
    ProgressSnapshot,
    QuarterlyFigure,
    Reading,
    TargetForm,
)
from indicators.services import indicator_history_rebuild, indicator_progress_recompute, indicator_rule, plan_rule
from indicators.summaries import plan_summary_refresh
from notifications.models import Notification
from plans.models import City, Department, Plan
from tasks import services as task_services
from tasks.models import Instruction, SupervisionItem, SupervisionStep, TaskAssignment, TaskUpdate
from tasks.selectors import task_matrix

DEMO_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "accounts.yaml"

# How far along each demo indicator is, as a multiple of the calendar: picked per indicator code.
PACE_PROFILES = [
    ("ahead", 1.15),
    ("on_pace", 1.0),
    ("on_pace", 0.97),
    ("slightly_behind", 0.88),
    ("behind", 0.6),
    ("on_pace", 1.03),
]
DEMO_BASE_SHARE = 0.7  # an unknown base is never guessed in the plan data; demo figures start here
ENDED_PLAN_BONUS = 0.1  # ended plans mostly reached their targets, as real ones do
COUNT_UNITS = {"件", "家", "个", "项", "人", "次", "单"}


def _rng(code: str) -> random.Random:
    return random.Random(int(hashlib.sha256(code.encode()).hexdigest()[:12], 16))


# --- Accounts ------------------------------------------------------------------------------------------


def demo_accounts_load(*, path: Path = DEMO_FIXTURE) -> list[str]:
    """Create the demo accounts (idempotent); returns their usernames."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    password = spec["password"]
    cities = {c.code: c for c in City.objects.filter(is_synthetic=False)}
    created = []

    def account(username, role, name, city=None, department=None, assigned=(), manages_users=False):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": name})
        user.first_name = name
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.set_password(password)
        user.save()
        profile, _ = Profile.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "city": city,
                "department": department,
                "manages_users": manages_users,
                "is_demo": True,
            },
        )
        profile.assigned_cities.set([cities[c] for c in assigned if c in cities])
        created.append(username)

    for a in spec["accounts"]:
        account(a["username"], a["role"], a["name"], assigned=a.get("assigned", ()))
    for code, c in spec["cities"].items():
        city = cities.get(code)
        if city is None:
            continue
        prefix = c["prefix"]
        # The bureau leads many tasks itself, so its staff answer the 督办 items addressed to it.
        owner = Department.objects.filter(city=city, is_programme_owner=True).first()
        account(f"{prefix}_staff", Role.BUREAU_STAFF, f"{city.name}市场监管局填报员", city=city, department=owner)
        # The reviewer is also the city's user administrator (accounts.rules): the demo shows the users page.
        account(f"{prefix}_reviewer", Role.REVIEWER, f"{city.name}市场监管局审核员", city=city, manages_users=True)
        account(f"{prefix}_leader", Role.LEADER, f"{city.name}领导小组成员", city=city)
        department = _busiest_other_department(city)
        if department:
            account(f"{prefix}_dept", Role.DEPARTMENT, f"{department.name}联络员", city=city, department=department)
    return created


def _busiest_other_department(city: City) -> Department | None:
    """The department (other than the bureau) with the most task assignments: a realistic department user."""
    return (
        Department.objects.filter(city=city, is_programme_owner=False)
        .annotate(n=Count("assignments"))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .first()
        or Department.objects.filter(city=city, is_programme_owner=True).first()
    )


# --- Figures -------------------------------------------------------------------------------------------


def demo_figures_load(*, today: dt.date | None = None) -> int:
    """Generate demo figures for every quantitative indicator of the real plans; returns the count."""
    today = today or timezone.localdate()
    staff = {p.city_id: p.user for p in Profile.objects.filter(is_demo=True, role=Role.BUREAU_STAFF)}
    reviewers = {p.city_id: p.user for p in Profile.objects.filter(is_demo=True, role=Role.REVIEWER)}
    indicators = list(
        Indicator.objects.filter(plan__city__is_synthetic=False)
        .exclude(target_form=TargetForm.QUALITATIVE)
        .select_related("plan", "target_group")
        .prefetch_related("interim_targets")
    )
    figures = []
    now = timezone.now()
    for indicator in indicators:
        city_id = indicator.plan.city_id
        for figure in _series(indicator, today):
            figure.created_by = figure.submitted_by = staff.get(city_id)
            figure.submitted_at = now
            if figure.status in (QuarterlyFigure.Status.APPROVED, QuarterlyFigure.Status.SUPERSEDED):
                figure.reviewed_by = reviewers.get(city_id)
                figure.reviewed_at = now
            figures.append(figure)
    with transaction.atomic():
        QuarterlyFigure.objects.filter(is_demo=True).delete()
        QuarterlyFigure.objects.bulk_create(figures, batch_size=1000)
    real = list(Indicator.objects.filter(plan__city__is_synthetic=False).values_list("pk", flat=True))
    indicator_history_rebuild(indicator_ids=real, until=today)
    indicator_progress_recompute(indicator_ids=real, as_of=today)
    return len(figures)


def demo_remove(*, today: dt.date | None = None) -> dict[str, int]:
    """Take the demo away without a trace: its figures and task updates, every result, flag, 督办 item and
    notification they alone explain, and the demo accounts; the real data's progress is then rebuilt.

    A 督办 item is the demo's when no real (non-demo) user acted on it and the indicator or task it is about
    has no real figure or update left; anything a real user touched stays."""
    today = today or timezone.localdate()
    demo_users = list(User.objects.filter(profile__is_demo=True).values_list("pk", flat=True))
    removed = {}
    with transaction.atomic():
        removed["演示督办与批示"] = _demo_supervision_delete()
        removed["任务进展"] = TaskUpdate.objects.filter(is_demo=True).delete()[0]
        removed["季度数据"] = QuarterlyFigure.objects.filter(is_demo=True).delete()[0]
        real_step = SupervisionStep.objects.filter(item=OuterRef("pk"), actor__isnull=False).exclude(
            actor_id__in=demo_users
        )
        unsupported = Q(indicator__isnull=False, indicator__figures__isnull=True) | Q(
            task__isnull=False, task__updates__isnull=True
        )
        items = SupervisionItem.objects.filter(unsupported).exclude(Exists(real_step)).values_list("pk", flat=True)
        steps = SupervisionStep.objects.filter(Q(item__in=list(items)) | Q(actor_id__in=demo_users))
        step_keys = [f"supervision-step:{pk}" for pk in steps.values_list("pk", flat=True)]
        removed["通知"] = Notification.objects.filter(Q(key__in=step_keys) | Q(recipient_id__in=demo_users)).delete()[0]
        steps.delete()
        removed["督办事项"] = SupervisionItem.objects.filter(pk__in=list(items)).delete()[0]
        # What only the demo's figures explained goes; indicators with real figures are rebuilt below.
        bare = Indicator.objects.filter(plan__city__is_synthetic=False, figures__isnull=True)
        removed["滞后预警"] = LagFlag.objects.filter(indicator__in=bare, supervision_items__isnull=True).delete()[0]
        removed["进度结果"] = (
            IndicatorProgress.objects.filter(indicator__in=bare).delete()[0]
            + ProgressSnapshot.objects.filter(indicator__in=bare).delete()[0]
        )
        for reading in Reading.objects.filter(settled_by_id__in=demo_users).select_related("indicator"):
            _reading_reset(reading)
        removed["演示账号"] = len(demo_users)
        Profile.objects.filter(is_demo=True).delete()
        User.objects.filter(pk__in=demo_users).delete()
        real = list(
            Indicator.objects.filter(plan__city__is_synthetic=False, figures__isnull=False)
            .distinct()
            .values_list("pk", flat=True)
        )
        if real:
            ProgressSnapshot.objects.filter(indicator_id__in=real).delete()
            indicator_history_rebuild(indicator_ids=real, until=today)
            indicator_progress_recompute(indicator_ids=real, as_of=today)
        # The plans whose results were deleted above and not rebuilt (no real figure) are counted anew.
        plan_summary_refresh(indicator_ids=bare.values_list("pk", flat=True))
    return removed


def _reading_reset(reading: Reading):
    """A reading a demo account settled goes back to the document's default reading, 待确认."""
    indicator = reading.indicator
    for name, value in (reading.option(reading.default_option) or {}).get("changes", {}).items():
        setattr(indicator, name, None if value is None else indicator._meta.get_field(name).to_python(value))
    indicator._change_reason = "删除演示数据：恢复默认读法"
    indicator.save()
    Reading.objects.filter(pk=reading.pk).update(
        chosen=reading.default_option, state=Reading.State.PENDING, settled_by=None, settled_at=None, reason=""
    )


# --- Task updates --------------------------------------------------------------------------------------

DEMO_UPDATE_TEXTS = {
    TaskUpdate.State.NOT_STARTED: "（演示）已制定工作计划，尚未启动实施。",
    TaskUpdate.State.IN_PROGRESS: "（演示）本季度按计划推进，已完成阶段性工作，下季度继续落实。",
    TaskUpdate.State.DONE: "（演示）任务已完成，相关材料已报送领导小组办公室。",
    TaskUpdate.State.BLOCKED: "（演示）因资金和人员未到位，本季度工作受阻，需协调解决。",
}


def demo_task_updates_load(*, today: dt.date | None = None) -> int:
    """Each assigned department's quarterly report on its tasks: mostly on time, some late, a few blocked."""
    today = today or timezone.localdate()
    staff = {p.city_id: p.user for p in Profile.objects.filter(is_demo=True, role=Role.BUREAU_STAFF)}
    department_users = {p.department_id: p.user for p in Profile.objects.filter(is_demo=True, role=Role.DEPARTMENT)}
    updates = []
    for plan in Plan.objects.filter(city__is_synthetic=False).select_related("city"):
        rule = plan_rule(plan)
        quarters = [
            q
            for q in progress.plan_periods(rule, progress.QUARTERLY)
            if progress.reporting_deadline(q, plan.reporting_lag_days) <= today
        ]
        assignments = (
            TaskAssignment.objects.filter(task__plan=plan)
            .select_related("task")
            .order_by("task__order", "role", "order")
        )
        seen = set()
        for assignment in assignments:
            key = (assignment.task_id, assignment.department_id)
            if key in seen or plan.city_id not in staff:
                continue
            seen.add(key)
            author = department_users.get(assignment.department_id, staff[plan.city_id])
            updates += _department_reports(assignment, quarters, author, running=plan.period_end >= today)
    with transaction.atomic():
        TaskUpdate.objects.filter(is_demo=True).delete()
        TaskUpdate.objects.bulk_create(updates, batch_size=1000)
    return len(updates)


# --- 督办 and 批示 ---------------------------------------------------------------------------------------


def demo_supervision_load(*, today: dt.date | None = None) -> int:
    """Raise the demo's 督办 items through the services real use goes through, then walk some of them along
    the chain as the demo users would; returns the number of items.

    Blocked reports raise theirs as task_update_submit does, the last closed quarter's late consolidated
    reports and the lagging indicators as the daily reminders job does, and overdue ones escalate."""
    today = today or timezone.localdate()
    _demo_supervision_delete()
    for update in TaskUpdate.objects.filter(is_demo=True, state=TaskUpdate.State.BLOCKED).select_related("task"):
        task_services.task_supervision_raise(
            task=update.task,
            quarter=update.quarter,
            reason=SupervisionItem.Reason.TASK_BLOCKED,
            as_of=timezone.localtime(update.created_at).date(),
            is_demo=True,
        )
    for plan in Plan.objects.filter(city__is_synthetic=False, period_end__gte=today):
        quarter = Quarter.last_closed(today)
        while quarter.reporting_deadline(plan.reporting_lag_days) >= today:
            quarter = quarter.previous
        if quarter.end < plan.period_start:
            continue
        matrix = task_matrix(plan=plan, quarter=quarter, tasks=plan.tasks.all(), as_of=today)
        task_services.late_tasks_supervise(matrix=matrix, as_of=today, is_demo=True)
    task_services.lagging_indicators_supervise(as_of=today, is_demo=True)
    _demo_supervision_walk()
    task_services.supervision_escalate_overdue(as_of=today)
    return SupervisionItem.objects.filter(is_demo=True).count()


def _demo_supervision_walk() -> None:
    """In each city, five items at every step, each taken by its role: acknowledged by the department it is
    addressed to (the bureau's staff for the bureau's own), answered, returned or accepted by the reviewer,
    one closed early with its reason; a leader's 批示 waiting on the accepted one, and one on a task answered."""
    answer_due = timezone.localdate() + dt.timedelta(days=30)
    answer = {
        "explanation": "（演示）资金和人员未及时到位，相关工作推进滞后。",
        "measures": "（演示）已协调落实专项经费，明确专人负责，按月调度。",
        "measures_due": answer_due,
    }
    profiles = Profile.objects.filter(is_demo=True, city__isnull=False).select_related("user")
    answering = {p.department_id: p.user for p in profiles if p.department_id and p.role != Role.REVIEWER}
    office = {p.city_id: p.user for p in profiles if p.role == Role.REVIEWER}
    leaders = {p.city_id: p.user for p in profiles if p.role == Role.LEADER}
    by_city = {}
    for item in SupervisionItem.objects.filter(is_demo=True, department_id__in=list(answering)).order_by(
        "created_at", "pk"
    ):
        by_city.setdefault(item.plan.city_id, []).append(item)
    for city_id, items in by_city.items():
        reviewer, leader = office.get(city_id), leaders.get(city_id)
        for index, item in enumerate(items[:5]):
            department_user = answering[item.department_id]
            task_services.supervision_acknowledge(user=department_user, item=item)
            if index == 0 or reviewer is None:
                continue  # 签收, its explanation still to come
            task_services.supervision_submit(user=department_user, item=item, **answer)
            if index == 2:
                task_services.supervision_return(
                    user=reviewer, item=item, note="（演示）整改措施不够具体，请补充时间表。", due_date=answer_due
                )
            elif index == 3:
                task_services.supervision_accept(user=reviewer, item=item, note="（演示）同意整改措施。")
            elif index == 4:
                task_services.supervision_close_early(user=reviewer, item=item, note="（演示）指标已恢复正常进度。")
        if leader is None:
            continue
        # On the accepted item when there is one: the office then sees that an unanswered 批示 blocks 办结.
        target = items[3] if len(items) > 3 else items[0]
        task_services.instruction_create(user=leader, item=target, text="（演示）请抓紧落实，按期报送整改情况。")
        task = next((i.task for i in items if i.task_id), None)
        if task is not None:
            instruction = task_services.instruction_create(
                user=leader, task=task, text="（演示）该任务要加大推进力度，下季度见成效。"
            )
            if instruction.department_id in answering:
                task_services.instruction_answer(
                    user=answering[instruction.department_id],
                    instruction=instruction,
                    answer="（演示）已部署专项推进，下季度报送进展。",
                )


def _demo_supervision_delete() -> int:
    """Demo items and 批示 go with their steps and the notifications they sent."""
    step_keys = [
        f"supervision-step:{pk}"
        for pk in SupervisionStep.objects.filter(item__is_demo=True).values_list("pk", flat=True)
    ]
    demo_instructions = Instruction.objects.filter(Q(author__profile__is_demo=True) | Q(item__is_demo=True))
    instruction_keys = [
        f"{prefix}:{pk}"
        for pk in demo_instructions.values_list("pk", flat=True)
        for prefix in ("instruction", "instruction-answer")
    ]
    Notification.objects.filter(key__in=step_keys + instruction_keys).delete()
    instructions, _ = demo_instructions.delete()
    items, _ = SupervisionItem.objects.filter(is_demo=True).delete()
    return instructions + items


def _department_reports(assignment, quarters, author, *, running: bool) -> list[TaskUpdate]:
    rng = _rng(f"{assignment.task_id}-{assignment.department_id}")
    done_from = int(len(quarters) * rng.uniform(0.6, 1.3))
    reported = quarters[:-1] if running and rng.random() < 0.25 else quarters  # some are late this quarter
    out = []
    for index, quarter_end in enumerate(reported):
        if index == 0:
            state = TaskUpdate.State.NOT_STARTED
        elif index >= done_from:
            state = TaskUpdate.State.DONE
        elif index == len(reported) - 1 and rng.random() < 0.08:
            state = TaskUpdate.State.BLOCKED
        else:
            state = TaskUpdate.State.IN_PROGRESS
        out.append(
            TaskUpdate(
                task_id=assignment.task_id,
                department_id=assignment.department_id,
                quarter_end=quarter_end,
                state=state,
                text=DEMO_UPDATE_TEXTS[state],
                author=author,
                is_demo=True,
                is_consolidated=assignment.role == TaskAssignment.Role.LEAD,
                created_at=timezone.make_aware(
                    dt.datetime.combine(quarter_end + dt.timedelta(days=rng.randint(3, 14)), dt.time(10))
                ),
            )
        )
        if state == TaskUpdate.State.DONE:
            break
    return out


def _series(indicator: Indicator, today: dt.date) -> list[QuarterlyFigure]:
    """One indicator's demo figures: a path shaped by its pace profile, with the odd gap and correction."""
    rule = indicator_rule(indicator)
    rng = _rng(indicator.plan.code + indicator.code)
    _profile, pace = PACE_PROFILES[rng.randrange(len(PACE_PROFILES))]
    if indicator.plan.period_end < today:
        pace += ENDED_PLAN_BONUS
    places = 0 if indicator.unit in COUNT_UNITS and not _per_population(indicator) else 2
    periods = [p for p in progress.plan_periods(rule.plan, rule.frequency) if progress.deadline_of(rule, p) <= today]
    if not periods:
        return []
    if rule.target_value is None or (rule.base_value is None and rule.target_form in GROWTH_FORMS):
        return []  # such an indicator stays 基期缺失 until the bureau enters its base
    start, end = rule.plan.period_start, rule.plan.period_end
    span = (end - start).days

    def share(period_end):
        return min(1.0, max(0.0, (period_end - start).days / span)) * pace

    base = rule.base_value if rule.base_value is not None else _demo_base(rule)
    target = progress.end_target(rule, base)
    out = []
    previous_level = base
    running_total = 0.0
    for index, period_end in enumerate(periods):
        fraction = share(period_end)
        noise = 1 + rng.uniform(-0.03, 0.03)
        figure = QuarterlyFigure(
            indicator=indicator,
            period_end=period_end,
            status=QuarterlyFigure.Status.APPROVED,
            is_demo=True,
            source="演示数据",
            comment="",
        )
        if rule.measure_type == MeasureType.RATE:
            threshold = rule.target_value
            rate = min(100.0, threshold * (1.02 if pace >= 0.95 else 0.9) * noise)
            denominator = rng.randint(40, 120)
            if indicator.is_ratio:
                figure.denominator = Decimal(denominator)
                figure.numerator = Decimal(round(denominator * rate / 100))
                figure.value = figure.numerator / figure.denominator * 100
            else:
                figure.value = _dec(rate)
        elif rule.target_form == TargetForm.MILESTONE:
            figure.value = _dec(target if fraction >= 0.7 and pace >= 1 else 0, places)
        elif rule.measure_type == MeasureType.STOCK:
            level = base + (target - base) * fraction * noise
            previous_level = max(previous_level, level) if rng.random() > 0.05 else level
            figure.value = _dec(previous_level, places)
        elif rule.measure_type == MeasureType.ANNUAL:
            yearly = base + (target - base) * fraction
            per_period = yearly / (1 if rule.frequency == "yearly" else 4)
            figure.value = _dec(per_period * noise, places)
        else:  # flow: the period's share of the total
            total_now = target * fraction * noise
            figure.value = _dec(max(0.0, total_now - running_total), places)
            running_total += float(figure.value)
        if index == len(periods) - 1 and rng.random() < 0.3:
            figure.is_provisional = True
        out.append(figure)
    _demo_workflow_touches(out, rng, today, end, places)
    return out


def _per_population(indicator: Indicator) -> bool:
    """每万人口… / 每百户…: ratios of counts, written with decimals."""
    return "万人" in indicator.name or "每百户" in indicator.name


def _demo_workflow_touches(
    figures: list[QuarterlyFigure], rng: random.Random, today: dt.date, plan_end: dt.date, places: int
):
    """Make the latest quarter of a running plan look like real use: awaiting review, missing, corrected."""
    if not figures or plan_end < today:
        return
    roll = rng.random()
    last = figures[-1]
    if roll < 0.2:
        last.status = QuarterlyFigure.Status.SUBMITTED
    elif roll < 0.3:
        figures.pop()  # a report not sent: shows as 逾期未报
    elif roll < 0.4 and len(figures) > 2 and figures[-2].value is not None:
        old = figures[-2]
        corrected = QuarterlyFigure(
            indicator=old.indicator,
            period_end=old.period_end,
            version=2,
            status=QuarterlyFigure.Status.APPROVED,
            value=_dec(float(old.value) * 1.02, places),
            numerator=old.numerator,
            denominator=old.denominator,
            is_demo=True,
            source="演示数据",
            correction_reason="演示：统计部门发布正式数据后更正",
        )
        old.status = QuarterlyFigure.Status.SUPERSEDED
        figures.insert(len(figures) - 1, corrected)


def _demo_base(rule) -> float:
    return rule.target_value * DEMO_BASE_SHARE if rule.measure_type == MeasureType.STOCK else 0.0


def _dec(value: float, places: int = 2) -> Decimal:
    return Decimal(str(round(value, places)))
