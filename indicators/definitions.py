"""Changing what an indicator is judged by: its definition (an administrator's, with a reason once figures
are approved) and a base the document left unknown (the bureau's, with its source, counting once a
reviewer approves it). Both are recorded in the indicator's history and recompute its progress."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import (
    FIGURE_REVIEW_ROLES,
    can_change_indicator_definition,
    can_enter_base,
    can_review_figures,
    can_settle_reading,
)
from accounts.models import Role
from core.errors import Conflict, Forbidden
from indicators.models import BaseEntry, Indicator, QuarterlyFigure, Reading
from indicators.tasks import recompute_after_commit
from notifications import keys
from notifications.models import Notification
from notifications.selectors import users_in_cities
from notifications.services import notifications_close, notify

GUARDED_FIELDS = ("measure_type", "target_form", "target_value", "target_date", "base_value", "base_year")
"""What a progress verdict depends on: changing one after figures were approved needs a reason."""


def has_approved_figures(indicator: Indicator) -> bool:
    return indicator.figures.filter(
        status__in=(QuarterlyFigure.Status.APPROVED, QuarterlyFigure.Status.SUPERSEDED)
    ).exists()


def indicator_definition_check(*, user, indicator: Indicator, changed: Iterable[str], reason: str) -> None:
    """Only administrators change a definition; once approved figures exist, only with a reason."""
    if not can_change_indicator_definition(user):
        raise Forbidden
    if set(changed) & set(GUARDED_FIELDS) and not (reason or "").strip() and has_approved_figures(indicator):
        raise ValidationError(
            {"reason": [_("该指标已有审核通过的数据，修改统计口径、目标形式、目标值或基期必须填写原因。")]}
        )


def indicator_definition_change(*, user, indicator: Indicator, changes: dict, reason: str = "") -> Indicator:
    """Change an indicator's definition, record who and why, and recompute its progress."""
    changed = [name for name, value in changes.items() if getattr(indicator, name) != value]
    indicator_definition_check(user=user, indicator=indicator, changed=changed, reason=reason)
    if not changed:
        return indicator
    for name in changed:
        setattr(indicator, name, changes[name])
    return indicator_definition_save(user=user, indicator=indicator, changed=changed, reason=reason)


def indicator_definition_save(*, user, indicator: Indicator, changed: Iterable[str], reason: str = "") -> Indicator:
    """Save an indicator that already carries its new definition (the admin's form), under the same rule."""
    indicator_definition_check(user=user, indicator=indicator, changed=changed, reason=reason)
    return _definition_save(user=user, indicator=indicator, reason=reason.strip() or _("修改指标定义"))


def _definition_save(*, user, indicator: Indicator, reason: str) -> Indicator:
    """The one way a changed definition is stored: validated, in the history with who and why, recomputed."""
    with transaction.atomic():
        indicator.full_clean()
        indicator._history_user = user
        indicator._change_reason = reason
        indicator.save()
        recompute_after_commit(indicator.pk)
    return indicator


def reading_settle(*, user, reading: Reading, option: str, reason: str = "") -> Reading:
    """The city settles how its document is read: confirm the reading in use, or pick another one with a
    reason. Picking another is a definition change (history, recompute); both record who and when."""
    indicator = reading.indicator
    if not can_settle_reading(user, indicator.plan.city_id):
        raise Forbidden
    picked = reading.option(option)
    reason = (reason or "").strip()
    if picked is None:
        raise ValidationError({"option": [_("请选择一种可选读法。")]})
    if option != reading.chosen and not reason:
        raise ValidationError({"reason": [_("改用另一种读法必须填写理由。")]})
    changes = picked.get("changes") or {}
    unknown = [name for name in changes if name not in READING_FIELDS]
    if unknown:
        raise ValidationError({"option": [_("读法不能修改字段：%(f)s") % {"f": "、".join(unknown)}]})
    with transaction.atomic():
        reading = Reading.objects.select_for_update().select_related("indicator__plan").get(pk=reading.pk)
        indicator = reading.indicator
        changed = [n for n, v in changes.items() if getattr(indicator, n) != _field_value(indicator, n, v)]
        if changed:
            for name in changed:
                setattr(indicator, name, _field_value(indicator, name, changes[name]))
            note = _("解读“%(topic)s”改用：%(label)s") % {"topic": reading.topic, "label": picked.get("label", option)}
            _definition_save(user=user, indicator=indicator, reason=f"{note}。{reason}" if reason else note)
        reading.chosen = option
        reading.state = Reading.State.CONFIRMED
        reading.settled_by = user
        reading.settled_at = timezone.now()
        reading.reason = reason
        reading.full_clean()
        reading._history_user = user
        reading._change_reason = reason or _("确认解读")
        reading.save()
    return reading


