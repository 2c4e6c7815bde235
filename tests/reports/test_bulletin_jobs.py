"""The 通报 from /reports/: one click, built in the background like the workbook, downloaded as .docx or .pdf;
the PDF offered only where LibreOffice is installed."""

import io

import pytest
from django.urls import reverse
from docx import Document

from reports import bulletin
from reports.models import ExportJob
from tests.reports.conftest import Q

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def request_report(client, django_capture_on_commit_callbacks):
    def post(user, **data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("reports:job_create"), data)

    return post


def test_one_click_builds_the_word_bulletin_and_offers_its_download(report_world, request_report, client):
    response = request_report(report_world.staff, report_type="bulletin", plan=report_world.plan.code, quarter=str(Q))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.progress) == ("bulletin", "done", 100)
    assert job.filename == "本市知识产权强市建设工作进展通报_2025Q2.docx" and job.file.name.endswith(".docx")
    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert "书面通报（Word）" in page and '<progress id="export-progress" max="100" value="100">' in page

    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download["Content-Type"] == DOCX and "2025Q2.docx" in download["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert "一、总体进展" in [p.text for p in document.paragraphs]


def test_the_api_starts_a_bulletin_with_the_same_fields(report_world, client, django_capture_on_commit_callbacks):
    client.force_login(report_world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/report-jobs/",
            {"report_type": "bulletin", "plan": report_world.plan.code, "quarter": str(Q)},
            content_type="application/json",
        )
    assert response.status_code == 202
    assert response.json()["report_type_label"] == "书面通报（Word）"
    job = ExportJob.objects.get()
    assert job.status == "done" and job.plan == report_world.plan


def test_a_bulletin_of_a_city_the_user_may_not_see_answers_404(report_world, request_report):
    response = request_report(
        report_world.other_staff, report_type="bulletin", plan=report_world.plan.code, quarter=str(Q)
    )
    assert response.status_code == 404 and not ExportJob.objects.exists()


def test_without_libreoffice_the_pdf_is_not_offered_and_a_request_is_told_why(
    report_world, request_report, client, monkeypatch
):
    monkeypatch.setattr(bulletin, "office_binary", lambda: None)
    client.force_login(report_world.staff)
    page = client.get(reverse("reports:index")).content.decode()
    assert 'value="bulletin_pdf"' not in page and 'value="bulletin"' in page
    assert "本服务器未安装 LibreOffice，暂不能生成 PDF" in page
    response = request_report(
        report_world.staff, report_type="bulletin_pdf", plan=report_world.plan.code, quarter=str(Q)
    )
    assert response.status_code == 302 and not ExportJob.objects.exists()
    followed = client.get(response["Location"]).content.decode()
    assert "本服务器未安装LibreOffice，无法生成PDF，请生成Word版通报。" in followed


def test_libreoffice_gone_between_request_and_build_fails_the_job_with_the_reason(
    report_world, request_report, monkeypatch
):
    monkeypatch.setattr(bulletin, "pdf_available", lambda: True)
    monkeypatch.setattr(bulletin, "office_binary", lambda: None)
    request_report(report_world.staff, report_type="bulletin_pdf", plan=report_world.plan.code, quarter=str(Q))
    job = ExportJob.objects.get()
    assert (job.status, job.message) == ("failed", "本服务器未安装LibreOffice，无法生成PDF，请下载Word版通报。")
    assert not job.file


def test_the_api_answers_400_for_a_pdf_without_libreoffice(report_world, client, monkeypatch):
    monkeypatch.setattr(bulletin, "office_binary", lambda: None)
    client.force_login(report_world.staff)
    response = client.post(
        "/api/v1/report-jobs/",
        {"report_type": "bulletin_pdf", "plan": report_world.plan.code, "quarter": str(Q)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "本服务器未安装LibreOffice，无法生成PDF，请生成Word版通报。" in response.content.decode()
    assert not ExportJob.objects.exists()
