"""/api/v1/report-jobs/: start a report, poll it, download it — under the page's rules."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reports.models import ExportJob
from tests.reports.conftest import Q, open_workbook

JOBS = "/api/v1/report-jobs/"
STATE = ("report_type", "status", "status_label", "is_finished", "progress", "plan", "quarter")


@pytest.fixture
def api(django_capture_on_commit_callbacks):
    client = APIClient()

    def call(user, method, url, **data):
        client.force_authenticate(user)
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(url, data, format="json") if data else getattr(client, method)(url)

    return call


def test_starting_a_report_answers_202_and_in_process_it_is_ready(report_world, api):
    plan = report_world.plan.code
    response = api(report_world.staff, "post", JOBS, report_type="quarterly", plan=plan, quarter="2025Q2")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response["Location"] == f"{JOBS}{job.pk}/"
    # The test's transaction holds the build until after the answer; poll as a client would.
    body = api(report_world.staff, "get", response["Location"]).json()
    assert {k: body[k] for k in STATE} == {
        "report_type": "quarterly",
        "status": "done",
        "status_label": "已完成",
        "is_finished": True,
        "progress": 100,
        "plan": report_world.plan.code,
        "quarter": "2025Q2",
    }
    assert body["download_url"] == reverse("reports:job_download", args=[job.pk])
    assert body["page_url"] == reverse("reports:job_detail", args=[job.pk])
    assert body["filename"] == "本市知识产权强市建设季度通报_2025Q2.xlsx"

    download = api(report_world.staff, "get", f"{JOBS}{job.pk}/download/")
    assert download.status_code == 200
    assert open_workbook(b"".join(download.streaming_content)).sheetnames[0] == "封面"


def test_a_job_not_built_yet_has_no_download(report_world, api):
    job = ExportJob.objects.create(
        kind="quarterly", plan=report_world.plan, quarter_end=Q.end, requested_by=report_world.staff
    )
    body = api(report_world.staff, "get", f"{JOBS}{job.pk}/").json()
    assert (body["status"], body["is_finished"], body["download_url"]) == ("pending", False, None)
    assert api(report_world.staff, "get", f"{JOBS}{job.pk}/download/").status_code == 404


def test_bad_requests_answer_400_by_field(report_world, api):
    plan = report_world.plan.code
    response = api(report_world.staff, "post", JOBS, report_type="quarterly", plan=plan, quarter="2024")
    assert response.status_code == 400 and "quarter" in response.json()
    response = api(report_world.staff, "post", JOBS, report_type="quarterly", quarter="2025Q2")
    assert response.status_code == 400 and response.json() == {"plan": ["请选择方案。"]}
    response = api(report_world.staff, "post", JOBS, report_type="quarterly", plan=plan, quarter="2030Q1")
    assert response.status_code == 400 and response.json() == {"quarter": ["请选择方案实施期内已经结束的季度。"]}
    assert api(report_world.staff, "post", JOBS, report_type="weekly", quarter="2025Q2").status_code == 400
    assert not ExportJob.objects.exists()


def test_the_comparison_can_be_limited_to_one_catalogue_key(report_world, api):
    response = api(
        report_world.admin,
        "post",
        JOBS,
        report_type="comparison",
        quarter="2025Q2",
        catalogue_key="valid_invention_patents",
    )
    assert response.status_code == 202
    book = open_workbook(ExportJob.objects.get().file.read())
    assert [r[0] for r in book["对比明细"].iter_rows(min_row=2, values_only=True)] == ["有效发明专利拥有量"]
