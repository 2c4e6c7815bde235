"""Writes for tasks: quarterly updates and the supervision (督办) workflow.

Each function validates everything first and raises ValidationError with field messages, so bad input
saves nothing; pages and the API call the same functions.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import (
    SUPERVISION_REVIEW_ROLES,
    TASK_UPDATE_ROLES,
    can_answer_instruction,
    can_answer_supervision,
    can_instruct,
    can_issue_supervision,
    can_review_supervision,
    can_update_task,
    user_department_id,
)
from accounts.models import Role
from core.errors import Conflict, Forbidden
from core.status import Status
from figures.selectors import figures_not_submitted
from indicators.models import Indicator, LagFlag
from notifications import keys
from notifications.models import Notification
from notifications.selectors import users_in_cities, users_in_departments
from notifications.services import notifications_close, notify
from plans.models import Department, Plan
from tasks import evidence, rules
from tasks.models import (
    DepartmentLightRule,
    Instruction,
    SupervisionItem,
    SupervisionStep,
    Task,
    TaskAssignment,
    TaskUpdate,
)
from tasks.selectors import department_role, department_still_owes, task_lead_department, task_matrix

CLOSED = rules.SupervisionStatus.CLOSED

# --- Quarterly task updates ------------------------------------------------------------------------------


def task_update_submit(
    *,
    user,
    task: Task,
    quarter: str | rules.Quarter,
    state: str,
    text: str,
    evidence_file: UploadedFile | None = None,
    as_of: dt.date | None = None,
) -> TaskUpdate:
    """Record a department's report on a task for a quarter; the lead department's is the consolidated one.

    Refused, saving nothing: a task not assigned to the user's department, a quarter not yet started or
    outside the plan, an evidence file of the wrong type or too large. A blocked task raises a
    supervision item for its lead department.
    """
    as_of = as_of or timezone.localdate()
    if not can_update_task(user, task):
        raise Forbidden(_("该任务未分配给您的部门，不能报送进展。"))
    errors = {}
    try:
        quarter = quarter if isinstance(quarter, rules.Quarter) else rules.Quarter.parse(quarter)
    except ValueError as error:
        errors["quarter"] = [str(error)]
    else:
        plan = task.plan
        if rules.quarter_not_started(quarter, as_of):
            errors["quarter"] = [_("%(quarter)s尚未开始，不能报送该季度的进展。") % {"quarter": quarter.label}]
        elif quarter.end < plan.period_start or quarter.start > plan.period_end:
            errors["quarter"] = [_("%(quarter)s不在方案实施期限内。") % {"quarter": quarter.label}]
    if state not in TaskUpdate.State.values:
        errors["state"] = [_("请选择进展状态（未开始、推进中、已完成或受阻）。")]
    if not (text or "").strip():
        errors["text"] = [_("请填写本季度工作进展。")]
    if evidence_file is not None:
        try:
            evidence.evidence_check(
                name=evidence_file.name,
                size=evidence_file.size,
                file=evidence_file,
                max_bytes=settings.TASK_EVIDENCE_MAX_BYTES,
            )
        except evidence.EvidenceRejected as error:
            errors["evidence"] = [str(error)]
    if errors:
        raise ValidationError(errors)

    department_id = user_department_id(user)
    update = TaskUpdate(
        task=task,
        department_id=department_id,
        quarter_end=quarter.end,
        state=state,
        text=text.strip(),
        is_consolidated=department_role(task, department_id) == TaskAssignment.Role.LEAD,
        author=user,
    )
    if evidence_file is not None:
        update.evidence = evidence_file
        update.evidence_name = evidence_file.name[-200:]
    update.full_clean(exclude=["evidence"])
    with transaction.atomic():
        update.save()
        if state == TaskUpdate.State.BLOCKED:
            task_supervision_raise(task=task, quarter=quarter, reason=SupervisionItem.Reason.TASK_BLOCKED, as_of=as_of)
        if not department_still_owes(department_id=department_id, plan=task.plan, quarter=quarter):
            notifications_close(
                key_prefixes=keys.task_updates_reminder_prefixes(
                    plan_id=task.plan_id, quarter=str(quarter), department_id=department_id
                )
            )
    return update


# --- Supervision items (督办): 下发 → 签收 → 说明与整改 → 审核 → 办结 ------------------------------------


def task_supervision_raise(
    *, task: Task, quarter: rules.Quarter, reason: str, as_of: dt.date, is_demo: bool = False
) -> SupervisionItem | None:
    """Issue a task's lead department a 督办 for a blockage or a late report (once per task, quarter, reason)."""
    department = task_lead_department(task)
    if department is None:
        return None
    return _supervision_raise(
        plan=task.plan,
        department=department,
        reason=reason,
        task=task,
        quarter_end=quarter.end,
        as_of=as_of,
        is_demo=is_demo,
        exists={"task": task, "quarter_end": quarter.end, "reason": reason},
    )


