"""Export jobs from the page: request, build in-process (eager Celery), follow, download, expire."""

import datetime as dt
import os
import re

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports import services, workbooks
from reports.models import ExportJob
from reports.tasks import export_files_expire_task
from tests.reports.conftest import Q, open_workbook


@pytest.fixture
def request_report(client, django_capture_on_commit_callbacks):
    """POST the page's form as a user; the build runs after commit, in-process as in the embedded default."""

    def post(user, **data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("reports:job_create"), data)

    return post


def quarterly(world, quarter=Q):
    return {"report_type": "quarterly", "plan": world.plan.code, "quarter": str(quarter)}


def test_one_click_builds_the_quarterly_workbook_and_offers_its_download(report_world, request_report, client):
    response = request_report(report_world.staff, **quarterly(report_world))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job_detail", args=[job.pk])
    assert (job.status, job.progress, job.requested_by, job.quarter_end) == ("done", 100, report_world.staff, Q.end)
    assert job.filename == "本市知识产权强市建设季度通报_2025Q2.xlsx"
    expected_expiry = job.finished_at + dt.timedelta(hours=settings.REPORT_EXPORT_TTL_HOURS)
    assert job.expires_at == expected_expiry

    page = client.get(reverse("reports:job_detail", args=[job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress id="export-progress" max="100" value="100">' in html
    assert reverse("reports:job_download", args=[job.pk]) in html

    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in download["Content-Disposition"] and "2025Q2.xlsx" in download["Content-Disposition"]
    sheets = open_workbook(b"".join(download.streaming_content)).sheetnames
    assert sheets == ["封面", "指标", "任务", "季度数据", "部门落实情况"]


def test_the_progress_page_polls_a_static_script_and_has_no_inline_script(report_world, client):
    job = ExportJob.objects.create(
        kind="quarterly", plan=report_world.plan, quarter_end=Q.end, requested_by=report_world.staff
    )
    client.force_login(report_world.staff)
    html = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert f'data-status-url="/api/v1/report-jobs/{job.pk}/"' in html
    assert 'data-finished="false"' in html
    assert '<script src="/static/reports/export_job.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # a CSP without inline scripts is possible
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "排队中" in html and '<p id="export-download" hidden>' in html


def test_the_comparison_is_built_for_the_cities_the_user_sees(report_world, request_report, client):
    request_report(report_world.admin, report_type="comparison", quarter=str(Q))
    job = ExportJob.objects.get()
    assert (job.status, job.plan, job.filename) == ("done", None, "知识产权强市建设跨城市对比_2025Q2.xlsx")
    book = open_workbook(job.file.read())
    assert book.sheetnames == ["说明", "对比总表", "对比明细"]


def test_a_quarter_not_yet_closed_or_outside_the_plan_is_refused_with_a_message(report_world, request_report, client):
    today = timezone.localdate()
    refusals = {
        f"{today.year}Q{(today.month - 1) // 3 + 1}": "请选择方案实施期内已经结束的季度。",
        "2023Q4": "请选择方案实施期内已经结束的季度。",
        "2025-06": "季度格式应为“2025Q3”，而不是“2025-06”。",
    }
    for quarter, message in refusals.items():
        response = request_report(report_world.staff, **{**quarterly(report_world), "quarter": quarter})
        assert response.status_code == 302 and response["Location"] == reverse("reports:index")
        assert message in client.get(response["Location"]).content.decode()
    assert not ExportJob.objects.exists()


def test_a_job_delivered_twice_builds_once(report_world):
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    assert services.export_job_build(job_id=job.pk) is True
    first = ExportJob.objects.get(pk=job.pk).file.name
    assert services.export_job_build(job_id=job.pk) is False
    assert ExportJob.objects.get(pk=job.pk).file.name == first


def test_a_failed_build_is_recorded_for_the_user(report_world, monkeypatch):
    def broken(report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbooks, "quarterly_workbook", broken)
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name, job.current_status_label) == ("failed", "", "生成失败")
    assert job.message == "生成失败，请重新生成；如仍失败请联系系统管理员。"


def test_a_user_who_lost_sight_of_the_city_before_the_build_gets_no_file(report_world):
    job = services.export_job_request(user=report_world.provincial, kind="quarterly", quarter=Q, plan=report_world.plan)
    report_world.provincial.profile.assigned_cities.clear()
    services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name, job.message) == ("failed", "", "您已无权查看该城市，通报未生成。")


def test_expired_files_are_deleted_and_can_no_longer_be_downloaded(report_world, client):
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    client.force_login(report_world.staff)
    download = reverse("reports:job_download", args=[job.pk])
    assert client.get(download).status_code == 200

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(download).status_code == 404  # expired before the nightly cleanup has run
    assert "已过期" in client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()

    assert export_files_expire_task.delay().get() == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    assert not os.path.exists(path)
    assert services.export_files_expire() == 0  # safe to repeat


def _job(world, **fields):
    return ExportJob.objects.create(
        kind="quarterly", plan=world.plan, quarter_end=Q.end, requested_by=world.staff, **fields
    )


def test_a_job_lost_with_its_worker_is_built_again_then_failed(report_world):
    """Regression (issue 18): a job whose worker died stayed "生成中 5%" until the nightly cleanup."""
    long_ago = timezone.now() - dt.timedelta(hours=1)
    lost_once = _job(report_world, status="running", started_at=long_ago, attempts=1, progress=5)
    lost_twice = _job(report_world, status="running", started_at=long_ago, attempts=2, progress=50)
    fresh = _job(report_world, status="running", started_at=timezone.now(), attempts=1)
    assert services.export_jobs_recover() == {"failed": 1, "retried": 1, "sent": 1}
    lost_once.refresh_from_db()
    assert (lost_once.status, lost_once.attempts, bool(lost_once.file)) == ("done", 2, True)
    lost_twice.refresh_from_db()
    assert (lost_twice.status, lost_twice.message) == ("failed", "生成中断，请重新生成。")
    assert ExportJob.objects.get(pk=fresh.pk).status == "running"


def test_a_pending_job_whose_message_was_lost_is_sent_again_or_failed(report_world):
    """Regression (issue 18): with Redis stopped an export request left its job pending forever."""
    now = timezone.now()
    unsent = _job(report_world, created_at=now - dt.timedelta(minutes=3), queued_at=now - dt.timedelta(minutes=3))
    just_sent = _job(report_world, created_at=now, queued_at=now)
    never_sent = _job(report_world, created_at=now)  # the broker was down when it was asked for
    forgotten = _job(report_world, created_at=now - dt.timedelta(hours=1), queued_at=now - dt.timedelta(minutes=1))
    services.export_jobs_recover()
    assert ExportJob.objects.get(pk=unsent.pk).status == "done"
    assert ExportJob.objects.get(pk=just_sent.pk).status == "pending"  # its message is on its way
    assert ExportJob.objects.get(pk=never_sent.pk).status == "done"
    forgotten.refresh_from_db()
    assert (forgotten.status, forgotten.message) == ("failed", "排队超时，请重新生成。")


def test_a_stale_build_finishing_late_writes_nothing(report_world, monkeypatch):
    """A build the recovery gave up on must not overwrite the job another build has taken."""
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    ExportJob.objects.filter(pk=job.pk).update(status="pending")

    def taken_meanwhile(report):
        ExportJob.objects.filter(pk=job.pk).update(attempts=9)  # what a second claim leaves
        return real(report)

    real = workbooks.quarterly_workbook
    monkeypatch.setattr(workbooks, "quarterly_workbook", taken_meanwhile)
    services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 9)


