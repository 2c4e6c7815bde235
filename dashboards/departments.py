"""The department overview page (部门落实情况): which plan and quarter a user asked for, and what they may do.

The numbers are tasks.departments.department_overview's, the ones the API and the quarterly workbook give.
"""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import can_issue_supervision, can_see_task_overview
from core.errors import Forbidden, Invalid
from core.periods import Quarter
from indicators.services import today
from plans.models import Plan
from plans.selectors import current_plan
from tasks import rules
from tasks.departments import (
    DepartmentOverview,
    department_overview,
    light_rule,
    overview_quarters,
    quarter_asked,
)
from tasks.forms import DepartmentLightRuleForm


@dataclass
class DepartmentPage:
    overview: DepartmentOverview
    plans: list[Plan]
    quarters: list[Quarter]
    may_set_rule: bool
    form: DepartmentLightRuleForm | None

    @property
    def plan(self) -> Plan:
        return self.overview.plan

    @property
    def signals(self) -> list[str]:
        return [str(rules.SIGNAL_LABELS[s]) for s in rules.Signal]


def overview_plan(*, user, plan_code: str) -> Plan:
    """A plan the user may see (else 404) whose department overview they may read (else 403: the office's and
    the leaders' page, as the bureau matrix)."""
    plan = get_object_or_404(Plan.objects.visible_to(user).select_related("city"), code=plan_code)
    if not can_see_task_overview(user, plan.city_id):
        raise Forbidden(_("部门落实情况仅对本市市场监管局和领导小组成员开放。"))
    return plan


def home_plan(*, user) -> Plan:
    """The plan /departments/ opens on: the current plan of the first city whose overview the user may read."""
    plans = [
        p
        for p in Plan.objects.visible_to(user).select_related("city").order_by("city__code", "period_start")
        if can_see_task_overview(user, p.city_id)
    ]
    if not plans:
        raise Forbidden(_("部门落实情况仅对本市市场监管局和领导小组成员开放。"))
    first_city = plans[0].city_id
    return current_plan([p for p in plans if p.city_id == first_city], today())


def parse_quarter(plan: Plan, text: str | None, on: dt.date) -> Quarter:
    """The quarter asked for (tasks.departments.quarter_asked); one the plan does not have is a 404."""
    try:
        return quarter_asked(plan, text, on)
    except Invalid as error:
        raise Http404 from error


def department_page(*, user, plan: Plan, quarter_text: str | None, form=None) -> DepartmentPage:
    day = today()
    quarter = parse_quarter(plan, quarter_text, day)
    may_set = can_issue_supervision(user, plan.city_id)
    if may_set and form is None:
        form = DepartmentLightRuleForm(rule=light_rule(plan))
    return DepartmentPage(
        overview=department_overview(plan=plan, quarter=quarter, today=day),
        plans=list(plan.city.plans.order_by("period_start", "code")),
        quarters=overview_quarters(plan, day),
        may_set_rule=may_set,
        form=form if may_set else None,
    )
