"""Who may export what: only cities a user may see (404 otherwise), only their own jobs, always checked."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reports import services
from reports.models import ExportJob
from tests.reports.conftest import Q, open_workbook

SEE_OWN_CITY = ["staff", "reviewer", "leader", "department_user", "provincial", "admin"]


@pytest.fixture
def built(report_world):
    """A finished quarterly job of the own city, asked for by the own city's staff."""
    job = services.export_job_request(user=report_world.staff, kind="quarterly", quarter=Q, plan=report_world.plan)
    services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("who", SEE_OWN_CITY)
def test_everyone_who_sees_the_city_may_export_it(report_world, client, who, django_capture_on_commit_callbacks):
    client.force_login(getattr(report_world, who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"report_type": "quarterly", "plan": report_world.plan.code, "quarter": str(Q)},
        )
    assert response.status_code == 302
    assert ExportJob.objects.get().status == "done"


@pytest.mark.parametrize("who", ["other_staff", "other_reviewer"])
def test_a_city_the_user_may_not_see_answers_404_on_page_and_api(report_world, client, who):
    user = getattr(report_world, who)
    client.force_login(user)
    data = {"report_type": "quarterly", "plan": report_world.plan.code, "quarter": str(Q)}
    assert client.post(reverse("reports:job_create"), data).status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.post("/api/v1/report-jobs/", data, format="json").status_code == 404
    assert not ExportJob.objects.exists()
    assert report_world.plan.title not in client.get(reverse("reports:index")).content.decode()


@pytest.mark.parametrize("who", ["staff2", "leader", "other_staff", "admin"])
def test_another_users_job_answers_404(report_world, built, client, who):
    """Regression guard: a download link passed on does not open for anybody but its requester."""
    user = getattr(report_world, who)
    client.force_login(user)
    for name in ("reports:job_detail", "reports:job_download"):
        assert client.get(reverse(name, args=[built.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/report-jobs/{built.pk}/").status_code == 404
    assert api.get(f"/api/v1/report-jobs/{built.pk}/download/").status_code == 404
    assert api.get("/api/v1/report-jobs/").json()["results"] == []


def test_a_job_of_a_city_the_user_no_longer_sees_answers_404(report_world, client):
    job = services.export_job_request(user=report_world.provincial, kind="quarterly", quarter=Q, plan=report_world.plan)
    services.export_job_build(job_id=job.pk)
    client.force_login(report_world.provincial)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    report_world.provincial.profile.assigned_cities.clear()
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_refused_by_the_api(report_world, built, client):
    for url in (
        reverse("reports:index"),
        reverse("reports:job_detail", args=[built.pk]),
        reverse("reports:job_download", args=[built.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert APIClient().get(f"/api/v1/report-jobs/{built.pk}/download/").status_code in (401, 403)


def test_the_comparison_covers_only_the_cities_the_user_sees(report_world, client, django_capture_on_commit_callbacks):
    from tests.factories import IndicatorFactory

    IndicatorFactory(
        plan=report_world.other_plan, code="X1", name="外市有效发明专利", catalogue_key="valid_invention_patents"
    )
    # cities by code: "other" before "own"
    for user, cities in ((report_world.provincial, ["本市"]), (report_world.admin, ["外市", "本市"])):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("reports:job_create"), {"report_type": "comparison", "quarter": str(Q)})
        book = open_workbook(ExportJob.objects.filter(requested_by=user).get().file.read())
        assert [c.value.split("\n")[0] for c in book["对比总表"][1]][2:] == cities
