from django.urls import reverse
from rest_framework import serializers

from core.periods import Quarter
from indicators.api.serializers import CatalogueKeyField
from plans.api.fields import QuarterField, SlugTextField
from reports.models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    """A job as its page polls it: status, progress, and the download link once the file is ready."""

    # report_type rather than kind: OpenAPI enums are named by field, and notifications already have a kind.
    report_type = serializers.ChoiceField(source="kind", choices=ExportJob.Kind.choices, read_only=True)
    report_type_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(source="current_status", read_only=True)
    status_label = serializers.CharField(source="current_status_label", read_only=True)
    is_finished = serializers.BooleanField(read_only=True)
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    quarter = serializers.SerializerMethodField()
    catalogue_key = CatalogueKeyField(read_only=True)
    page_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report_type",
            "report_type_label",
            "status",
            "status_label",
            "is_finished",
            "progress",
            "plan",
            "quarter",
            "catalogue_key",
            "filename",
            "message",
            "created_at",
            "finished_at",
            "expires_at",
            "page_url",
            "download_url",
        ]
        read_only_fields = fields

    def get_quarter(self, job) -> str:
        return str(Quarter.of(job.quarter_end))

    def get_page_url(self, job) -> str:
        return reverse("reports:job_detail", args=[job.pk])

    def get_download_url(self, job) -> str | None:
        return reverse("reports:job_download", args=[job.pk]) if job.is_downloadable else None


class ExportJobRequestSerializer(serializers.Serializer):
    report_type = serializers.ChoiceField(choices=ExportJob.Kind.choices)
    plan = SlugTextField(required=False, help_text="方案代码（季度通报、书面通报必填）")
    quarter = QuarterField(help_text="统计截至季度，如 2025Q2")
    catalogue_key = CatalogueKeyField(required=False, default="", help_text="跨城市对比只导出该类指标；留空导出全部")
