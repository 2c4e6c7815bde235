"""Dashboard pages. Thin: read the as-of quarter, call one selector, render; what a user may not see is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import user_role
from accounts.models import Role
from dashboards import departments, selectors
from plans.models import City
from tasks.departments import light_rule
from tasks.forms import DepartmentLightRuleForm
from tasks.services import department_light_rule_set
from tasks.views import add_service_errors


def _as_of(request) -> selectors.AsOf:
    return selectors.as_of_from(request.GET.get("as_of"))


def _as_of_form(choices, **keep) -> dict:
    """The as-of selector (templates/dashboards/_as_of.html, included by base.html); `keep` rides along."""
    return {"choices": choices, "keep": [(k, v) for k, v in keep.items() if v]}


def _overview(request, as_of):
    page = selectors.cities_overview(user=request.user, as_of=as_of, page=request.GET.get("page"))
    return render(request, "dashboards/overview.html", {"page": page, "as_of_form": _as_of_form(page.choices)})


def _city(request, as_of, **city):
    plan_code = request.GET.get("plan")
    page = selectors.city_dashboard(user=request.user, as_of=as_of, plan_code=plan_code, **city)
    return render(
        request, "dashboards/city.html", {"page": page, "as_of_form": _as_of_form(page.choices, plan=plan_code)}
    )


@login_required
def home(request):
    """Department clerks land on their tasks; a city's other users on their city; administrators and anyone
    allowed several cities on the overview."""
    role = user_role(request.user)
    if role == Role.DEPARTMENT:
        return redirect("tasks:mine")
    as_of = _as_of(request)
    if role not in (None, Role.ADMIN, Role.PROVINCIAL) and request.user.profile.city_id:
        return _city(request, as_of, city_id=request.user.profile.city_id)
    if role == Role.PROVINCIAL:
        assigned = list(City.objects.visible_to(request.user).values_list("pk", flat=True)[:2])
        if len(assigned) == 1:
            return _city(request, as_of, city_id=assigned[0])
    return _overview(request, as_of)


@login_required
def overview(request):
    return _overview(request, _as_of(request))


@login_required
def city(request, code):
    return _city(request, _as_of(request), city_code=code)


@login_required
def indicator(request, pk):
    page = selectors.indicator_page(user=request.user, pk=pk, as_of=_as_of(request))
    return render(request, "dashboards/indicator.html", {"page": page, "as_of_form": _as_of_form(page.choices)})


@login_required
def compare(request):
    key = request.GET.get("key")
    page = selectors.comparison(user=request.user, key=key, as_of=_as_of(request), page=request.GET.get("page"))
    return render(
        request, "dashboards/compare.html", {"page": page, "as_of_form": _as_of_form(page.choices, key=page.key)}
    )


# --- The department overview (部门落实情况) ----------------------------------------------------------------


@login_required
def departments_home(request):
    plan = departments.home_plan(user=request.user)
    return redirect("dashboards:departments", plan_code=plan.code)


@login_required
def departments_page(request, plan_code):
    plan = departments.overview_plan(user=request.user, plan_code=plan_code)
    page = departments.department_page(user=request.user, plan=plan, quarter_text=request.GET.get("quarter"))
    return render(request, "dashboards/departments.html", {"page": page})


@login_required
@require_POST
def departments_rule(request, plan_code):
    """The office sets the plan's light rule; a refused value re-renders the page with the field's message."""
    plan = departments.overview_plan(user=request.user, plan_code=plan_code)
    form = DepartmentLightRuleForm(request.POST, rule=light_rule(plan))
    quarter = request.POST.get("quarter", "")
    if form.is_valid():
        try:
            department_light_rule_set(user=request.user, plan=plan, levels=dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存部门亮灯规则。"))
            url = reverse("dashboards:departments", args=[plan.code])
            return redirect(f"{url}?{urlencode({'quarter': quarter})}" if quarter else url)
    page = departments.department_page(user=request.user, plan=plan, quarter_text=quarter, form=form)
    return render(request, "dashboards/departments.html", {"page": page}, status=400)
