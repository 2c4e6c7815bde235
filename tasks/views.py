"""Task pages: my tasks, a task with its updates, the bureau matrix, supervision items, the leading group.

Thin: every read is a selector, every write a service; a page a user may not see answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.access import (
    can_answer_instruction,
    can_answer_supervision,
    can_instruct,
    can_issue_supervision,
    can_review_supervision,
    can_see_department_updates,
    can_update_task,
    user_department_id,
)
from core.errors import Conflict, Forbidden
from indicators.models import Indicator
from plans.models import City, Department
from tasks import rules, selectors, services
from tasks.departments import roster_standings
from tasks.filtersets import SupervisionItemFilterSet, task_matrix_query
from tasks.forms import (
    InstructionAnswerForm,
    InstructionCreateForm,
    InstructionForm,
    SupervisionAcknowledgeForm,
    SupervisionAnswerForm,
    SupervisionCloseEarlyForm,
    SupervisionCloseForm,
    SupervisionIssueForm,
    SupervisionNoteForm,
    SupervisionReturnForm,
    TaskUpdateForm,
)
from tasks.models import TaskAssignment, TaskUpdate


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's messages next to the form's fields; anything else above the form."""
    if isinstance(error, Conflict):
        form.add_error(None, str(error))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


# --- My tasks / a department's tasks ---------------------------------------------------------------------


@login_required
def my_tasks(request):
    department_id = user_department_id(request.user)
    department = Department.objects.select_related("city").get(pk=department_id) if department_id else None
    return _department_tasks_page(request, department, mine=True)


@login_required
def department_tasks(request, pk):
    return _department_tasks_page(request, selectors.visible_department(user=request.user, pk=pk), mine=False)


def _department_tasks_page(request, department, *, mine: bool):
    as_of = timezone.localdate()
    show_updates = department is not None and can_see_department_updates(request.user, department)
    context = {
        "department": department,
        "mine": mine,
        "show_updates": show_updates,
        "rows": [],
        "supervision_items": [],
        "instructions": [],
    }
    if department is not None:
        context["rows"] = selectors.department_tasks(department=department, as_of=as_of)
    if show_updates:
        context["supervision_items"] = (
            selectors.visible_supervision(user=request.user, as_of=as_of)
            .filter(department=department)
            .exclude(status=rules.SupervisionStatus.CLOSED)
        )
        context["instructions"] = [
            (i, _answer_form(request.user, i))
            for i in selectors.visible_instructions(user=request.user).filter(
                department=department, answered_at__isnull=True
            )
        ]
    return render(request, "tasks/department_tasks.html", context)


# --- One task: its updates and the quarterly update form -----------------------------------------------


@login_required
def task_detail(request, pk):
    return _task_page(request, selectors.task_detail(user=request.user, pk=pk))


@login_required
@require_POST
def task_update_create(request, pk):
    task = selectors.task_detail(user=request.user, pk=pk)
    form = _update_form(task, request.user, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update_submit(
                user=request.user,
                task=task,
                quarter=data["quarter"],
                state=data["state"],
                text=data["text"],
                evidence_file=data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("任务进展已报送。"))
            return redirect("tasks:task_detail", pk=task.pk)
    return _task_page(request, task, form=form, status=400)


def _update_form(task, user, *args):
    """A new update starts from the department's last reported state."""
    plan = task.plan
    as_of = timezone.localdate()
    return TaskUpdateForm(
        *args,
        quarters=rules.reportable_quarters(plan.period_start, plan.period_end, as_of),
        last=selectors.last_reported_state(task=task, department_id=user_department_id(user)),
        initial={"quarter": str(rules.default_quarter(plan.period_start, plan.period_end, as_of))},
    )


def _task_page(request, task, *, form=None, instruction_form=None, status=200):
    user = request.user
    if form is None and can_update_task(user, task):
        form = _update_form(task, user)
    department_id = user_department_id(user)
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "form": form,
            "assignments_by_role": [
                (label, [a for a in task.assignments.all() if a.role == role])
                for role, label in TaskAssignment.Role.choices
            ],
            "role": selectors.department_role(task, department_id) if department_id else None,
            "updates": selectors.task_updates(user=user, task=task),
            "supervision_items": selectors.visible_supervision(user=user, as_of=timezone.localdate()).filter(task=task),
            "instructions": [(i, _answer_form(user, i)) for i in selectors.instructions_for(user=user, task=task)],
            "can_instruct": can_instruct(user, task.plan.city_id),
            "instruction_form": instruction_form or InstructionForm(),
            "can_issue": can_issue_supervision(user, task.plan.city_id),
        },
        status=status,
    )


