"""Hostile parameters at the API's edge answer 400 naming the parameter (or 404), never a 5xx: huge ids,
limits and offsets, quarters outside the supported years, empty and non-boolean values; the page too."""

import pytest

BIG = "99999999999999999999"


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff)
    return client


@pytest.mark.parametrize(
    "path, param",
    [
        ("/api/v1/tasks/", "department"),
        ("/api/v1/task-updates/", "task"),
        ("/api/v1/task-updates/", "department"),
        ("/api/v1/instructions/", "department"),
        ("/api/v1/instructions/", "item"),
        ("/api/v1/figures/", "indicator"),
        ("/api/v1/indicators/", "department"),
        ("/api/v1/supervision-items/", "department"),
        ("/api/v1/task-matrix/", "department"),
    ],
)
@pytest.mark.parametrize("value", [BIG, "0", "-1", "1.5", "abc"])
def test_an_impossible_id_in_a_filter_is_a_400_naming_it(staff, path, param, value):
    response = staff.get(path, {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.parametrize(
    "query, param",
    [
        ({"limit": str(2**63)}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"offset": ""}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"offset": BIG}, "offset"),
    ],
)
def test_limits_and_offsets_are_read_strictly(staff, query, param):
    response = staff.get("/api/v1/task-updates/", query)
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_a_large_offset_is_an_empty_page(staff):
    body = staff.get("/api/v1/tasks/", {"offset": str(10**18 - 1), "limit": "1000"}).json()
    assert body["results"] == [] and body["count"] == 2


@pytest.mark.parametrize("quarter", ["9999Q4", "0001Q1", "1999Q4", "2100Q1"])
def test_a_quarter_outside_the_supported_years_is_refused_on_api_and_page(staff, world, quarter):
    response = staff.get("/api/v1/task-matrix/", {"plan": world.plan.code, "quarter": quarter})
    assert response.status_code == 400
    assert "年份应在 2000 至 2099 之间" in response.json()["quarter"][0]
    assert staff.get("/api/v1/task-updates/", {"quarter": quarter}).json()["quarter"]
    page = staff.get("/task-matrix/", {"plan": world.plan.code, "quarter": quarter}, follow=True)
    assert page.status_code == 200
    assert "年份应在 2000 至 2099 之间" in page.content.decode()


@pytest.mark.parametrize(
    "path, query",
    [
        ("/api/v1/task-updates/", {"quarter": ""}),
        ("/api/v1/tasks/", {"city": ""}),
        ("/api/v1/task-matrix/", {"plan": ""}),
        ("/api/v1/task-matrix/", {"section": ""}),
    ],
)
def test_an_empty_parameter_is_a_400_not_an_unfiltered_list(staff, path, query):
    response = staff.get(path, query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


@pytest.mark.parametrize("value", ["null", "maybe", "1", "True", ""])
def test_a_yes_no_filter_takes_true_or_false_only(staff, value):
    response = staff.get("/api/v1/task-updates/", {"is_consolidated": value})
    assert response.status_code == 400
    assert list(response.json()) == ["is_consolidated"]
    assert staff.get("/api/v1/task-updates/", {"is_consolidated": "false"}).status_code == 200


def test_a_department_or_section_the_plan_does_not_have_is_a_404(staff, world):
    base = {"plan": world.plan.code}
    assert staff.get("/api/v1/task-matrix/", {**base, "department": world.far_department.pk}).status_code == 404
    assert staff.get("/api/v1/task-matrix/", {**base, "section": "九、(九)"}).status_code == 404
    assert staff.get("/api/v1/supervision-items/", {"department": world.far_department.pk}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/tasks/{BIG}/",
        "/api/v1/tasks/abc/",
        "/api/v1/indicators/abc/figure-history/",
        f"/api/v1/indicators/{BIG}/figure-history/",
        f"/api/v1/plans/{BIG}/progress/",
        "/api/v1/task-updates/0.5/evidence/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_path_no_route_matches_is_a_json_404(staff, path):
    response = staff.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_text_fields_take_strings_only(client, world):
    client.force_login(world.lead_user)
    response = client.post(
        "/api/v1/task-updates/",
        {"task": world.task.pk, "quarter": str(world.last_quarter), "state": "done", "text": 5},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["text"]


def test_bodies_are_json_and_only_a_task_update_takes_multipart(staff, world):
    form = staff.post("/api/v1/supervision-items/", {"task": world.task.pk, "note": "x"})
    assert form.status_code == 415
    broken = staff.post("/api/v1/supervision-items/", "{", content_type="application/json")
    assert broken.status_code == 400 and "detail" in broken.json()
