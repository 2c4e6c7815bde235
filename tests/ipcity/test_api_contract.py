"""The OpenAPI schema says what the API answers (nullability, shapes, media types, error bodies), the API
docs are served from this site, and every page sends a Content-Security-Policy without inline scripts."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, name):
    return schema["components"]["schemas"][name]["properties"]


@pytest.mark.parametrize(
    "name, field",
    [
        ("Figure", "updated_by"),
        ("Figure", "reviewed_by"),
        ("Figure", "submitted_by"),
        ("Indicator", "target_group"),
        ("SupervisionItem", "indicator"),
        ("SupervisionItem", "indicator_code"),
        ("SupervisionItem", "current_due"),
        ("SupervisionStep", "actor"),
        ("Instruction", "answered_by"),
        ("ExportJob", "plan"),
        ("MatrixCell", "state"),
    ],
)
def test_fields_that_can_be_null_are_documented_nullable(schema, name, field):
    assert component(schema, name)[field].get("nullable") is True


def test_the_task_matrix_is_documented_as_the_object_it_is(schema):
    ok = schema["paths"]["/api/v1/task-matrix/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/TaskMatrix"}
    assert component(schema, "MatrixRow")["cells"]["items"] == {"$ref": "#/components/schemas/MatrixCell"}


def test_evidence_is_documented_with_the_media_types_it_is_served_as(schema):
    content = schema["paths"]["/api/v1/task-updates/{id}/evidence/"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "application/ofd", "image/png", "application/msword"} <= set(content)
    assert "application/octet-stream" not in content


def test_a_catalogue_key_is_a_slug_or_empty(schema):
    key = component(schema, "ExportJob")["catalogue_key"]
    assert {"type": "string", "maxLength": 0} in key["oneOf"]
    assert any(option.get("pattern") == r"^[-a-zA-Z0-9_]+$" for option in key["oneOf"])


@pytest.mark.parametrize(
    "path, method, codes",
    [
        ("/api/v1/figures/{id}/", "get", {"200", "403", "404"}),
        ("/api/v1/figures/", "get", {"200", "400", "403", "414"}),
        ("/api/v1/figures/{id}/approve/", "post", {"200", "400", "403", "404", "409"}),
        ("/api/v1/figures/submit-quarter/", "post", {"200", "400", "403", "404", "409"}),
        ("/api/v1/task-matrix/", "get", {"200", "400", "403", "404"}),
        ("/api/v1/indicators/{id}/progress/", "get", {"200", "400", "403", "404"}),
    ],
)
def test_error_answers_are_documented_with_their_bodies(schema, path, method, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    assert "detail" in responses["403"]["content"]["application/json"]["schema"]["properties"]


def test_parameters_state_their_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/task-updates/"]["get"]["parameters"]}
    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert parameters["department"] == {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
    assert parameters["quarter"]["pattern"].startswith(r"^\s*20\d{2}")
    assert parameters["city"]["pattern"] == r"^[^\x00]+$"
    progress = schema["paths"]["/api/v1/plans/{id}/progress/"]["get"]["parameters"]
    assert next(p for p in progress if p["name"] == "as_of")["schema"]["format"] == "date"


@pytest.mark.parametrize("as_of", ["9999-12-31", "1999-12-31", "", "2025-13-01"])
def test_an_as_of_outside_the_supported_years_or_empty_is_refused(client, as_of):
    from tests.factories import PlanFactory

    plan = PlanFactory()
    client.force_login(make_user("staff", Role.BUREAU_STAFF, city=plan.city))
    response = client.get(f"/api/v1/plans/{plan.pk}/progress/", {"as_of": as_of})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]


def test_the_api_docs_are_served_from_this_site(client):
    client.force_login(make_user("staff", Role.BUREAU_STAFF))
    page = client.get("/api/v1/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html
    start = client.get("/api/v1/docs/", {"script": ""})
    assert start.status_code == 200 and "/api/v1/schema/" in start.content.decode()
    tokens = client.get("/accounts/tokens/").content.decode()
    assert 'href="/api/v1/docs/"' in tokens


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/docs/", "/"])
def test_every_page_sends_a_csp_without_inline_script(client, path):
    client.force_login(make_user("staff", Role.BUREAU_STAFF))
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