READING_FIELDS = (
    "measure_type",
    "target_form",
    "target_value",
    "base_year",
    "unit",
    "is_ratio",
    "frequency",
    "reporting_lag_days",
    "catalogue_key",
)
"""What a reading may change: how the document's number is meant, never a target the document lacks (a
reporting lag is when a figure can be known, which the document never says; the catalogue key follows the
measure type, so a period total read as a yearly amount joins the yearly amounts)."""


def _field_value(indicator: Indicator, name: str, value):
    """A JSON value as the model field stores it (target_value is a Decimal)."""
    field = indicator._meta.get_field(name)
    if value is None:
        return None if field.null else ""
    return field.to_python(value)


def indicator_base_enter(
    *, user, indicator: Indicator, base_value: Decimal | None, base_year: int | None, source: str
) -> BaseEntry:
    """Enter a base the document left unknown, with its source: pending until a reviewer approves it (the
    engine goes on without it), and the city's reviewers are told. Not a correction."""
    if not can_enter_base(user, indicator.plan.city_id):
        raise Forbidden
    errors = {}
    if indicator.base_value is not None:
        errors["base_value"] = [_("基期值已存在；如需修改请联系系统管理员。")]
    elif indicator.base_entries.filter(state=BaseEntry.State.PENDING).exists():
        errors["base_value"] = [_("已录入的基期值正在等待审核，审核前不能再次录入。")]
    elif base_value is None:
        errors["base_value"] = [_("请填写基期值。")]
    elif base_value < 0:
        errors["base_value"] = [_("基期值不能为负数。")]
    if indicator.base_year is None and base_year is None:
        errors["base_year"] = [_("请填写基期年份。")]
    if not (source or "").strip():
        errors["base_source"] = [_("请填写基期值的来源。")]
    if errors:
        raise ValidationError(errors)
    entry = BaseEntry(
        indicator=indicator,
        value=base_value,
        year=indicator.base_year or base_year,
        source=source.strip(),
        entered_by=user,
    )
    with transaction.atomic():
        entry.full_clean(exclude=["indicator", "entered_by"])
        entry.save()
        notify(
            recipient_ids=users_in_cities(city_ids=[indicator.plan.city_id], roles=FIGURE_REVIEW_ROLES),
            key=keys.base_entry_prefix(entry_id=entry.pk) + "entered",
            kind=Notification.Kind.TO_REVIEW,
            title=_("「%(indicator)s」录入了基期值%(value)s（%(year)s年），待审核")
            % {"indicator": indicator.name, "value": plain_number(entry.value), "year": entry.year},
            body=_("来源：%(source)s") % {"source": entry.source},
            link=reverse("indicator_figures", args=[indicator.pk]),
        )
    return entry


def plain_number(value: Decimal) -> str:
    """A stored decimal as it was written (4 places stored, trailing zeros dropped: 12.5000 → 12.5)."""
    return format(value.normalize(), "f")


