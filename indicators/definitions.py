"""Changing what an indicator is judged by: its definition (an administrator's, with a reason once figures
are approved) and a base the document left unknown (the bureau's, with its source). Both are recorded in
the indicator's history and recompute its progress."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import can_change_indicator_definition, can_enter_base
from core.errors import Forbidden
from indicators.models import Indicator, QuarterlyFigure
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
    with transaction.atomic():
        indicator.full_clean()
        indicator._history_user = user
        indicator._change_reason = reason.strip() or _("修改指标定义")
        indicator.save()
        recompute_after_commit(indicator.pk)
    return indicator


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
