"""Reads of tasks, task updates, the bureau matrix, the leading group and supervision items.

Everything a user asks for goes through accounts.access; every page reads a fixed number of queries
whatever the number of tasks, departments or updates (asserted in tests/tasks).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import can_see_task_overview
from indicators.models import Indicator
from plans.models import City, Department, LeadingGroupMember, Plan
from tasks import rules
from tasks.models import Instruction, SupervisionItem, Task, TaskAssignment, TaskUpdate

# --- Tasks --------------------------------------------------------------------------------------------


def visible_tasks(*, user) -> QuerySet[Task]:
    return Task.objects.visible_to(user)


def _with_assignments_and_indicators(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("plan__city").prefetch_related(
        Prefetch("assignments", TaskAssignment.objects.select_related("department")),
        Prefetch("indicators", Indicator.objects.select_related("progress")),
    )


def task_detail(*, user, pk: int) -> Task:
    return get_object_or_404(_with_assignments_and_indicators(visible_tasks(user=user)), pk=pk)


def task_updates(*, user, task: Task) -> QuerySet[TaskUpdate]:
    """Every update of a task the user may read, newest quarter first: the full history, never trimmed."""
    return (
        task.updates.visible_to(user)
        .select_related("department", "author")
        .order_by("-quarter_end", "-created_at", "-pk")
    )


def department_role(task: Task, department_id: int | None) -> str | None:
    """A department's part in a task (lead wins when it holds both); uses prefetched assignments."""
    roles = {a.role for a in task.assignments.all() if a.department_id == department_id}
    if TaskAssignment.Role.LEAD in roles:
        return TaskAssignment.Role.LEAD
    return TaskAssignment.Role.RESPONSIBLE if roles else None


def task_lead_department(task: Task) -> Department | None:
    """Who answers for a task (supervision items): its first lead, else its first assignee."""
    assignments = sorted(task.assignments.all(), key=lambda a: (a.role != TaskAssignment.Role.LEAD, a.order, a.pk))
    return assignments[0].department if assignments else None


@dataclass
class ReportCell:
    """One department's report on one task for one quarter."""

    department_id: int
    role: str
    status: rules.ReportStatus
    latest: TaskUpdate | None  # the update that counts (the latest of the quarter)

    @property
    def status_label(self):
        return rules.REPORT_STATUS_LABELS[self.status]

    @property
    def is_blocked(self) -> bool:
        return self.latest is not None and self.latest.state == TaskUpdate.State.BLOCKED


def _report_cell(
    department_id: int, role: str, updates: list[TaskUpdate], quarter: rules.Quarter, deadline: dt.date, as_of: dt.date
) -> ReportCell:
    """`updates` are one department's updates of one task up to `quarter`, oldest first."""
    in_quarter = [u for u in updates if u.quarter_end == quarter.end]
    earlier = [u for u in updates if u.quarter_end < quarter.end]
    status = rules.report_status(
        first_reported_on=timezone.localtime(in_quarter[0].created_at).date() if in_quarter else None,
        deadline=deadline,
        as_of=as_of,
        done_earlier=bool(earlier) and earlier[-1].state == TaskUpdate.State.DONE,
    )
    return ReportCell(
        department_id=department_id, role=role, status=status, latest=in_quarter[-1] if in_quarter else None
    )


@dataclass
class DepartmentTaskRow:
    """A task as its department sees it on 我的任务: its part, the last report and what is due now."""

    task: Task
    role: str
    last_update: TaskUpdate | None
    quarter: rules.Quarter
    deadline: dt.date
    report: ReportCell

    @property
    def role_label(self):
        return TaskAssignment.Role(self.role).label