def indicator_supervision_raise(*, flag: LagFlag, as_of: dt.date, is_demo: bool = False) -> SupervisionItem | None:
    """Issue an indicator's lead department a 督办 for its lag (once per lag episode, i.e. per LagFlag)."""
    indicator = flag.indicator
    return _supervision_raise(
        plan=indicator.plan,
        department=indicator.lead_department,
        reason=SupervisionItem.Reason.INDICATOR_LAGGING,
        indicator=indicator,
        lag_flag=flag,
        as_of=as_of,
        is_demo=is_demo,
        exists={"lag_flag": flag},
    )


def supervision_issue(
    *,
    user,
    note: str,
    due_date: dt.date | None,
    indicator: Indicator | None = None,
    task: Task | None = None,
    is_demo: bool = False,
) -> SupervisionItem:
    """The office issues a 督办 by hand on one of its city's indicators or tasks, saying what it wants."""
    subject = indicator or task
    if subject is None or (indicator is not None and task is not None):
        raise ValidationError({"subject": [_("请选择一个指标或一个任务。")]})
    plan = subject.plan
    if not can_issue_supervision(user, plan.city_id):
        raise Forbidden(_("只有市场监管局（领导小组办公室）可以下发督办。"))
    today = timezone.localdate()
    errors = {}
    if not (note or "").strip():
        errors["note"] = [_("请写明督办要求。")]
    if due_date is None or due_date < today:
        errors["due_date"] = [_("请填写今天或以后的说明报送期限。")]
    department = indicator.lead_department if indicator is not None else task_lead_department(task)
    if department is None:
        errors["subject"] = [_("该任务没有牵头单位，无法督办。")]
    elif SupervisionItem.objects.filter(indicator=indicator, task=task).exclude(status=CLOSED).exists():
        errors["subject"] = [_("该事项已有未办结的督办，请在原督办事项中办理。")]
    if errors:
        raise ValidationError(errors)
    return _supervision_raise(
        plan=plan,
        department=department,
        reason=SupervisionItem.Reason.MANUAL,
        indicator=indicator,
        task=task,
        as_of=today,
        due_date=due_date,
        actor=user,
        note=note.strip(),
        is_demo=is_demo,
        exists=None,
    )


def _supervision_raise(
    *,
    plan: Plan,
    department: Department,
    reason: str,
    as_of: dt.date,
    exists: dict | None,
    due_date: dt.date | None = None,
    actor=None,
    note: str = "",
    is_demo: bool = False,
    **subject,
) -> SupervisionItem | None:
    """Create the item and its 下发 step unless it exists; the unique constraints settle a race."""
    if exists is not None and SupervisionItem.objects.filter(**exists).exists():
        return None
    due_date = due_date or as_of + dt.timedelta(days=rules.SUPERVISION_RESPONSE_DAYS)
    acknowledge_due = min(rules.add_working_days(as_of, settings.SUPERVISION_ACKNOWLEDGE_WORKING_DAYS), due_date)
    # An item raised for an earlier day (the demo replaying its history) is dated that day, so its dates
    # and its 下发 step agree; in real use as_of is today.
    now = timezone.now()
    if as_of != timezone.localdate():
        now = timezone.make_aware(dt.datetime.combine(as_of, dt.time(9)))
    item = SupervisionItem(
        plan=plan,
        department=department,
        reason=reason,
        due_date=due_date,
        acknowledge_due=acknowledge_due,
        is_demo=is_demo,
        created_at=now,
        **subject,
    )
    item.full_clean()
    try:
        with transaction.atomic():
            item.save()
            _step(item, rules.SupervisionAction.ISSUE, actor=actor, note=note, due_date=due_date, created_at=now)
    except IntegrityError:  # raised a moment ago by a concurrent run
        return None
    return item


