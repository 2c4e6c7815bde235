"""One error contract for every API endpoint: 403 not allowed, 400 invalid by field, 409 changed meanwhile,
and a logged JSON 500 for anything unexpected (never an HTML error page)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import Conflict, Forbidden, Invalid
from ipcity.exceptions import api_exception_handler

VIEW = SimpleNamespace(api_field_names={"period": "quarter"})


def answer(exc):
    return api_exception_handler(exc, {"view": VIEW})


@pytest.mark.parametrize("exc", [Forbidden("只有审核人员可以审核。"), PermissionDenied("只有审核人员可以审核。")])
def test_not_allowed_is_403_with_the_reason(exc):
    response = answer(exc)
    assert response.status_code == 403 and response.data["detail"] == "只有审核人员可以审核。"


@pytest.mark.parametrize(
    "exc",
    [
        Invalid({"period": ["季度格式错误"], "": ["整体错误"]}),
        ValidationError({"period": ["季度格式错误"], "__all__": ["整体错误"]}),
    ],
)
def test_invalid_is_400_by_api_field_name(exc):
    response = answer(exc)
    assert response.status_code == 400
    assert response.data == {"quarter": ["季度格式错误"], "non_field_errors": ["整体错误"]}


def test_changed_meanwhile_is_409():
    response = answer(Conflict("本季度数据已被他人修改"))
    assert response.status_code == 409 and "他人修改" in response.data["detail"]


def test_anything_unexpected_is_a_logged_json_500(caplog):
    response = answer(ZeroDivisionError("boom"))
    assert response.status_code == 500 and "服务器内部错误" in response.data["detail"]
    assert "unexpected error" in caplog.text