def test_a_failed_job_is_started_again_from_its_page(
    report_world, monkeypatch, client, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(workbooks, "quarterly_workbook", lambda report: (_ for _ in ()).throw(RuntimeError("x")))
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    services.export_job_build(job_id=job.pk)
    client.force_login(report_world.staff)
    detail = reverse("reports:job_detail", args=[job.pk])
    restart = reverse("reports:job_restart", args=[job.pk])
    assert f'<form id="export-restart" method="post" action="{restart}">' in client.get(detail).content.decode()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(restart)
    assert response["Location"] == detail
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts, job.is_downloadable) == ("done", "", 1, True)
    assert f'id="export-restart" method="post" action="{restart}" hidden' in client.get(detail).content.decode()
    client.post(reverse("reports:job_restart", args=[job.pk]))  # not failed any more: nothing happens
    assert ExportJob.objects.get(pk=job.pk).status == "done"
    client.force_login(report_world.admin)  # only the requester sees (and restarts) a job
    assert client.post(reverse("reports:job_restart", args=[job.pk])).status_code == 404


def test_the_recovery_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["export-jobs-recover"]
    assert entry["task"] == "reports.tasks.export_jobs_recover_task"
    assert entry["schedule"] == crontab()


def test_the_cleanup_runs_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-export-cleanup"]
    assert entry["task"] == "reports.tasks.export_files_expire_task"


def test_the_report_page_lists_plans_quarters_and_the_users_jobs(report_world, client):
    ExportJob.objects.create(kind="comparison", quarter_end=Q.end, requested_by=report_world.staff)
    ExportJob.objects.create(kind="comparison", quarter_end=Q.end, requested_by=report_world.admin)
    client.force_login(report_world.staff)
    html = client.get(reverse("reports:index")).content.decode()
    assert report_world.plan.title in html and report_world.other_plan.title not in html
    assert '<option value="2025Q2">2025年第2季度</option>' in html
    assert html.count("可查看的全部城市") == 1  # the staff's own job only
    assert '<a href="/reports/">季度通报</a>' in html  # the nav link
