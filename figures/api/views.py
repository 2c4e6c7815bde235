"""API of quarterly figures: thin views calling the same selectors and services as the
pages (figures.selectors, figures.services), under the same access rules."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.access import can_see_unapproved
from core.errors import Invalid
from figures import selectors as figure_selectors
from figures import services as figures
from figures.api.serializers import (
    CorrectionSerializer,
    FigureCreateSerializer,
    FigureSerializer,
    FigureUpdateSerializer,
    HistoryEntrySerializer,
    QuarterSubmitSerializer,
    QuarterSubmittedSerializer,
    ReturnSerializer,
)
from figures.filtersets import FigureFilterSet
from indicators.models import QuarterlyFigure


class IndicatorFigureHistoryView(APIView):
    """Every recorded change of the indicator's figures the user may see, newest first."""

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, pk):
        indicator = figure_selectors.visible_indicator(user=request.user, pk=pk)
        entries = figure_selectors.figure_history(user=request.user, indicator=indicator)
        return Response(HistoryEntrySerializer(entries, many=True).data)


QUARTER_REFUSED = OpenApiResponse(
    {
        "type": "object",
        "description": "The request's own fields by name, or `rows`: each indicator whose figure failed the "
        "cross-indicator rules, with its messages by field.",
        "properties": {
            "detail": {"type": "string"},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "indicator": {"type": "integer"},
                        "indicator_code": {"type": "string"},
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "required": ["indicator", "indicator_code", "errors"],
                },
            },
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="输入无效，或列出未通过校验的指标。",
)


class FigureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly figures: drafts are created and updated, then submitted, approved or returned, corrected.

    Figures the user may not see answer 404; actions the user's role may not take answer 403; a stale
    update answers 409 naming who changed the figure.
    """

    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    may_conflict = True
    api_field_names = {"period": "quarter"}
    """The services name a figure's quarter `period`; the API calls it `quarter`."""

    def handle_exception(self, exc):
        """Rows that failed: a quarter's submit lists each failing indicator, a single figure its fields."""
        if isinstance(exc, figures.EntriesInvalid):
            if self.action == "submit_quarter":
                return Response({"rows": self._failed_rows(exc)}, status=status.HTTP_400_BAD_REQUEST)
            exc = Invalid(exc.failed[0].errors)
        return super().handle_exception(exc)

    def _failed_rows(self, invalid) -> list[dict]:
        rename = self.api_field_names.get
        return [
            {
                "indicator": o.entry.indicator.pk,
                "indicator_code": o.entry.indicator.code,
                "errors": {rename(k, k): v for k, v in o.errors.items()},
            }
            for o in invalid.failed
        ]

    def get_queryset(self):
        return figure_selectors.figure_list(user=self.request.user).order_by(
            "indicator__plan", "indicator__order", "period_end", "version"
        )

    def _result(self, figure: QuarterlyFigure, code=status.HTTP_200_OK) -> Response:
        figure = figure_selectors.visible_figure(user=self.request.user, pk=figure.pk)
        return Response(FigureSerializer(figure).data, status=code)

    @extend_schema(request=FigureCreateSerializer, responses={201: FigureSerializer})
    def create(self, request):
        """Create a draft for an indicator and quarter."""
        incoming = FigureCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        indicator = figure_selectors.visible_indicator(user=request.user, pk=incoming.validated_data["indicator"])
        period_end = incoming.validated_data["quarter"].end
        existing = QuarterlyFigure.objects.filter(
            indicator=indicator, period_end=period_end, status__in=QuarterlyFigure.OPEN_STATUSES
        ).first()
        if existing is not None and can_see_unapproved(request.user, indicator.plan.city_id):
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("该指标该季度已有未审核完成的数据（id=%(pk)s），请更新它。") % {"pk": existing.pk}
                    ]
                }
            )
        figure = figures.figure_draft_save(
            user=request.user, indicator=indicator, period_end=period_end, data=incoming.row_input(indicator=indicator)
        )
        return self._result(figure, status.HTTP_201_CREATED)

    @extend_schema(request=FigureUpdateSerializer, responses={200: FigureSerializer, 409: OpenApiResponse()})
    def partial_update(self, request, pk=None):
        """Update a draft (or a returned figure); send back the revision you read."""
        figure = self.get_object()
        incoming = FigureUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not figure.is_open or figure.status == QuarterlyFigure.Status.SUBMITTED:
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("只有草稿或已退回的数据可以修改；已审核的数据请提交更正。")]}
            )
        figure = figures.figure_draft_save(
            user=request.user,
            indicator=figure.indicator,
            period_end=figure.period_end,
            data=incoming.row_input(indicator=figure.indicator),
            revision=incoming.validated_data["revision"],
        )
        return self._result(figure)

    update = partial_update

    @extend_schema(request=None, responses=FigureSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        figure = figures.figure_submit(user=request.user, figure=self.get_object())
        return self._result(figure)

    @extend_schema(request=QuarterSubmitSerializer, responses={200: QuarterSubmittedSerializer, 400: QUARTER_REFUSED})
    @action(detail=False, methods=["post"], url_path="submit-quarter", filterset_class=None, pagination_class=None)
    def submit_quarter(self, request):
        """Submit every saved draft of a plan's quarter; cross-indicator rules are checked here."""
        incoming = QuarterSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        plan = figure_selectors.entry_plan(user=request.user, code=incoming.validated_data["plan"])
        quarter = figure_selectors.plan_quarter(plan=plan, text=str(incoming.validated_data["quarter"]))
        notices = figures.figure_quarter_submit(
            user=request.user, plan=plan, quarter=quarter, revision=incoming.validated_data.get("revision")
        )
        submitted = self.get_queryset().filter(
            indicator__plan=plan, period_end=quarter.end, status=QuarterlyFigure.Status.SUBMITTED
        )
        return Response({"notices": notices, "figures": FigureSerializer(submitted, many=True).data})

    @extend_schema(request=None, responses=FigureSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        figure = figures.figure_approve(user=request.user, figure=self.get_object())
        return self._result(figure)

    @extend_schema(request=ReturnSerializer, responses=FigureSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        incoming = ReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        figure = figures.figure_return(
            user=request.user, figure=self.get_object(), reason=incoming.validated_data["return_reason"]
        )
        return self._result(figure)

    @extend_schema(request=CorrectionSerializer, responses={201: FigureSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct an approved figure: a new version with a reason, submitted for approval."""
        figure = self.get_object()
        incoming = CorrectionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        figure = figures.figure_correct(
            user=request.user,
            figure=figure,
            data=incoming.row_input(indicator=figure.indicator),
            reason=incoming.validated_data["correction_reason"],
        )
        return self._result(figure, status.HTTP_201_CREATED)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        """Every recorded change of this figure (who, when, old → new, reason), newest first."""
        figure = self.get_object()
        entries = figure_selectors.figure_history(user=request.user, indicator=figure.indicator)
        return Response(HistoryEntrySerializer([e for e in entries if e.figure_id == figure.pk], many=True).data)
