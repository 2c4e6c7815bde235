"""Task pages: my tasks, a task with its updates, the bureau matrix, supervision items, the leading group.

Thin: every read is a selector, every write a service; a page a user may not see answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    can_answer_supervision,
    can_review_supervision,
    can_see_department_updates,
    can_update_task,
    user_department_id,
)
from plans.models import City, Department
from tasks import rules, selectors, services
from tasks.filtersets import SupervisionItemFilterSet, task_matrix_query
from tasks.forms import SupervisionAnswerForm, SupervisionNoteForm, SupervisionReturnForm, TaskUpdateForm
from tasks.models import TaskAssignment, TaskUpdate


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's messages next to the form's fields; anything else above the form."""
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
    }
    if department is not None:
        context["rows"] = selectors.department_tasks(department=department, as_of=as_of)
    if show_updates:
        context["supervision_items"] = (
            selectors.visible_supervision(user=request.user, as_of=as_of)
            .filter(department=department)
            .exclude(status=rules.SupervisionStatus.CLOSED)
        )
    return render(request, "tasks/department_tasks.html", context)


# --- One task: its updates and the quarterly update form -----------------------------------------------


@login_required
def task_detail(request, pk):
    return _task_page(request, selectors.task_detail(user=request.user, pk=pk))


@login_required
@require_POST
def task_update_create(request, pk):
    task = selectors.task_detail(user=request.user, pk=pk)
    form = _update_form(task, request.POST, request.FILES)
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


def _update_form(task, *args):
    plan = task.plan
    as_of = timezone.localdate()
    return TaskUpdateForm(
        *args,
        quarters=rules.reportable_quarters(plan.period_start, plan.period_end, as_of),
        initial={"quarter": str(rules.default_quarter(plan.period_start, plan.period_end, as_of))},
    )


def _task_page(request, task, *, form=None, status=200):
    user = request.user
    if form is None and can_update_task(user, task):
        form = _update_form(task)
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
        },
        status=status,
    )


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


# --- Supervision items (督办) -------------------------------------------------------------------------------


@login_required
def supervision_list(request):
    as_of = timezone.localdate()
    filterset = SupervisionItemFilterSet(
        request.GET, queryset=selectors.visible_supervision(user=request.user, as_of=as_of)
    )
    return render(request, "tasks/supervision_list.html", {"filterset": filterset, "items": filterset.qs})


SUPERVISION_ACTIONS = {
    "submit": (SupervisionAnswerForm, services.supervision_submit),
    "return": (SupervisionReturnForm, services.supervision_return),
    "accept": (SupervisionNoteForm, services.supervision_accept),
    "close": (SupervisionNoteForm, services.supervision_close),
}


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
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已%(action)s。") % {"action": rules.SUPERVISION_ACTION_LABELS[action]})
            return redirect("tasks:supervision_detail", pk=item.pk)
    return _supervision_page(request, item, bound={action: form}, status=400)


def _supervision_page(request, item, *, bound=None, status=200):
    """The item with its steps and the forms of the actions this user may take now."""
    bound = bound or {}
    forms = {}
    if can_answer_supervision(request.user, item) and rules.supervision_next_status(item.status, "submit"):
        forms["submit"] = bound.get("submit") or SupervisionAnswerForm()
    if can_review_supervision(request.user, item):
        if rules.supervision_next_status(item.status, "accept"):
            forms["accept"] = bound.get("accept") or SupervisionNoteForm()
            forms["return"] = bound.get("return") or SupervisionReturnForm()
        if rules.supervision_next_status(item.status, "close"):
            forms["close"] = bound.get("close") or SupervisionNoteForm()
    forms.update(bound)  # a refused action shows its message even when the user may no longer take it
    actions = [(action, rules.SUPERVISION_ACTION_LABELS[action], form) for action, form in forms.items()]
    return render(request, "tasks/supervision_detail.html", {"item": item, "actions": actions}, status=status)


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
    return render(
        request,
        "tasks/leading_group.html",
        {
            "city": city,
            "members": members,
            "cities": City.objects.visible_to(request.user),
        },
    )
