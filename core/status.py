"""What a status means, in what order a leader reads them, and how each is coloured.

The one source of the status vocabulary: the engine returns these values, pages show their labels, and
the badge stylesheet (served from `status_stylesheet()`), the chart script (which reads that stylesheet's
custom properties) and the workbooks all take their colours from `STATUS_COLOURS`.
"""

from dataclasses import dataclass
from enum import StrEnum

from core.i18n import _, translated


class Status(StrEnum):
    ACHIEVED = "achieved"
    MISSED = "missed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LAGGING = "lagging"
    OVERDUE_REPORT = "overdue_report"
    NO_DATA = "no_data"
    INCOMPLETE = "incomplete"
    AWAITING_REVIEW = "awaiting_review"
    QUALITATIVE = "qualitative"

    @property
    def label(self) -> str:
        return translated(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.ACHIEVED: _("已达标"),
    Status.MISSED: _("未完成"),
    Status.ON_TRACK: _("进度正常"),
    Status.AT_RISK: _("预警"),
    Status.LAGGING: _("滞后"),
    Status.OVERDUE_REPORT: _("逾期未报"),
    Status.NO_DATA: _("暂无数据"),
    Status.INCOMPLETE: _("基期缺失"),
    Status.AWAITING_REVIEW: _("待审核"),
    Status.QUALITATIVE: _("定性指标"),
}

STATUS_MEANINGS = {
    Status.ACHIEVED: _("已达到期末目标值；比率、年度数和底线指标在目标年度结束后才确认"),
    Status.MISSED: _("实施期已结束，最终值未达到目标值"),
    Status.ON_TRACK: _(
        "指标进度落后应达进度不超过预警幅度，或底线指标不低于底线值；已达到目标值、须保持至目标年度末的也是进度正常"
    ),
    Status.AT_RISK: _("指标进度落后应达进度超过预警幅度；或曾达到目标后又回落；里程碑时间过三分之二仍未实现"),
    Status.LAGGING: _("指标进度落后应达进度超过滞后幅度；或低于须保持的底线值；里程碑到期仍未实现"),
    Status.OVERDUE_REPORT: _("最近一期数据已过报送截止日，尚未报送"),
    Status.NO_DATA: _("尚无可评判的已审核数据（含年度指标尚无完整年度）"),
    Status.INCOMPLETE: _("缺少基期值或目标值，无法确定要达到的数值"),
    Status.AWAITING_REVIEW: _("已提交的数据尚待审核"),
    Status.QUALITATIVE: _("没有量化目标，按相关任务的进展评估"),
}
"""What each status means, in one clause: the 说明 of every dashboard lists them in STATUS_ORDER."""


def status_meaning(status: str) -> str:
    return translated(STATUS_MEANINGS[Status(status)])


# Worst first: what a leading group must act on heads a lagging list; known-bad before unknown.
STATUS_ORDER = (
    Status.MISSED,
    Status.LAGGING,
    Status.OVERDUE_REPORT,
    Status.AT_RISK,
    Status.INCOMPLETE,
    Status.AWAITING_REVIEW,
    Status.NO_DATA,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.QUALITATIVE,
)

FLAGGED_STATUSES = (Status.LAGGING, Status.AT_RISK, Status.OVERDUE_REPORT)
"""Statuses that raise a lag flag (and, for lagging, a 督办 item): the ones someone must act on."""


@dataclass(frozen=True)
class Colour:
    """`strong` for badges and chart marks (white text on it); `fill` and `ink` for a printed cell, light
    enough to read in black and white."""

    strong: str
    fill: str
    ink: str


STATUS_COLOURS = {
    Status.ACHIEVED: Colour("#276749", "#C6EFCE", "#006100"),
    Status.ON_TRACK: Colour("#38a169", "#E2F0D9", "#375623"),
    Status.AT_RISK: Colour("#b7791f", "#FFEB9C", "#9C5700"),
    Status.LAGGING: Colour("#c53030", "#FFC7CE", "#9C0006"),
    Status.MISSED: Colour("#822727", "#FFC7CE", "#9C0006"),
    Status.OVERDUE_REPORT: Colour("#c05621", "#F8CBAD", "#833C0B"),
    Status.INCOMPLETE: Colour("#805ad5", "#E4DFEC", "#5B3A8E"),
    Status.AWAITING_REVIEW: Colour("#3182ce", "#DDEBF7", "#1F4E79"),
    Status.NO_DATA: Colour("#718096", "#EDEDED", "#404040"),
    Status.QUALITATIVE: Colour("#4a5568", "#F2F2F2", "#404040"),
}


def status_label(status: str) -> str:
    return Status(status).label


def status_stylesheet() -> str:
    """The badge classes and one custom property per status (`--status-lagging`), which the chart script
    reads, so a status has the same colour in every badge and chart; and a text colour per status
    (`.status-text-lagging`, the darker ink, legible on white) for a number coloured by its status."""
    properties = "".join(f"--status-{s}:{c.strong};" for s, c in STATUS_COLOURS.items())
    badges = "".join(f".status-{s}{{background:{c.strong};}}" for s, c in STATUS_COLOURS.items())
    texts = "".join(f".status-text-{s}{{color:{c.ink};}}" for s, c in STATUS_COLOURS.items())
    return f":root{{{properties}}}\n{badges}\n{texts}\n"
