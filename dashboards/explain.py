"""Words that explain a page: what an indicator that cannot be judged yet waits for, and the 说明 of a dashboard.

Read by dashboards.selectors for every page, so the indicator page's panel and the dashboard lists' line say the
same thing, and the four dashboards carry the same 说明 built from core.status and the plans' settings.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core import progress
from core.numbers import quantity
from core.periods import YEARLY
from core.reasons import period_words
from core.status import STATUS_ORDER, Status, status_label, status_meaning
from indicators.models import Indicator
from indicators.services import indicator_rule, plan_rule
from plans.models import Department

# Statuses with nothing to judge: the page shows what is missing instead of an empty chart.
WAITING_STATUSES = (Status.INCOMPLETE, Status.QUALITATIVE, Status.NO_DATA, Status.AWAITING_REVIEW)
BASE_CODES = ("base_missing", "base_missing_year", "base_year_missing")
TARGET_CODES = ("target_missing", "invalid_target")
DEFAULT_OWNER = "市市场监管局（知识产权局）"


@dataclass(frozen=True)
class Waiting:
    """What a verdict waits for, who supplies it and by when (the next reporting deadline)."""

    what: str
    who: str
    when: str
    enters_base: bool = False  # the missing number is a base, entered on the indicator's figures page
    qualitative: bool = False  # nothing is missing: it is judged on its tasks' reports

    @property
    def line(self) -> str:
        """The one line the dashboard lists show."""
        words = {"what": self.what, "who": self.who, "when": self.when}
        if self.qualitative:
            return _("依据：%(what)s；%(who)s；%(when)s") % words
        return _("待补：%(what)s；%(who)s；%(when)s") % words


def owner_name(city_ref: str) -> Subquery:
    """The name of the bureau that runs the programme in a row's city, annotated onto the page's own query
    (no query of its own): `.annotate(owner_name=owner_name("city"))`."""
    owners = Department.objects.filter(city=OuterRef(city_ref), is_programme_owner=True).values("name")[:1]
    return Subquery(owners)


def _deadline_words(rule: progress.IndicatorRule, as_of: dt.date) -> tuple[str, str | None]:
    """(when, period words) of the next period still to be reported on as_of."""
    upcoming = progress.next_deadline(rule, as_of)
    if upcoming is None:
        return _("实施期已结束，请尽快补齐"), None
    period, deadline = upcoming
    words = period_words(period.isoformat(), rule.frequency)
    return _("下次报送截止%(date)s（%(period)s数据）") % {"date": deadline.isoformat(), "period": words}, words


def waiting_for(
    indicator: Indicator,
    result: progress.Progress,
    *,
    as_of: dt.date,
    owner: str | None,
    rule: progress.PlanRule | None = None,
) -> Waiting | None:
    """What an indicator that cannot be judged yet is missing; None when it has a verdict.

    Leaders read who supplies it, never a form to fill: only bureau staff enter figures and bases.
    """
    if result.status not in WAITING_STATUSES:
        return None
    owner = owner or DEFAULT_OWNER
    rule = indicator_rule(indicator, interim_targets=(), plan=rule or plan_rule(indicator.plan))
    lead = indicator.lead_department.name
    supplies = (
        _("由%(owner)s报送") % {"owner": owner}
        if lead == owner
        else _("由%(lead)s提供、%(owner)s报送") % {"lead": lead, "owner": owner}
    )
    when, period = _deadline_words(rule, as_of)
    code = (result.reason_data or {}).get("code", "")

    if code in BASE_CODES:
        if code == "base_year_missing":
            what = _("基期年份")
        elif indicator.base_year:
            what = _("%(year)s年基期值及其来源") % {"year": indicator.base_year}
        else:
            what = _("基期值及其来源")
        who = (
            _("由%(owner)s核实后在指标数据页补录") % {"owner": owner}
            if lead == owner
            else _("由%(lead)s提供，%(owner)s核实后在指标数据页补录") % {"lead": lead, "owner": owner}
        )
        return Waiting(what, who, when, enters_base=True)
    if code in TARGET_CODES:
        return Waiting(_("可计算的目标值"), _("由%(owner)s核对方案原文后提请系统管理员补录") % {"owner": owner}, when)
    if result.status == Status.QUALITATIVE:
        return Waiting(
            _("相关任务的季度进展（定性指标，不计算量化进度）"),
            _("由相关任务的责任单位报送任务进展"),
            when,
            qualitative=True,
        )
    if result.status == Status.AWAITING_REVIEW:
        return Waiting(_("对已提交数据的审核"), _("由%(owner)s审核人员审核") % {"owner": owner}, _("已提交，待审核"))
    if code == "no_complete_year":
        year_rule = dataclasses.replace(rule, frequency=YEARLY)
        year_when, year = _deadline_words(year_rule, as_of)
        what = _("完整年度（%(year)s）各期数据") % {"year": year} if year else _("完整年度各期数据")
        if result.year_to_date is not None:
            what += _("（本年累计%(ytd)s仅供参考）") % {"ytd": quantity(result.year_to_date) + (indicator.unit or "")}
        return Waiting(what, supplies, year_when)
    if code == "no_value":
        return Waiting(_("可计算的数值（已报数据为空或分母为0）"), supplies, when)
    what = _("%(period)s数据") % {"period": period} if period else _("数据")
    return Waiting(what, supplies, when)


# ─── 说明: what the numbers on a dashboard mean ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class Bands:
    """One set of band settings and the plans that use it."""

    at_risk: str
    lagging: str
    lag_days: int
    plans: list[str]


@dataclass(frozen=True)
class Explainer:
    statuses: list[tuple[str, str, str]]  # (status, label, meaning) in STATUS_ORDER
    bands: list[Bands]


def explainer(plans) -> Explainer:
    """The 说明 of a dashboard: status meanings from core.status and the band settings of the plans it shows
    (grouped, so an overview of many plans with the default bands says them once)."""
    groups: dict[tuple, list[str]] = {}
    for plan in plans:
        key = (float(plan.at_risk_band), float(plan.lagging_band), plan.reporting_lag_days)
        groups.setdefault(key, []).append(f"{plan.city.name} · {plan.title}")
    bands = [
        Bands(quantity(at_risk), quantity(lagging), lag, names) for (at_risk, lagging, lag), names in groups.items()
    ]
    statuses = [(s.value, status_label(s), status_meaning(s)) for s in STATUS_ORDER]
    return Explainer(statuses=statuses, bands=bands)
