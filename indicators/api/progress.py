"""Progress through the API: one indicator or a whole plan, as of any date (default today).

Both read through indicators.selectors / services, so the API, the pages and the report agree.
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.periods import FIRST_YEAR, LAST_YEAR
from core.status import STATUS_ORDER, status_label
from indicators.models import Indicator
from indicators.selectors import plan_progress, status_since_at
from indicators.services import indicator_progress_at, today
from plans.api.fields import DATE_SCHEMA_PATTERN, PlanDateField
from plans.filtersets import empty_parameters
from plans.models import Plan

AS_OF = OpenApiParameter(
    "as_of",
    {"type": "string", "format": "date", "pattern": DATE_SCHEMA_PATTERN},
    description=f"截至日期 YYYY-MM-DD（{FIRST_YEAR}–{LAST_YEAR} 年），默认今天",
)


class ProgressSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.SerializerMethodField()
    rule = serializers.CharField()
    reason = serializers.CharField()
    current = serializers.FloatField(allow_null=True)
    base = serializers.FloatField(allow_null=True)
    base_from_first_report = serializers.BooleanField()
    end_target = serializers.FloatField(allow_null=True)
    data_date = serializers.DateField(allow_null=True)
    time_elapsed = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    expected = serializers.FloatField(allow_null=True)
    year_to_date = serializers.FloatField(allow_null=True)
    basis = serializers.CharField(help_text="判定口径: latest | cumulative | year | four_quarters | quarter")
    period_value = serializers.FloatField(allow_null=True, help_text="数据日期所在期的本期数值（比率的本季度值）")
    needed_per_quarter = serializers.FloatField(allow_null=True)
    recent_pace_per_quarter = serializers.FloatField(allow_null=True)
    projected_end = serializers.FloatField(allow_null=True)
    projection_reached = serializers.BooleanField(allow_null=True)
    shortfall = serializers.FloatField(allow_null=True)

    def get_label(self, result) -> str:
        return status_label(result.status)


class IndicatorProgressSerializer(ProgressSerializer):
    indicator = serializers.CharField()
    as_of = serializers.DateField()
    status_since = serializers.DateField(allow_null=True)


class PlanIndicatorProgressSerializer(ProgressSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status_since = serializers.DateField(allow_null=True)


class PlanProgressSerializer(serializers.Serializer):
    plan = serializers.CharField()
    as_of = serializers.DateField()
    time_elapsed = serializers.FloatField()
    indicator_progress = serializers.FloatField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    indicators = PlanIndicatorProgressSerializer(many=True)


class AsOfSerializer(serializers.Serializer):
    as_of = PlanDateField(required=False, error_messages={"invalid": _("截至日期格式应为 YYYY-MM-DD。")})


def _as_of(request) -> dt.date:
    empty = empty_parameters(request.query_params, ["as_of"])
    if empty:
        raise serializers.ValidationError(empty)
    incoming = AsOfSerializer(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data.get("as_of") or today()


class IndicatorProgressView(APIView):
    @extend_schema(parameters=[AS_OF], responses=IndicatorProgressSerializer)
    def get(self, request, pk):
        as_of = _as_of(request)
        indicator = get_object_or_404(
            Indicator.objects.visible_to(request.user)
            .select_related("plan", "target_group", "progress")
            .prefetch_related("interim_targets"),
            pk=pk,
        )
        result = indicator_progress_at(indicator, as_of=as_of)
        if as_of >= today() and hasattr(indicator, "progress") and indicator.progress.status == result.status:
            since = indicator.progress.status_since  # the stored date the pages show
        else:
            since = status_since_at({indicator.pk: result}, as_of=as_of).get(indicator.pk)
        return Response(
            {"indicator": indicator.code, "as_of": as_of, "status_since": since, **ProgressSerializer(result).data}
        )


class PlanProgressView(APIView):
    @extend_schema(parameters=[AS_OF], responses=PlanProgressSerializer)
    def get(self, request, pk):
        as_of = _as_of(request)
        plan = get_object_or_404(Plan.objects.visible_to(request.user), pk=pk)
        summary = plan_progress(plan, as_of=as_of)
        return Response(
            {
                "plan": plan.code,
                "as_of": summary.as_of,
                "time_elapsed": summary.time_elapsed,
                "indicator_progress": summary.indicator_progress,
                "counts": {status: summary.counts.get(status, 0) for status in STATUS_ORDER},
                "indicators": [
                    {
                        "id": r.indicator.pk,
                        "code": r.indicator.code,
                        "name": r.indicator.name,
                        "status_since": r.status_since,
                        **ProgressSerializer(r.result).data,
                    }
                    for r in summary.rows
                ],
            }
        )
