from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators import definitions
from indicators.models import (
    Indicator,
    IndicatorProgress,
    InterimTarget,
    LagFlag,
    QuarterlyFigure,
    TargetGroup,
)


class InterimTargetInline(admin.TabularInline):
    model = InterimTarget
    extra = 0


class IndicatorAdminForm(forms.ModelForm):
    """The admin's indicator form asks why a definition changes; the rule is figures.services'."""

    change_reason = forms.CharField(
        label=_("修改原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("已有审核通过的数据时，修改统计口径、目标形式、目标值或基期必须填写原因（记入变更记录）。"),
    )
    request_user = None

    class Meta:
        model = Indicator
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin decides the fields; this form only adds the reason

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                definitions.indicator_definition_check(
                    user=self.request_user,
                    indicator=self.instance,
                    changed=self.changed_data,
                    reason=cleaned.get("change_reason"),
                )
            except ValidationError as error:
                raise ValidationError({"change_reason": error.messages}) from None
            except PermissionDenied:
                raise ValidationError(_("只有系统管理员可以修改指标定义。")) from None
        return cleaned


class NoRevert:
    """Reverting from the history page would bypass the recorded reason and the workflow."""

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(Indicator)
class IndicatorAdmin(NoRevert, SimpleHistoryAdmin):
    form = IndicatorAdminForm
    list_display = [
        "code",
        "name",
        "plan",
        "category",
        "unit",
        "measure_type",
        "target_form",
        "target_value",
        "lead_department",
    ]
    list_filter = ["plan__city", "plan", "category", "measure_type", "target_form", "lead_department"]
    search_fields = ["code", "name", "name_en", "catalogue_key", "source_quote"]
    list_select_related = ["plan", "lead_department"]
    autocomplete_fields = ["lead_department"]
    inlines = [InterimTargetInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        definitions.indicator_definition_save(
            user=request.user,
            indicator=obj,
            changed=form.changed_data,
            reason=form.cleaned_data.get("change_reason") or "",
        )


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "target_value", "unit"]
    list_filter = ["plan__city", "plan"]
    search_fields = ["code", "name"]


@admin.register(QuarterlyFigure)
class QuarterlyFigureAdmin(NoRevert, SimpleHistoryAdmin):
    """Read-only: figures change only through the entry, review and correction workflow, so every change
    has its who and why, and nothing is deleted silently."""

    list_display = ["indicator", "period_end", "version", "status", "value", "is_provisional", "is_late", "is_demo"]
    list_filter = ["indicator__plan__city", "indicator__plan", "status", "is_provisional", "is_late", "is_demo"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]
    raw_id_fields = ["indicator"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorProgress)
class IndicatorProgressAdmin(admin.ModelAdmin):
    list_display = ["indicator", "status", "progress", "expected", "data_date", "computed_at"]
    list_filter = ["indicator__plan__city", "status"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]


@admin.register(LagFlag)
class LagFlagAdmin(admin.ModelAdmin):
    list_display = ["indicator", "status", "raised_on", "cleared_on"]
    list_filter = ["indicator__plan__city", "status"]
    list_select_related = ["indicator"]
