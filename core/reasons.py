"""Why an indicator has its status, as data: a reason code with typed parameters, rendered when read.

The engine stays pure and language-free: it returns {"code", "args", "notes"} (JSON, so it is stored beside
the result). Pages, the API, e-mails and workbooks call render(), which looks the sentence up through
core.i18n at that moment, so the English UI reads English and the Chinese UI natural Chinese. Numbers keep
their unit; periods and dates are formatted in the reader's language.

Argument types (lists, to stay JSON): ["num", value, unit], ["pct", share], ["date", iso], ["period", iso,
frequency], ["target", value, unit, lower_is_better], ["year", year].
"""

import datetime as dt
from collections.abc import Callable

from core.i18n import _, translated
from core.numbers import quantity as number
from core.numbers import share

MESSAGES = {
    # cannot be measured: who supplies what is missing, and by when, is said by dashboards.explain (a leader
    # is never told to fill a form only bureau staff have)
    "target_missing": _("目标值缺失，无法计算进度"),
    "base_missing": _("基期值缺失，无法确定目标值"),
    "base_missing_year": _("基期值（%(year)s）缺失，无法确定目标值"),
    "base_year_missing": _("基期年份缺失，无法按年均增长计算目标值"),
    "invalid_target": _("增长率%(growth)s不低于-100%%才有意义，无法计算目标值"),
    "qualitative": _("定性指标，按工作进展评估，不计算量化进度"),
    # plan over: final
    "plan_over_no_data": _("实施期已结束，无任何可用数据，判定为未完成"),
    "plan_over_met": _("实施期已结束，最终值%(current)s达到%(target)s"),
    "plan_over_missed": _("实施期已结束，最终值%(current)s未达到%(target)s"),
    # met
    "achieved": _("当前值%(current)s已达到%(target)s"),
    "target_year_met": _("目标年度数值%(current)s已达到%(target)s"),
    "met_holding": _("当前值%(current)s达到%(target)s，须保持至%(year)s年末"),
    "fell_back": _("当前值%(current)s回落至%(target)s以下（%(when)s曾达到）"),
    "fell_back_from_base": _("当前值%(current)s回落至%(target)s以下（基期%(year)s年曾达到）"),
    "threshold_missed": _("当前值%(current)s未达到%(target)s"),
    # reporting
    "overdue_report": _("%(period)s数据报送截止日%(deadline)s已过，尚未报送"),
    "awaiting_review": _("%(period)s数据已提交待审核，尚无已审核数据"),
    "not_started": _("实施期尚未开始（%(start)s起），暂无数据"),
    "no_complete_year": _("尚无完整年度数据，本年累计%(ytd)s仅供参考，不作评判"),
    "no_value": _("已报数据无法计算（数值为空或分母为0），暂无可评判数据"),
    "no_data_until": _("尚无数据，%(period)s数据报送截止日为%(deadline)s"),
    "no_data": _("尚无数据"),
    # against the calendar
    "milestone_due": _("目标日期%(due)s已到，仍未实现"),
    "milestone_late": _("尚未实现，时间进度%(elapsed)s，已过三分之二"),
    "milestone_early": _("尚未实现，时间进度%(elapsed)s，未过三分之二"),
    "bands_below": _("指标进度%(progress)s，低于应达进度%(expected)s超过%(band)s个百分点"),
    "bands_above": _("指标进度%(progress)s，高于应达进度%(expected)s超过%(band)s个百分点"),
    "bands_on_track": _("指标进度%(progress)s，应达进度%(expected)s，进度正常"),
    # notes, said in brackets after the sentence
    "note_base_from_first_report": _("以首次报送的%(period)s数值%(base)s为基期，时间进度自该期末起算"),
    "note_zero_base": _("基期值为0，以大于0为达标"),
    "note_target_equals_base": _("目标值与基期值相同，保持即达标"),
    "note_negative_values": _("含负值数据，请核实"),
    "note_rate_over_100": _("比率超过100%%，请核实"),
    "note_awaiting_review": _("%(period)s数据已提交待审核"),
}


def period_words(iso: str, frequency: str, words: Callable[[str], str] = translated) -> str:
    """A period in the reader's language: 2025年第2季度 / 2025 Q2, or 2025年 / 2025 for yearly statistics."""
    day = dt.date.fromisoformat(iso)
    if day.month == 12 and day.day == 31 and frequency == "yearly":
        return words(_("%(year)s年")) % {"year": day.year}
    if day.month % 3 == 0 and (day + dt.timedelta(days=1)).day == 1:
        return words(_("%(year)s年第%(n)s季度")) % {"year": day.year, "n": day.month // 3}
    return iso


def _unit(unit: str, words: Callable[[str], str]) -> str:
    # core.numbers.unit_words, in the words given
    return words(unit) if unit and unit != "%" else unit


def _arg(value, words: Callable[[str], str]) -> str:
    if not isinstance(value, list):
        return str(value)
    kind, *rest = value
    if kind == "num":
        return number(rest[0]) + _unit(rest[1], words)
    if kind == "pct":
        return share(rest[0])
    if kind == "date":
        return rest[0]
    if kind == "period":
        return period_words(*rest, words=words)
    if kind == "target":
        target, unit, lower = rest
        text = words(_("目标值%(v)s")) % {"v": number(target) + _unit(unit, words)}
        return text + (words(_("（越低越好）")) if lower else "")
    if kind == "year":
        return str(rest[0])
    raise ValueError(f"unknown reason argument {kind!r}")


def sentence(code: str, args: dict, words: Callable[[str], str] = translated) -> str:
    return words(MESSAGES[code]) % {name: _arg(value, words) for name, value in args.items()}


def render(data: dict, words: Callable[[str], str] = translated) -> str:
    """The reason in the reader's language: the sentence, then its notes in brackets.

    words turns a marked label into that language: core.i18n.translated, or what a caller rendering many
    reasons in one language passes instead (indicators.services, the same lookups remembered).
    """
    if not data:
        return ""
    text = sentence(data["code"], data.get("args", {}), words)
    notes = [sentence(code, args, words) for code, args in data.get("notes", ())]
    if notes:
        text += words(_("（%(notes)s）")) % {"notes": words(_("；")).join(notes)}
    return text