def _base_entry_decidable(user, entry: BaseEntry) -> BaseEntry:
    """The entry's row, locked, still pending, and not the reviewer's own."""
    if not can_review_figures(user, entry.indicator.plan.city_id):
        raise Forbidden
    current = BaseEntry.objects.select_for_update().get(pk=entry.pk)
    if current.state != BaseEntry.State.PENDING:
        raise Conflict(
            _("该基期值已由 %(who)s 处理（%(state)s），请刷新页面。")
            % {
                "who": current.reviewed_by.get_full_name() or current.reviewed_by.username,
                "state": current.get_state_display(),
            }
        )
    if current.entered_by_id == user.pk:
        raise ValidationError(_("不能审核自己录入的基期值。"))
    return current


def base_entry_approve(*, user, entry: BaseEntry) -> BaseEntry:
    """A reviewer approves an entered base: it becomes the indicator's (history, recompute); staff are told."""
    with transaction.atomic():
        entry = _base_entry_decidable(user, entry)
        indicator = Indicator.objects.select_for_update().get(pk=entry.indicator_id)
        if indicator.base_value is not None:
            raise Conflict(_("该指标已有基期值，不能再采用这条录入。"))
        entry.state = BaseEntry.State.APPROVED
        entry.reviewed_by, entry.reviewed_at = user, timezone.now()
        entry.save()
        indicator.base_value = entry.value
        indicator.base_year = indicator.base_year or entry.year
        indicator.base_source = entry.source
        _definition_save(
            user=user,
            indicator=indicator,
            reason=_("基期值审核通过（来源：%(source)s；录入人：%(who)s）")
            % {"source": entry.source, "who": entry.entered_by.get_full_name() or entry.entered_by.username},
        )
        _notify_base_decided(entry, indicator)
    return entry


def base_entry_return(*, user, entry: BaseEntry, reason: str) -> BaseEntry:
    """A reviewer returns an entered base with a reason; it never counts, and the bureau may enter another."""
    reason = (reason or "").strip()
    with transaction.atomic():
        entry = _base_entry_decidable(user, entry)
        if not reason:
            raise ValidationError({"return_reason": [_("退回时必须填写原因。")]})
        entry.state = BaseEntry.State.RETURNED
        entry.reviewed_by, entry.reviewed_at = user, timezone.now()
        entry.return_reason = reason
        entry.save()
        _notify_base_decided(entry, entry.indicator)
    return entry


def _notify_base_decided(entry: BaseEntry, indicator: Indicator) -> None:
    if entry.state == BaseEntry.State.APPROVED:
        kind = Notification.Kind.APPROVED
        title = _("「%(indicator)s」的基期值%(value)s审核通过，进度将重新计算") % {
            "indicator": indicator.name,
            "value": plain_number(entry.value),
        }
    else:
        kind = Notification.Kind.RETURNED
        title = _("「%(indicator)s」的基期值被退回：%(reason)s") % {
            "indicator": indicator.name,
            "reason": entry.return_reason,
        }
    notify(
        recipient_ids=users_in_cities(city_ids=[indicator.plan.city_id], roles=[Role.BUREAU_STAFF]),
        key=keys.base_entry_prefix(entry_id=entry.pk) + entry.state,
        kind=kind,
        title=title,
        link=reverse("indicator_figures", args=[indicator.pk]),
    )
    notifications_close(key_prefixes=[keys.base_entry_prefix(entry_id=entry.pk) + "entered"])


def indicator_answering_lead_set(*, user, indicator: Indicator, department_id: int, reason: str = "") -> Indicator:
    """Which of an indicator's lead departments answers 督办 (the first listed unless the bureau picks another)."""
    if not can_settle_reading(user, indicator.plan.city_id):
        raise Forbidden
    leads = {d.pk: d for d in indicator.leads}
    if department_id not in leads:
        raise ValidationError({"department": [_("只能选择文件列出的牵头单位之一。")]})
    first = indicator.leads[0]
    indicator.lead_department = leads[department_id]
    indicator.lead_picked_by_bureau = department_id != first.pk
    note = _("答复督办单位：%(d)s") % {"d": indicator.lead_department.name}
    with transaction.atomic():
        indicator.full_clean()
        indicator._history_user = user
        indicator._change_reason = f"{note}。{reason.strip()}" if (reason or "").strip() else note
        indicator.save()
    return indicator