def department_tasks(*, department: Department, as_of: dt.date) -> list[DepartmentTaskRow]:
    """Every task the department leads or shares, with the indicators it drives and its report status,
    ordered by what is due (tasks.rules.due_order): overdue first."""
    tasks = (
        _with_assignments_and_indicators(
            Task.objects.filter(pk__in=TaskAssignment.objects.filter(department=department).values("task_id"))
        )
        .prefetch_related(
            Prefetch(
                "updates",
                TaskUpdate.objects.filter(department=department)
                .select_related("department", "author")
                .order_by("quarter_end", "created_at", "pk"),
                to_attr="department_updates",
            )
        )
        .order_by("plan__period_start", "plan_id", "order")
    )
    rows = []
    for task in tasks:
        plan = task.plan
        quarter = rules.default_quarter(plan.period_start, plan.period_end, as_of)
        deadline = quarter.reporting_deadline(plan.reporting_lag_days)
        role = department_role(task, department.pk)
        updates = task.department_updates  # oldest first
        rows.append(
            DepartmentTaskRow(
                task=task,
                role=role,
                last_update=updates[-1] if updates else None,
                quarter=quarter,
                deadline=deadline,
                report=_report_cell(
                    department.pk, role, [u for u in updates if u.quarter_end <= quarter.end], quarter, deadline, as_of
                ),
            )
        )
    rows.sort(
        key=lambda row: rules.due_order(
            report=row.report.status,
            report_deadline=row.deadline,
            task_due=row.task.due_date,
            finished=row.last_update is not None and row.last_update.state == TaskUpdate.State.DONE,
            as_of=as_of,
        )
    )
    return rows


def department_still_owes(*, department_id: int, plan: Plan, quarter: rules.Quarter) -> bool:
    """Whether the department owes a report on any of its tasks of the plan for the quarter (a task it
    reported done in an earlier quarter is owed no more), as the 'N项未报送' reminder counts them."""
    last_state = (
        TaskUpdate.objects.filter(task=OuterRef("pk"), department_id=department_id, quarter_end__lt=quarter.end)
        .order_by("-quarter_end", "-created_at", "-pk")
        .values("state")[:1]
    )
    reported = TaskUpdate.objects.filter(department_id=department_id, quarter_end=quarter.end).values("task_id")
    return (
        Task.objects.filter(
            plan=plan, pk__in=TaskAssignment.objects.filter(department_id=department_id).values("task_id")
        )
        .exclude(pk__in=reported)
        .annotate(last_state=Subquery(last_state))
        .exclude(last_state=TaskUpdate.State.DONE)
        .exists()
    )


def last_reported_state(*, task: Task, department_id: int | None) -> TaskUpdate | None:
    """The department's latest report on the task, from which its next one starts."""
    if department_id is None:
        return None
    return (
        TaskUpdate.objects.filter(task=task, department_id=department_id)
        .order_by("-quarter_end", "-created_at", "-pk")
        .first()
    )


def visible_department(*, user, pk: int) -> Department:
    return get_object_or_404(Department.objects.visible_to(user).select_related("city"), pk=pk)


# --- The bureau matrix: departments x tasks for a plan and quarter ------------------------------------


@dataclass
class MatrixRow:
    task: Task
    cells: list[ReportCell | None]  # aligned with TaskMatrix.departments; None where not assigned

    @property
    def is_blocked(self) -> bool:
        return any(cell and cell.is_blocked for cell in self.cells)


@dataclass
class DepartmentTally:
    department: Department
    counts: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def owed(self) -> int:
        return self.counts[rules.ReportStatus.MISSING] + self.counts[rules.ReportStatus.PENDING]


@dataclass
class TaskMatrix:
    plan: Plan
    quarter: rules.Quarter
    deadline: dt.date
    departments: list[Department]
    rows: list[MatrixRow]
    tallies: list[DepartmentTally]


def overview_plans(*, user) -> list[Plan]:
    """Plans whose bureau matrix the user may see, newest first."""
    plans = Plan.objects.visible_to(user).select_related("city").order_by("-period_start", "code")
    return [plan for plan in plans if can_see_task_overview(user, plan.city_id)]


