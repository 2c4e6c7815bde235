"""Who must act on a verdict: the indicator's lead department(s) (marked when the document named none and the
bureau leads by default), the departments that share its tasks, its open 督办 item at the step it waits on,
and the last task report on it.

One read for a whole plan's indicators in four queries whatever their number (three when the caller passes the
open 督办 items it has read), shared by the city dashboard,
the indicator page and the quarterly report (reports may not import dashboards, so it lives here). What a
user may not see (another department's reports, 督办 items not addressed to it) is left out, as on the pages.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.periods import Quarter
from indicators.models import Indicator
from tasks import rules
from tasks.models import TaskAssignment, TaskUpdate
from tasks.selectors import open_supervision_values

SHORT_LIST = 3  # responsible departments named on a dashboard line before "等N个单位"
SUPERVISION_FIELDS = ("indicator_id", "department__name", "department__name_en")
"""What indicator_responsibility reads of an open 督办 item (tasks.selectors.open_supervision_values)."""


def in_language(name: str, name_en: str) -> str:
    """A stored name in the reader's language: the English one when English is read and one is stored."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


def department_name(department) -> str:
    return in_language(department.name, department.name_en)


@dataclass(frozen=True)
class OpenSupervision:
    """An indicator's open 督办 item: who answers it, the step it waits on, and by when."""

    pk: int
    department: str
    status: str
    light: str | None
    due: dt.date | None

    @property
    def step_label(self) -> str:
        return str(rules.SUPERVISION_STATUS_LABELS[rules.SupervisionStatus(self.status)])

    @property
    def light_label(self) -> str:
        return str(rules.LIGHT_LABELS.get(self.light, ""))


@dataclass(frozen=True)
class LastReport:
    """The newest task report on one of the indicator's tasks (up to the quarter shown)."""

    department: str
    task: str
    state: str
    quarter: Quarter
    reported_on: dt.date
    text: str

    @property
    def state_label(self) -> str:
        return str(TaskUpdate.State(self.state).label)


@dataclass
class Responsibility:
    """Who must act on one indicator's verdict."""

    leads: list[str]
    defaulted: bool
    answering: str  # the lead that answers 督办 (Indicator.lead_department)
    responsible: list[str] = field(default_factory=list)
    supervision: OpenSupervision | None = None
    last_report: LastReport | None = None

    @property
    def lead_text(self) -> str:
        return "、".join(self.leads)

    @property
    def responsible_text(self) -> str:
        return "、".join(self.responsible)

    @property
    def responsible_short(self) -> str:
        """The first few responsible departments and how many in all: a dashboard line stays a line on a phone
        (the indicator page lists them all)."""
        if len(self.responsible) <= SHORT_LIST:
            return self.responsible_text
        return _("%(names)s等%(n)s个单位") % {
            "names": "、".join(self.responsible[:SHORT_LIST]),
            "n": len(self.responsible),
        }


def indicator_responsibility(
    *, user, indicators: list[Indicator], as_of: dt.date, open_items: list[dict] | None = None
) -> dict[int, Responsibility]:
    """indicator pk -> Responsibility as of a date (reports up to its quarter, 督办 items raised by then).

    The indicators need their `lead_department` (select_related); their co-leads are prefetched here unless
    the caller already did (then no query). A caller that has read the open 督办 items of the indicators'
    plan for the same user and date (open_supervision_values with SUPERVISION_FIELDS) passes them as
    `open_items` (then no query for them)."""
    if not indicators:
        return {}
    prefetch_related_objects(indicators, "lead_links__department")
    ids = [i.pk for i in indicators]
    found = {
        i.pk: Responsibility(
            leads=[department_name(d) for d in i.leads],
            defaulted=i.lead_department_defaulted,
            answering=department_name(i.lead_department),
        )
        for i in indicators
    }

    shared = (
        TaskAssignment.objects.filter(task__indicators__in=ids, role=TaskAssignment.Role.RESPONSIBLE)
        .annotate(indicator_id=F("task__indicators"))
        .order_by("task__order", "order", "pk")
        .values_list("indicator_id", "department__name", "department__name_en")
    )
    for indicator_id, name, name_en in shared:
        line, name = found[indicator_id], in_language(name, name_en)
        if name not in line.leads and name not in line.responsible:
            line.responsible.append(name)

    if open_items is None:
        open_items = open_supervision_values(
            user=user, as_of=as_of, where=Q(indicator_id__in=ids), fields=SUPERVISION_FIELDS
        )
    for item in open_items:  # most urgent first: keep the first
        line = found.get(item["indicator_id"])
        if line is not None and line.supervision is None:
            name = in_language(item["department__name"], item["department__name_en"])
            line.supervision = OpenSupervision(item["pk"], name, item["status"], item["light"], item["current_due"])

    until = Quarter.of(as_of).end
    newest = (
        TaskUpdate.objects.visible_to(user)
        .filter(task__indicators=OuterRef("pk"), quarter_end__lte=until)
        .order_by("-quarter_end", "-created_at", "-pk")
        .values("pk")[:1]
    )
    reported = defaultdict(list)  # one report can be the newest on several indicators sharing its task
    for indicator_id, update_id in (
        Indicator.objects.filter(pk__in=ids).annotate(update_id=Subquery(newest)).values_list("pk", "update_id")
    ):
        if update_id is not None:  # left out here rather than in SQL, where it would repeat the subquery
            reported[update_id].append(indicator_id)
    if reported:
        updates = (
            TaskUpdate.objects.filter(pk__in=reported)
            .order_by()
            .values_list(
                "pk",
                "department__name",
                "department__name_en",
                "task__title",
                "state",
                "quarter_end",
                "created_at",
                "text",
            )
        )
        for pk, name, name_en, title, state, quarter_end, created_at, text in updates:
            report = LastReport(
                department=in_language(name, name_en),
                task=title,
                state=state,
                quarter=Quarter.ending_on(quarter_end),
                reported_on=timezone.localtime(created_at).date(),
                text=text,
            )
            for indicator_id in reported[pk]:
                found[indicator_id].last_report = report
    return found
