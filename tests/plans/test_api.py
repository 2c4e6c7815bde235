"""The read-only API under /api/v1/: list, detail, city filter, and the visibility rule."""

import pytest

from accounts.models import Role
from tests.factories import AssignmentFactory, IndicatorFactory, make_user

pytestmark = pytest.mark.django_db

RESOURCES = ["cities", "plans", "indicators", "tasks", "departments"]


@pytest.fixture
def world():
    """Two cities with one indicator and one task each; a staff user in the first city only."""
    own = IndicatorFactory(plan__city__code="own")
    other = IndicatorFactory(plan__city__code="other")
    AssignmentFactory(task__plan=own.plan)
    AssignmentFactory(task__plan=other.plan)
    return {
        "own": own,
        "other": other,
        "staff": make_user("alice", Role.BUREAU_STAFF, city=own.plan.city),
        "admin": make_user("root", Role.ADMIN),
    }


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_gets_nothing(client, world, resource):
    assert client.get(f"/api/v1/{resource}/").status_code in (401, 403)


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_shows_only_own_city(client, world, resource):
    client.force_login(world["staff"])
    response = client.get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    cities = {row.get("city", row.get("code")) for row in rows}
    assert cities == {"own"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_admin_filters_by_city(client, world, resource):
    client.force_login(world["admin"])
    everything = client.get(f"/api/v1/{resource}/").json()["results"]
    filtered = client.get(f"/api/v1/{resource}/", {"city" if resource != "cities" else "code": "other"}).json()
    assert len(filtered["results"]) < len(everything)
    assert {row.get("city", row.get("code")) for row in filtered["results"]} == {"other"}


def test_detail_of_another_citys_indicator_is_404(client, world):
    client.force_login(world["staff"])
    assert client.get(f"/api/v1/indicators/{world['own'].pk}/").status_code == 200
    assert client.get(f"/api/v1/indicators/{world['other'].pk}/").status_code == 404


def test_indicator_detail_carries_semantics(client, world):
    client.force_login(world["staff"])
    body = client.get(f"/api/v1/indicators/{world['own'].pk}/").json()
    assert body["measure_type"] == "stock"
    assert body["target_form"] == "absolute"
    assert body["lead_department"] == "市市场监管局"
    assert body["interim_targets"] == []


def test_api_is_read_only(client, world):
    client.force_login(world["admin"])
    assert client.post("/api/v1/cities/", {"code": "x", "name": "x"}).status_code == 405