@login_required
@require_POST
def task_instruct(request, pk):
    """A leader's 批示 on a task, written on the task's page."""
    task = selectors.task_detail(user=request.user, pk=pk)
    form = InstructionForm(request.POST)
    if form.is_valid():
        try:
            services.instruction_create(user=request.user, task=task, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("批示已发出。"))
            return redirect("tasks:task_detail", pk=task.pk)
    return _task_page(request, task, instruction_form=form, status=400)


@login_required
def evidence_download(request, pk):
    update = get_object_or_404(TaskUpdate.objects.exclude(evidence="").visible_to(request.user), pk=pk)
    return evidence_file_response(update)


def evidence_file_response(update: TaskUpdate) -> FileResponse:
    """Always a download, typed as checked on upload, never rendered or sniffed by the browser."""
    try:
        handle = update.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=update.evidence_name or "evidence",
        content_type=update.evidence_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- The bureau matrix ------------------------------------------------------------------------------------


@login_required
def task_matrix(request):
    as_of = timezone.localdate()
    try:
        query = task_matrix_query(user=request.user, params=request.GET, as_of=as_of)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("tasks:task_matrix")
    matrix = selectors.task_matrix(
        plan=query.plan,
        quarter=query.quarter,
        tasks=query.filterset.qs,
        as_of=as_of,
        department=query.filterset.form.cleaned_data.get("department"),
    )
    return render(request, "tasks/task_matrix.html", {"query": query, "matrix": matrix})


# --- Supervision items (督办) and 批示 ----------------------------------------------------------------------


@login_required
def supervision_list(request):
    as_of = timezone.localdate()
    filterset = SupervisionItemFilterSet(
        request.GET, queryset=selectors.visible_supervision(user=request.user, as_of=as_of), request=request
    )
    return render(
        request,
        "tasks/supervision_list.html",
        {"filterset": filterset, "items": filterset.qs, "can_issue": _issuable_city(request.user) is not None},
    )


def _issuable_city(user):
    """The city whose office the user is (admins: none here; they use the API or the admin)."""
    city_id = getattr(getattr(user, "profile", None), "city_id", None)
    return city_id if city_id and can_issue_supervision(user, city_id) else None


def _subject_choices(user):
    """The indicators and tasks of the user's city, for the by-hand 督办 and the 批示 forms."""
    city_id = getattr(getattr(user, "profile", None), "city_id", None)
    indicators = Indicator.objects.visible_to(user).filter(plan__city_id=city_id).order_by("plan_id", "order")
    tasks = selectors.visible_tasks(user=user).filter(plan__city_id=city_id).prefetch_related("assignments")
    return {"indicators": list(indicators), "tasks": list(tasks.order_by("plan_id", "order"))}


def _initial_subject(request):
    for kind in ("indicator", "task"):
        if request.GET.get(kind, "").isdigit():
            return {"subject": f"{kind}:{request.GET[kind]}"}
    return {}


