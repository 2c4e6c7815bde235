"""API parity: drafts, submit, approve, return, correct, history through /api/v1/figures/, token or session."""

from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status


def api(user=None, token=False):
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def create(client, indicator, **body):
    body = {"indicator": indicator.pk, "quarter": str(Q3), "source": "省局", **body}
    return client.post("/api/v1/figures/", body, format="json")


def test_token_auth_creates_updates_submits_and_a_reviewer_approves(quarter_world):
    staff = api(quarter_world.staff, token=True)
    response = create(staff, quarter_world.stock, value="120")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["value"], body["quarter"], body["created_by"]) == (
        "draft",
        "120.0000",
        "2025Q3",
        "staff",
    )
    figure_id = body["id"]
    response = staff.patch(
        f"/api/v1/figures/{figure_id}/", {"value": "125", "source": "省局", "revision": body["revision"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["value"] == "125.0000"
    assert staff.post(f"/api/v1/figures/{figure_id}/submit/").json()["status"] == "submitted"
    assert staff.post(f"/api/v1/figures/{figure_id}/approve/").status_code == 403
    reviewer = api(quarter_world.reviewer, token=True)
    response = reviewer.post(f"/api/v1/figures/{figure_id}/approve/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reviewed_by"]) == ("approved", "reviewer")


def test_errors_are_json_with_field_messages(quarter_world):
    staff = api(quarter_world.staff)
    response = create(staff, quarter_world.share, value="120")
    assert response.status_code == 400 and response.json() == {"value": ["比率应在0–100之间。"]}
    response = create(staff, quarter_world.ratio, numerator="5")
    assert response.json() == {"denominator": ["请填写分母。"]}
    response = create(staff, quarter_world.stock, value="abc")
    assert response.status_code == 400 and "value" in response.json()
    response = create(staff, quarter_world.stock, quarter="2025Q9", value="1")
    assert "季度格式" in response.json()["quarter"][0]
    response = create(staff, quarter_world.stock, quarter="2031Q1", value="1")
    assert response.json() == {"quarter": ["该季度不在方案实施期内或尚未结束。"]}


def test_a_stale_revision_is_refused_with_409_naming_who(quarter_world):
    staff = api(quarter_world.staff)
    body = create(staff, quarter_world.stock, value="120").json()
    other = api(quarter_world.staff2)
    assert (
        other.patch(
            f"/api/v1/figures/{body['id']}/", {"value": "121", "revision": body["revision"]}, format="json"
        ).status_code
        == 200
    )
    response = staff.patch(
        f"/api/v1/figures/{body['id']}/", {"value": "122", "revision": body["revision"]}, format="json"
    )
    assert response.status_code == 409 and "staff2" in response.json()["detail"]
    assert QuarterlyFigure.objects.get().value == 121


def test_a_second_draft_for_the_same_quarter_is_refused(quarter_world):
    staff = api(quarter_world.staff)
    first = create(staff, quarter_world.stock, value="120").json()
    response = create(staff, quarter_world.stock, value="130")
    assert response.status_code == 400 and str(first["id"]) in response.json()["non_field_errors"][0]


def test_return_requires_a_reason_and_history_shows_it(quarter_world):
    staff, reviewer = api(quarter_world.staff), api(quarter_world.reviewer)
    figure_id = create(staff, quarter_world.stock, value="120").json()["id"]
    staff.post(f"/api/v1/figures/{figure_id}/submit/")
    response = reviewer.post(f"/api/v1/figures/{figure_id}/return/", {"return_reason": ""}, format="json")
    assert response.status_code == 400 and response.json() == {"return_reason": ["退回时必须填写原因。"]}
    response = reviewer.post(f"/api/v1/figures/{figure_id}/return/", {"return_reason": "口径不符"}, format="json")
    assert response.json()["status"] == "returned" and response.json()["return_reason"] == "口径不符"
    history = staff.get(f"/api/v1/figures/{figure_id}/history/").json()
    assert history[0]["reason"] == "退回：口径不符" and history[0]["who"] == "reviewer"
    assert {"field": "status", "label": "状态", "old": "待审核", "new": "已退回"} in history[0]["changes"]
    indicator_history = staff.get(f"/api/v1/indicators/{quarter_world.stock.pk}/figure-history/").json()
    assert len(indicator_history) == len(history)


def test_correct_through_the_api(quarter_world):
    figure = FigureFactory(indicator=quarter_world.stock, period_end=Q3.end, value=D(120))
    staff = api(quarter_world.staff)
    response = staff.post(
        f"/api/v1/figures/{figure.pk}/correct/",
        {"value": "125", "source": "省局", "correction_reason": ""},
        format="json",
    )
    assert response.json() == {"correction_reason": ["更正时必须填写原因。"]}
    response = staff.post(
        f"/api/v1/figures/{figure.pk}/correct/",
        {"value": "125", "source": "省局", "correction_reason": "公报修订"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["version"] == 2
    assert response.json()["status"] == "submitted"
    response = staff.patch(f"/api/v1/figures/{figure.pk}/", {"value": "1", "revision": figure.revision}, format="json")
    assert response.status_code == 400


def test_submit_quarter_reports_rows_with_their_errors(quarter_world):
    staff = api(quarter_world.staff)
    create(staff, quarter_world.stock, value="120", source="")
    create(staff, quarter_world.share, value="15")
    response = staff.post(
        "/api/v1/figures/submit-quarter/", {"plan": quarter_world.plan.code, "quarter": "2025Q3"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "rows": [
            {
                "indicator": quarter_world.stock.pk,
                "indicator_code": "A1",
                "errors": {"source": ["提交前请填写统计口径/发布来源。"]},
            }
        ]
    }
    QuarterlyFigure.objects.filter(indicator=quarter_world.stock).update(source="省局")
    response = staff.post(
        "/api/v1/figures/submit-quarter/", {"plan": quarter_world.plan.code, "quarter": "2025Q3"}, format="json"
    )
    assert response.status_code == 200 and len(response.json()["figures"]) == 2


def test_list_filters_by_quarter_and_status(quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end)
    FigureFactory(indicator=quarter_world.stock, period_end=Q3.end, status=Status.DRAFT)
    staff = api(quarter_world.staff)
    assert staff.get("/api/v1/figures/", {"quarter": "2025Q2"}).json()["count"] == 1
    assert staff.get("/api/v1/figures/", {"status": "draft"}).json()["count"] == 1
    assert staff.get("/api/v1/figures/", {"quarter": "bad"}).status_code == 400