def task_matrix(
    *, plan: Plan, quarter: rules.Quarter, tasks: QuerySet[Task], as_of: dt.date, department: Department | None = None
) -> TaskMatrix:
    """Who reported on which task for the quarter, who is late, what is blocked: three queries in all."""
    tasks = list(
        tasks.filter(plan=plan)
        .select_related("plan")
        .prefetch_related(Prefetch("assignments", TaskAssignment.objects.select_related("department")))
        .order_by("order")
    )
    deadline = quarter.reporting_deadline(plan.reporting_lag_days)
    updates = defaultdict(list)
    for update in (
        TaskUpdate.objects.filter(task__in=[t.pk for t in tasks], quarter_end__lte=quarter.end)
        .select_related("author")
        .order_by("quarter_end", "created_at", "pk")
    ):
        updates[update.task_id, update.department_id].append(update)

    departments = {}
    for task in tasks:
        for assignment in task.assignments.all():
            if department is None or assignment.department_id == department.pk:
                departments.setdefault(assignment.department_id, assignment.department)
    columns = sorted(departments.values(), key=lambda d: (not d.is_programme_owner, d.name))
    tallies = {d.pk: DepartmentTally(department=d) for d in columns}

    rows = []
    for task in tasks:
        cells = []
        for column in columns:
            role = department_role(task, column.pk)
            cell = (
                None
                if role is None
                else _report_cell(column.pk, role, updates[task.pk, column.pk], quarter, deadline, as_of)
            )
            if cell:
                tallies[column.pk].counts[cell.status] += 1
            cells.append(cell)
        rows.append(MatrixRow(task=task, cells=cells))
    return TaskMatrix(
        plan=plan, quarter=quarter, deadline=deadline, departments=columns, rows=rows, tallies=list(tallies.values())
    )


def latest_states(*, tasks: QuerySet[Task], quarter: rules.Quarter) -> dict[tuple[int, int], str]:
    """(task, department) -> the state of its latest update for the quarter, in one query."""
    states = {}
    for task_id, department_id, state in (
        TaskUpdate.objects.filter(task__in=tasks, quarter_end=quarter.end)
        .order_by("created_at", "pk")
        .values_list("task_id", "department_id", "state")
    ):
        states[task_id, department_id] = state
    return states


# --- Figures still owed (for the reminders) ------------------------------------------------------------


# --- Leading group ----------------------------------------------------------------------------------------


def leading_group_roster(*, user, city_code: str) -> tuple[City, list[LeadingGroupMember]]:
    """A city's leading-group members, by plan and order, each with the number of tasks of their department."""
    city = get_object_or_404(City.objects.visible_to(user), code=city_code)
    members = (
        LeadingGroupMember.objects.filter(plan__city=city)
        .select_related("plan", "department")
        .annotate(
            task_count=Count(
                "department__assignments__task", distinct=True, filter=Q(department__assignments__task__plan=F("plan"))
            )
        )
        .order_by("-plan__period_start", "plan_id", "order")
    )
    return city, list(members)


# --- Supervision items (督办) and 批示 ---------------------------------------------------------------------

S = rules.SupervisionStatus


def _current_due():
    """Kept in sync with rules.supervision_current_due: the date of the step now waited on."""
    return Case(
        When(status=S.ISSUED, then=F("acknowledge_due")),
        When(status__in=[S.ACKNOWLEDGED, S.RETURNED], then=F("due_date")),
        When(status=S.ACCEPTED, then=F("measures_due")),
        default=Value(None),
        output_field=DateField(),
    )


def _light(as_of: dt.date):
    """Kept in sync with rules.supervision_light (asserted in tests/tasks/test_lights.py)."""
    soon = rules.add_working_days(as_of, settings.SUPERVISION_DUE_SOON_WORKING_DAYS)
    return Case(
        When(status=S.CLOSED, then=Value(None)),
        When(current_due__isnull=True, then=Value(rules.Light.GREEN.value)),
        When(current_due__lt=as_of, then=Value(rules.Light.RED.value)),
        When(current_due__lte=soon, then=Value(rules.Light.YELLOW.value)),
        default=Value(rules.Light.GREEN.value),
        output_field=CharField(),
    )


