"""Changing what an indicator is judged by: its definition (an administrator's, with a reason once figures
are approved) and a base the document left unknown (the bureau's, with its source). Both are recorded in
the indicator's history and recompute its progress."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_change_indicator_definition, can_enter_base, can_settle_reading
from core.errors import Forbidden
from indicators.models import Indicator, QuarterlyFigure, Reading
from indicators.tasks import recompute_after_commit

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


READING_FIELDS = ("measure_type", "target_form", "target_value", "base_year", "unit", "is_ratio", "frequency")
"""What a reading may change: how the document's number is meant, never a number the document lacks."""


def _field_value(indicator: Indicator, name: str, value):
    """A JSON value as the model field stores it (target_value is a Decimal)."""
    if value is None:
        return None
    return indicator._meta.get_field(name).to_python(value)


def indicator_base_enter(
    *, user, indicator: Indicator, base_value: Decimal | None, base_year: int | None, source: str
) -> Indicator:
    """Fill a base the document left unknown, with its source; recorded, and not a correction."""
    if not can_enter_base(user, indicator.plan.city_id):
        raise Forbidden
    errors = {}
    if indicator.base_value is not None:
        errors["base_value"] = [_("基期值已存在；如需修改请联系系统管理员。")]
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
    indicator.base_value = base_value
    indicator.base_year = indicator.base_year or base_year
    indicator.base_source = source.strip()
    with transaction.atomic():
        indicator.full_clean()
        indicator._history_user = user
        indicator._change_reason = _("录入基期值（来源：%(source)s）") % {"source": indicator.base_source}
        indicator.save()
        recompute_after_commit(indicator.pk)
    return indicator


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
