"""The OpenAPI schema of /api/v1/ generates without errors (cookiecutter-django's test_openapi)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_and_validates(tmp_path, capsys):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    assert "/api/v1/indicators/{id}/progress/" in text
    assert "/api/v1/plans/{id}/progress/" in text