LIGHT_ORDER = Case(
    When(light=rules.Light.RED.value, then=Value(0)),
    When(light=rules.Light.YELLOW.value, then=Value(1)),
    When(light=rules.Light.GREEN.value, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _urgency(row: dict) -> tuple:
    """Kept in sync with the order of supervision_items_for_city (LIGHT_ORDER, then the date due, nulls last,
    then pk), for rows whose light was worked out in Python."""
    due = row["current_due"]
    return (rules.LIGHT_RANK.get(row["light"], 3), due is None, due or dt.date.min, row["pk"])


def _supervision_base(as_of: dt.date) -> QuerySet[SupervisionItem]:
    """Every item with `current_due`, `light` (green/yellow/red, None when closed), `overdue` (red) and
    `unanswered_instructions` (批示 still waiting for the department's answer)."""
    unanswered = (
        Instruction.objects.filter(item=OuterRef("pk"), answered_at__isnull=True)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SupervisionItem.objects.select_related("plan__city", "department", "indicator__progress", "task")
        .annotate(current_due=_current_due())
        .annotate(light=_light(as_of))
        .annotate(
            overdue=Case(
                When(light=rules.Light.RED.value, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            unanswered_instructions=Coalesce(Subquery(unanswered, output_field=IntegerField()), 0),
        )
    )


def supervision_items_at(as_of: dt.date) -> QuerySet[SupervisionItem]:
    """Every item, open or closed, with its `current_due`, `light` and `unanswered_instructions` as of a date:
    the department overview counts those still open on that date whose step was due before it."""
    return _supervision_base(as_of)


# What open_supervision_values reads of every item to work out its step's date and its light.
_DUE_FIELDS = ("pk", "status", "acknowledge_due", "due_date", "measures_due")


def open_supervision_values(
    *, user, as_of: dt.date, where: Q, fields: tuple[str, ...] = (), **expressions
) -> list[dict]:
    """The open 督办 items the user may see that were raised by `as_of` and match `where`, as dicts of `fields`
    and `expressions` with their pk, `status`, `current_due` and `light` as of that date, in the order of
    supervision_items_for_city (red, yellow, green, then by the date due, then pk) — one query.

    The date and the light of the rows read are worked out here by tasks.rules (supervision_current_due,
    supervision_light) rather than by the Case expressions of _supervision_base: for the few dozen rows of a
    page, Django compiling those (nested, and repeated in the ORDER BY) costs several times what PostgreSQL
    spends on the query. The SQL version stays for the lists that filter or order by light in the database;
    the two agree (tests/tasks/test_lights.py)."""
    rows = list(
        SupervisionItem.objects.visible_to(user)
        .exclude(status=S.CLOSED)
        .filter(where, created_at__date__lte=as_of)
        .order_by()
        .values(*_DUE_FIELDS, *fields, **expressions)
    )
    soon = settings.SUPERVISION_DUE_SOON_WORKING_DAYS
    for row in rows:
        row["current_due"] = rules.supervision_current_due(
            row["status"],
            acknowledge_due=row["acknowledge_due"],
            due_date=row["due_date"],
            measures_due=row["measures_due"],
        )
        row["light"] = rules.supervision_light(row["current_due"], status=row["status"], as_of=as_of, soon_days=soon)
    rows.sort(key=_urgency)
    return rows


def supervision_items_for_city(city: City | int, as_of: dt.date) -> QuerySet[SupervisionItem]:
    """Open supervision items of a city for its dashboard, overdue ones first, each with `overdue` and `light`.

    The caller has already checked that the user may see the city (City.objects.visible_to).
    """
    return (
        _supervision_base(as_of)
        .filter(plan__city=city)
        .exclude(status=S.CLOSED)
        .order_by(LIGHT_ORDER, F("current_due").asc(nulls_last=True), "pk")
    )


def visible_supervision(*, user, as_of: dt.date) -> QuerySet[SupervisionItem]:
    """Every item the user may see, open ones by light first, closed ones last."""
    return _supervision_base(as_of).visible_to(user).order_by(LIGHT_ORDER, "due_date", "pk")


def supervision_detail(*, user, pk: int, as_of: dt.date) -> SupervisionItem:
    return get_object_or_404(
        visible_supervision(user=user, as_of=as_of).prefetch_related(
            "steps__actor", Prefetch("instructions", _instructions_with_people().order_by("created_at", "pk"))
        ),
        pk=pk,
    )


def _instructions_with_people() -> QuerySet[Instruction]:
    return Instruction.objects.select_related(
        "author", "answered_by", "department", "item__indicator", "item__task", "indicator", "task", "plan__city"
    )


def visible_instructions(*, user) -> QuerySet[Instruction]:
    """批示 the user may read, unanswered first, newest first."""
    return (
        _instructions_with_people()
        .visible_to(user)
        .order_by(F("answered_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def instructions_for(*, user, indicator: Indicator | None = None, task: Task | None = None) -> list[Instruction]:
    """The 批示 written on one indicator or task that the user may read, oldest first."""
    subject = {"indicator": indicator} if indicator is not None else {"task": task}
    return list(_instructions_with_people().visible_to(user).filter(**subject).order_by("created_at", "pk"))


def instruction_detail(*, user, pk: int) -> Instruction:
    return get_object_or_404(_instructions_with_people().visible_to(user), pk=pk)