def supervision_acknowledge(*, user, item: SupervisionItem) -> SupervisionStep:
    """签收: the lead department has seen the item; from now on its explanation is what is awaited."""
    _check_department(user, item)
    return _transition(item, rules.SupervisionAction.ACKNOWLEDGE, actor=user, item_fields={"escalated_at": None})


def supervision_submit(
    *, user, item: SupervisionItem, explanation: str, measures: str, measures_due: dt.date | None
) -> SupervisionStep:
    """The lead department's 滞后说明 and 整改措施 with the date the measures will be done."""
    _check_department(user, item)
    _check_step(item, rules.SupervisionAction.SUBMIT)
    errors = {}
    if not (explanation or "").strip():
        errors["explanation"] = [_("请填写滞后说明。")]
    if not (measures or "").strip():
        errors["measures"] = [_("请填写整改措施。")]
    if measures_due is None:
        errors["measures_due"] = [_("请填写整改完成时限。")]
    elif measures_due < timezone.localdate():
        errors["measures_due"] = [_("整改完成时限不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    return _transition(
        item,
        rules.SupervisionAction.SUBMIT,
        actor=user,
        explanation=explanation.strip(),
        measures=measures.strip(),
        measures_due=measures_due,
        item_fields={"measures_due": measures_due},
    )


def supervision_return(*, user, item: SupervisionItem, note: str, due_date: dt.date | None) -> SupervisionStep:
    """Send an explanation back with the reason and a new date to answer by; missing that date escalates
    again."""
    _check_reviewer(user, item)
    _check_step(item, rules.SupervisionAction.RETURN)
    errors = {}
    if not (note or "").strip():
        errors["note"] = [_("退回必须填写原因。")]
    if due_date is None or due_date < timezone.localdate():
        errors["due_date"] = [_("请填写今天或以后的重新报送期限。")]
    if errors:
        raise ValidationError(errors)
    return _transition(
        item,
        rules.SupervisionAction.RETURN,
        actor=user,
        note=note.strip(),
        due_date=due_date,
        item_fields={"due_date": due_date, "escalated_at": None},
    )


def supervision_accept(*, user, item: SupervisionItem, note: str = "") -> SupervisionStep:
    """The office accepts the explanation and measures; the item stays open (整改中) until it is closed."""
    _check_reviewer(user, item)
    return _transition(item, rules.SupervisionAction.ACCEPT, actor=user, note=(note or "").strip())


def supervision_close(*, user, item: SupervisionItem, note: str) -> SupervisionStep:
    """办结 after an accepted answer, with a word of why (the measures are done)."""
    return _close(user, item, note, rules.SupervisionAction.CLOSE)


def supervision_close_early(*, user, item: SupervisionItem, note: str) -> SupervisionStep:
    """提前办结 at any step, only with the reason recorded (e.g. the indicator recovered); the item shows it."""
    return _close(user, item, note, rules.SupervisionAction.CLOSE_EARLY)


def _close(user, item: SupervisionItem, note: str, action: rules.SupervisionAction) -> SupervisionStep:
    _check_reviewer(user, item)
    _check_step(item, action)
    errors = {}
    if not (note or "").strip():
        errors["note"] = [_("办结必须写明理由。")]
    unanswered = item.instructions.filter(answered_at__isnull=True).count()
    if unanswered:
        errors[NON_FIELD_ERRORS] = [_("还有%(count)d条领导批示未答复，答复后才能办结。") % {"count": unanswered}]
    if errors:
        raise ValidationError(errors)
    note = note.strip()
    return _transition(
        item,
        action,
        actor=user,
        note=note,
        item_fields={
            "closed_at": timezone.now(),
            "close_note": note,
            "closed_early": action == rules.SupervisionAction.CLOSE_EARLY,
        },
    )


def _check_department(user, item):
    if not can_answer_supervision(user, item):
        raise Forbidden(_("只有被督办的牵头单位可以签收和报送说明。"))


def _check_reviewer(user, item):
    if not can_review_supervision(user, item):
        raise Forbidden(_("只有市场监管局（领导小组办公室）可以审核督办事项。"))


def _check_step(item: SupervisionItem, action: rules.SupervisionAction) -> None:
    """No step skipped: the item must be waiting for this one (a 400 saying what it waits for)."""
    if rules.supervision_next_status(item.status, action) is None:
        raise ValidationError(rules.supervision_refusal(item.status, action))


def _transition(
    item: SupervisionItem, action: rules.SupervisionAction, *, actor, item_fields=None, **step_fields
) -> SupervisionStep:
    """Move the item by a conditional UPDATE, so a stale page or a second click changes nothing."""
    _check_step(item, action)
    sources, target = rules.SUPERVISION_TRANSITIONS[action]
    changes = {"status": target, **(item_fields or {})}
    with transaction.atomic():
        if not SupervisionItem.objects.filter(pk=item.pk, status__in=sources).update(**changes):
            raise Conflict(_("该督办事项刚刚已被他人处理，请刷新页面后再试。"))
        for name, value in changes.items():
            setattr(item, name, value)
        return _step(item, action, actor=actor, **step_fields)


def supervision_escalate_overdue(*, as_of: dt.date) -> int:
    """Escalate items still waiting on the department past their date (未签收, or no explanation by the
    due date) to the leading-group office and the leading group, once per date missed."""
    overdue = (
        SupervisionItem.objects.filter(escalated_at__isnull=True)
        .filter(
            Q(status=rules.SupervisionStatus.ISSUED, acknowledge_due__lt=as_of)
            | Q(
                status__in=[rules.SupervisionStatus.ACKNOWLEDGED, rules.SupervisionStatus.RETURNED],
                due_date__lt=as_of,
            )
        )
        .select_related("plan__city", "department")
    )
    escalated = 0
    for item in overdue:
        with transaction.atomic():
            claimed = SupervisionItem.objects.filter(pk=item.pk, escalated_at__isnull=True, status=item.status)
            if claimed.update(escalated_at=timezone.now()):
                note = _("未签收") if item.status == rules.SupervisionStatus.ISSUED else _("未按期报送说明")
                _step(item, rules.SupervisionAction.ESCALATE, actor=None, note=note)
                escalated += 1
    return escalated


# --- Leaders' 批示 ------------------------------------------------------------------------------------------


def instruction_create(
    *,
    user,
    text: str,
    item: SupervisionItem | None = None,
    indicator: Indicator | None = None,
    task: Task | None = None,
) -> Instruction:
    """A leader's 批示 on an item, an indicator or a task; the department that answers for it must reply."""
    subjects = [s for s in (item, indicator, task) if s is not None]
    if len(subjects) != 1:
        raise ValidationError({"subject": [_("批示必须针对一个督办事项、指标或任务。")]})
    subject = subjects[0]
    plan = subject.plan
    if not can_instruct(user, plan.city_id):
        raise Forbidden(_("只有本市领导小组成员可以作出批示。"))
    errors = {}
    if not (text or "").strip():
        errors["text"] = [_("请填写批示内容。")]
    if item is not None:
        department = item.department
        if item.status == CLOSED:
            errors["subject"] = [_("该督办事项已办结，不能再批示。")]
    elif indicator is not None:
        department = indicator.lead_department
    else:
        department = task_lead_department(task)
        if department is None:
            errors["subject"] = [_("该任务没有牵头单位，无人答复批示。")]
    if errors:
        raise ValidationError(errors)
    instruction = Instruction(
        plan=plan, item=item, indicator=indicator, task=task, department=department, author=user, text=text.strip()
    )
    instruction.full_clean()
    with transaction.atomic():
        instruction.save()
        notify(
            recipient_ids=users_in_departments(department_ids=[department.pk], roles=TASK_UPDATE_ROLES),
            key=f"instruction:{instruction.pk}",
            kind=Notification.Kind.INSTRUCTION,
            title=_("领导批示：「%(subject)s」，请答复") % {"subject": _subject_text(instruction)},
            body=instruction.text,
            link=instruction_link(instruction),
        )
    return instruction


def instruction_answer(*, user, instruction: Instruction, answer: str) -> Instruction:
    """The department's reply to a 批示, once; the leader and the office hear of it."""
    if not can_answer_instruction(user, instruction):
        raise Forbidden(_("只有批示要求答复的部门可以答复。"))
    if instruction.answered_at is not None:
        raise ValidationError(_("该批示已答复。"))
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写答复内容。")]})
    now = timezone.now()
    changes = {"answer": answer.strip(), "answered_by": user, "answered_at": now}
    with transaction.atomic():
        if not Instruction.objects.filter(pk=instruction.pk, answered_at__isnull=True).update(**changes):
            raise Conflict(_("该批示刚刚已被答复，请刷新页面。"))
        for name, value in changes.items():
            setattr(instruction, name, value)
        office = users_in_cities(city_ids=[instruction.plan.city_id], roles=SUPERVISION_REVIEW_ROLES)
        notify(
            recipient_ids=[instruction.author_id, *office],
            key=f"instruction-answer:{instruction.pk}",
            kind=Notification.Kind.INSTRUCTION,
            title=_("%(department)s已答复批示：「%(subject)s」")
            % {"department": instruction.department, "subject": _subject_text(instruction)},
            body=instruction.answer,
            link=instruction_link(instruction),
        )
    return instruction


def instruction_link(instruction: Instruction) -> str:
    """Where a 批示 is read and answered: its item's page, or its task's; an indicator's on the 批示 list."""
    if instruction.item_id:
        return reverse("tasks:supervision_detail", args=[instruction.item_id])
    if instruction.task_id:
        return reverse("tasks:task_detail", args=[instruction.task_id])
    return reverse("tasks:instruction_list") + f"#instruction-{instruction.pk}"


def _subject_text(instruction: Instruction) -> str:
    subject = instruction.subject
    return str(subject.subject) if instruction.item_id else str(subject)


# --- Who hears about a step ----------------------------------------------------------------------------

ESCALATION_ROLES = (Role.BUREAU_STAFF, Role.LEADER)
"""The leading-group office (in the bureau) and the leading group's members."""

TO_OFFICE = (rules.SupervisionAction.ACKNOWLEDGE, rules.SupervisionAction.SUBMIT)
"""Steps the department takes: the office acts next."""


def _step(item: SupervisionItem, action: rules.SupervisionAction, *, actor, **fields) -> SupervisionStep:
    step = SupervisionStep.objects.create(item=item, action=action, actor=actor, **fields)
    _notify_step(item, step)
    return step


def _notify_step(item: SupervisionItem, step: SupervisionStep) -> None:
    """Whoever must act next hears of the step: the department, the office, or on escalation the leaders."""
    subject = str(item.subject)
    city_id = item.plan.city_id
    action = rules.SupervisionAction(step.action)
    kind = Notification.Kind.SUPERVISION
    if action == rules.SupervisionAction.ISSUE:
        recipients = users_in_departments(department_ids=[item.department_id], roles=TASK_UPDATE_ROLES)
        title = _("督办：%(reason)s「%(subject)s」，请于%(ack)s前签收，%(due)s前报送滞后说明和整改措施") % {
            "reason": item.get_reason_display(),
            "subject": subject,
            "ack": item.acknowledge_due,
            "due": item.due_date,
        }
    elif action in TO_OFFICE:
        recipients = users_in_cities(city_ids=[city_id], roles=SUPERVISION_REVIEW_ROLES)
        title = _("%(department)s已%(action)s督办事项：「%(subject)s」") % {
            "department": item.department,
            "action": step.get_action_display(),
            "subject": subject,
        }
    elif action == rules.SupervisionAction.ESCALATE:
        recipients, kind = users_in_cities(city_ids=[city_id], roles=ESCALATION_ROLES), Notification.Kind.ESCALATION
        title = _("督办逾期升级：%(department)s%(what)s「%(subject)s」（期限%(due)s）") % {
            "department": item.department,
            "what": step.note,
            "subject": subject,
            "due": rules.supervision_current_due(
                item.status,
                acknowledge_due=item.acknowledge_due,
                due_date=item.due_date,
                measures_due=item.measures_due,
            ),
        }
    else:
        recipients = users_in_departments(department_ids=[item.department_id], roles=TASK_UPDATE_ROLES)
        title = _("督办事项「%(subject)s」：%(action)s") % {"subject": subject, "action": step.get_action_display()}
    body = "\n".join(part for part in (step.note, step.explanation, step.measures) if part)
    notify(
        recipient_ids=recipients,
        key=f"supervision-step:{step.pk}",
        kind=kind,
        title=title,
        body=body,
        link=reverse("tasks:supervision_detail", args=[item.pk]),
    )


def lagging_indicators_supervise(*, as_of: dt.date, is_demo: bool = False) -> int:
    """Raise a supervision item for every open lag flag of a lagging indicator that has none yet."""
    flags = LagFlag.objects.filter(
        cleared_on__isnull=True,
        status=Status.LAGGING,
        supervision_items__isnull=True,
        indicator__plan__is_archived=False,
    ).select_related("indicator__plan", "indicator__lead_department")
    return sum(1 for flag in flags if indicator_supervision_raise(flag=flag, as_of=as_of, is_demo=is_demo))


# --- The daily reminder job ------------------------------------------------------------------------------


def deadline_reminders_run(*, as_of: dt.date) -> dict[str, int]:
    """Remind about reports due soon or overdue, raise supervision items for lags, escalate overdue items.

    Safe to run any number of times a day: every notification is keyed by its event (plan, quarter,
    department), supervision items are unique per lag flag or per task and quarter, and escalation is a
    conditional UPDATE; so a second run sends nothing twice.
    """
    counts = {"notifications": 0, "supervision_items": 0, "escalated": 0}
    plans = Plan.objects.filter(is_archived=False).select_related("city")
    for plan in plans:
        due = rules.reminder_due(plan.period_start, plan.period_end, plan.reporting_lag_days, as_of)
        if due is None:
            continue
        quarter, kind = due
        counts["notifications"] += _remind_figures(plan, quarter, kind)
        matrix = task_matrix(plan=plan, quarter=quarter, tasks=plan.tasks.all(), as_of=as_of)
        counts["notifications"] += _remind_task_updates(matrix, kind)
        if kind == rules.ReminderKind.OVERDUE:
            counts["supervision_items"] += late_tasks_supervise(matrix=matrix, as_of=as_of)
    counts["supervision_items"] += lagging_indicators_supervise(as_of=as_of)
    counts["escalated"] = supervision_escalate_overdue(as_of=as_of)
    return counts


def _reminder_texts(kind: rules.ReminderKind, deadline: dt.date) -> tuple[str, str]:
    """(notification kind, the phrase for the title)."""
    if kind == rules.ReminderKind.OVERDUE:
        return Notification.Kind.OVERDUE, _("已逾期（截止%(deadline)s）") % {"deadline": deadline}
    return Notification.Kind.DUE_SOON, _("将于%(deadline)s截止") % {"deadline": deadline}


def _remind_figures(plan: Plan, quarter: rules.Quarter, kind: rules.ReminderKind) -> int:
    """The bureau staff enter the figures: tell them which indicators still have none submitted."""
    missing = list(figures_not_submitted(plan=plan, quarter=quarter).values_list("name", flat=True))
    if not missing:
        return 0
    notification_kind, when = _reminder_texts(kind, quarter.reporting_deadline(plan.reporting_lag_days))
    return notify(
        recipient_ids=users_in_cities(city_ids=[plan.city_id], roles=[Role.BUREAU_STAFF]),
        key=keys.figures_reminder(plan_id=plan.pk, quarter=str(quarter), kind=kind),
        kind=notification_kind,
        title=_("%(plan)s %(quarter)s指标数据%(when)s：%(count)d项未提交")
        % {"plan": plan.title, "quarter": quarter.label, "when": when, "count": len(missing)},
        body="\n".join(missing),
        link=reverse("plan", args=[plan.code]),
    )


def _remind_task_updates(matrix, kind: rules.ReminderKind) -> int:
    """Each department hears once per quarter about the tasks it still owes a report on."""
    wanted = rules.ReportStatus.MISSING if kind == rules.ReminderKind.OVERDUE else rules.ReportStatus.PENDING
    notification_kind, when = _reminder_texts(kind, matrix.deadline)
    sent = 0
    for column, department in enumerate(matrix.departments):
        owed = [row.task for row in matrix.rows if row.cells[column] and row.cells[column].status == wanted]
        if not owed:
            continue
        sent += notify(
            recipient_ids=users_in_departments(department_ids=[department.pk], roles=TASK_UPDATE_ROLES),
            key=keys.task_updates_reminder(
                plan_id=matrix.plan.pk, quarter=str(matrix.quarter), department_id=department.pk, kind=kind
            ),
            kind=notification_kind,
            title=_("%(quarter)s任务进展%(when)s：%(count)d项未报送")
            % {"quarter": matrix.quarter.label, "when": when, "count": len(owed)},
            body="\n".join(str(task) for task in owed),
            link=reverse("tasks:mine"),
        )
    return sent


def late_tasks_supervise(*, matrix, as_of: dt.date, is_demo: bool = False) -> int:
    """A task whose answering department's report is overdue goes to supervision: its lead department's
    consolidated report, or where a plan names no lead (朝阳 lists only 责任单位) its first assignee's, the
    department task_lead_department makes answer for it.

    Regression: a plan without lead departments never raised a 逾期未报 item."""
    raised = 0
    columns = {department.pk: index for index, department in enumerate(matrix.departments)}
    for row in matrix.rows:
        answering = task_lead_department(row.task)
        column = columns.get(answering.pk) if answering else None
        cell = row.cells[column] if column is not None else None
        if (
            cell
            and cell.status == rules.ReportStatus.MISSING
            and task_supervision_raise(
                task=row.task,
                quarter=matrix.quarter,
                reason=SupervisionItem.Reason.TASK_LATE,
                as_of=as_of,
                is_demo=is_demo,
            )
        ):
            raised += 1
    return raised


# --- The department overview's light rule ---------------------------------------------------------------


def department_light_rule_set(*, user, plan: Plan, levels: dict[str, str]) -> DepartmentLightRule:
    """Set how the plan's department overview lights a department: per signal "red", "yellow" or "" (none).

    The leading-group office's decision (who issues 督办); every signal must be given, an unknown level is
    refused with the signal's name, and nothing is saved on a refusal."""
    if not can_issue_supervision(user, plan.city_id):
        raise Forbidden(_("只有本市领导小组办公室可以设置部门亮灯规则。"))
    allowed = {rules.Light.RED.value, rules.Light.YELLOW.value, ""}
    errors = {}
    for signal in rules.Signal:
        if levels.get(signal.value) not in allowed:
            errors[signal.value] = [
                _("“%(signal)s”只能设为红灯、黄灯或不亮灯。") % {"signal": rules.SIGNAL_LABELS[signal]}
            ]
    if errors:
        raise ValidationError(errors)
    rule, _created = DepartmentLightRule.objects.update_or_create(
        plan=plan,
        defaults={**{s.value: levels[s.value] for s in rules.Signal}, "updated_by": user, "updated_at": timezone.now()},
    )
    return rule
