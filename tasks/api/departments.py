"""The department overview (部门落实情况) through the API: the numbers of the page and of the workbook sheet,
read by tasks.departments.department_overview under the same access rule (the city's task overview)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import can_see_task_overview
from core.errors import Forbidden
from indicators.services import today
from plans.models import Plan
from tasks.departments import department_overview, quarter_asked

QUARTER = OpenApiParameter("quarter", str, description="季度，如 2025Q2；默认该方案最近一个已结束的季度")


class DepartmentStandingSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    name = serializers.CharField()
    light = serializers.CharField()
    light_label = serializers.CharField()
    causes = serializers.ListField(child=serializers.CharField())
    counts = serializers.SerializerMethodField()
    lagging_indicators = serializers.ListField(child=serializers.CharField(), source="lagging")
    at_risk_indicators = serializers.ListField(child=serializers.CharField(), source="at_risk")
    defaulted_lagging = serializers.IntegerField(help_text="默认牵头（文件未写明）的滞后指标，另计，不亮灯")
    defaulted_at_risk = serializers.IntegerField(help_text="默认牵头（文件未写明）的预警指标，另计，不亮灯")

    def get_counts(self, row) -> dict[str, int]:
        return {signal.value: n for signal, n in row.counts.items()}


class DepartmentOverviewSerializer(serializers.Serializer):
    plan = serializers.CharField(source="plan.code")
    quarter = serializers.CharField()
    as_of = serializers.DateField()
    reference = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    departments = DepartmentStandingSerializer(many=True, source="rows")

    def get_reference(self, overview) -> str:
        return _("参考：按规则汇总的提示，不是正式考核结果。")

    def get_rule(self, overview) -> dict[str, str]:
        return {signal.value: (light.value if light else "") for signal, light in overview.rule.items()}


class DepartmentOverviewView(APIView):
    """部门落实情况 of a plan for a quarter: per department its counts, light and why, worst first."""

    @extend_schema(parameters=[QUARTER], responses=DepartmentOverviewSerializer)
    def get(self, request, pk):
        plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("city"), pk=pk)
        if not can_see_task_overview(request.user, plan.city_id):
            raise Forbidden(_("部门落实情况仅对本市市场监管局和领导小组成员开放。"))
        day = today()
        quarter = quarter_asked(plan, request.query_params.get("quarter"), day)
        overview = department_overview(plan=plan, quarter=quarter, today=day)
        return Response(DepartmentOverviewSerializer(overview).data)
