"""Report jobs through the API: start one, poll it, download its file — the page's rules and services."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import selectors, services
from reports.api.serializers import ExportJobRequestSerializer, ExportJobSerializer
from reports.models import ExportJob
from reports.views import CONTENT_TYPES, export_file_response


class ExportJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The user's own export jobs. POST starts one (202); in the embedded default it is already done."""

    serializer_class = ExportJobSerializer

    def get_queryset(self):
        return selectors.export_jobs(user=self.request.user)

    @extend_schema(request=ExportJobRequestSerializer, responses={202: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ExportJobRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        plan = None
        if data["report_type"] in ExportJob.PLAN_KINDS and data.get("plan"):
            plan = selectors.report_plan(user=request.user, code=data["plan"])
        job = services.export_job_request(
            user=request.user,
            kind=data["report_type"],
            quarter=data["quarter"],
            plan=plan,
            catalogue_key=data["catalogue_key"],
        )
        job.refresh_from_db()  # built already when tasks run in-process
        return Response(
            ExportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("report-job-detail", args=[job.pk])},
        )

    @extend_schema(responses={(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()})
    @action(detail=True)
    def download(self, request, pk=None):
        """The file (workbook, Word or PDF), as an attachment, until it expires (404 before it is ready and after)."""
        return export_file_response(self.get_object())