@login_required
def supervision_new(request):
    """下发 by hand: the office picks one of its indicators or tasks and says what it wants explained."""
    if _issuable_city(request.user) is None:
        raise Forbidden(_("只有市场监管局（领导小组办公室）可以下发督办。"))
    choices = _subject_choices(request.user)
    if request.method == "POST":
        form = SupervisionIssueForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.supervision_issue(
                    user=request.user, note=data["note"], due_date=data["due_date"], **data["subject"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("督办事项已下发。"))
                return redirect("tasks:supervision_detail", pk=item.pk)
        return render(request, "tasks/supervision_new.html", {"form": form}, status=400)
    form = SupervisionIssueForm(initial=_initial_subject(request), **choices)
    return render(request, "tasks/supervision_new.html", {"form": form})


SUPERVISION_ACTIONS = {
    "acknowledge": (SupervisionAcknowledgeForm, services.supervision_acknowledge),
    "submit": (SupervisionAnswerForm, services.supervision_submit),
    "return": (SupervisionReturnForm, services.supervision_return),
    "accept": (SupervisionNoteForm, services.supervision_accept),
    "close": (SupervisionCloseForm, services.supervision_close),
    "close_early": (SupervisionCloseEarlyForm, services.supervision_close_early),
    "instruct": (
        InstructionForm,
        lambda *, user, item, text: services.instruction_create(user=user, item=item, text=text),
    ),
}
ACTION_LABELS = {**rules.SUPERVISION_ACTION_LABELS, "instruct": _lazy("领导批示")}


@login_required
def supervision_detail(request, pk):
    return _supervision_page(
        request, selectors.supervision_detail(user=request.user, pk=pk, as_of=timezone.localdate())
    )


@login_required
@require_POST
def supervision_act(request, pk, action):
    if action not in SUPERVISION_ACTIONS:
        raise Http404
    item = selectors.supervision_detail(user=request.user, pk=pk, as_of=timezone.localdate())
    form_class, service = SUPERVISION_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(user=request.user, item=item, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已%(action)s。") % {"action": ACTION_LABELS[action]})
            return redirect("tasks:supervision_detail", pk=item.pk)
    return _supervision_page(request, item, bound={action: form}, status=400)


def _supervision_page(request, item, *, bound=None, status=200):
    """The item with its steps, its 批示 and the forms of the actions this user may take now."""
    user = request.user
    bound = bound or {}
    forms = {}
    if can_answer_supervision(user, item):
        for action in ("acknowledge", "submit"):
            if rules.supervision_next_status(item.status, action):
                forms[action] = SUPERVISION_ACTIONS[action][0]()
    if can_review_supervision(user, item):
        for action in ("accept", "return", "close", "close_early"):
            if rules.supervision_next_status(item.status, action):
                forms[action] = SUPERVISION_ACTIONS[action][0]()
    if can_instruct(user, item.plan.city_id) and item.status != rules.SupervisionStatus.CLOSED:
        forms["instruct"] = InstructionForm()
    forms.update(bound)  # a refused action shows its message even when the user may no longer take it
    actions = [(action, ACTION_LABELS[action], form) for action, form in forms.items()]
    instructions = [(i, _answer_form(user, i)) for i in item.instructions.all()]
    return render(
        request,
        "tasks/supervision_detail.html",
        {"item": item, "actions": actions, "instructions": instructions, "light_label": _light_label(item)},
        status=status,
    )


def _light_label(item):
    return rules.LIGHT_LABELS[item.light] if getattr(item, "light", None) else None


def _answer_form(user, instruction, bound=None):
    if instruction.answered_at is None and can_answer_instruction(user, instruction):
        return bound or InstructionAnswerForm()
    return None


@login_required
def instruction_list(request):
    """批示: leaders see what they wrote and whether it was answered, the office which are unanswered, a
    department what it must answer; leaders write a new one on an indicator or a task here."""
    user = request.user
    city_id = getattr(getattr(user, "profile", None), "city_id", None)
    create_form = None
    status = 200
    if city_id and can_instruct(user, city_id):
        choices = _subject_choices(user)
        if request.method == "POST":
            create_form = InstructionCreateForm(request.POST, **choices)
            if create_form.is_valid():
                data = create_form.cleaned_data
                try:
                    services.instruction_create(user=user, text=data["text"], **data["subject"])
                except ValidationError as error:
                    add_service_errors(create_form, error)
                else:
                    messages.success(request, _("批示已发出。"))
                    return redirect("tasks:instruction_list")
            status = 400
        else:
            create_form = InstructionCreateForm(initial=_initial_subject(request), **choices)
    elif request.method == "POST":
        raise Forbidden(_("只有本市领导小组成员可以作出批示。"))
    instructions = [(i, _answer_form(user, i)) for i in selectors.visible_instructions(user=user)]
    return render(
        request,
        "tasks/instruction_list.html",
        {"instructions": instructions, "create_form": create_form},
        status=status,
    )


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else None


@login_required
@require_POST
def instruction_answer(request, pk):
    instruction = selectors.instruction_detail(user=request.user, pk=pk)
    form = InstructionAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.instruction_answer(user=request.user, instruction=instruction, answer=form.cleaned_data["answer"])
        except (ValidationError, Conflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("批示已答复。"))
            return redirect(_safe_next(request) or services.instruction_link(instruction))
    for error in form.errors.get("answer", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect(services.instruction_link(instruction))


# --- Leading group ----------------------------------------------------------------------------------------


@login_required
def leading_group_home(request):
    city = City.objects.visible_to(request.user).first()
    if city is None:
        raise Http404
    return redirect("tasks:leading_group", city=city.code)


@login_required
def leading_group(request, city):
    city, members = selectors.leading_group_roster(user=request.user, city_code=city)
    standings = roster_standings(user=request.user, members=members)
    for member in members:
        member.standing = standings.get((member.plan_id, member.department_id))
    return render(
        request,
        "tasks/leading_group.html",
        {
            "city": city,
            "members": members,
            "cities": City.objects.visible_to(request.user),
            "lit_plans": {plan_id for plan_id, _department in standings},
        },
    )
