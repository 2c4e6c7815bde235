"""The OpenAPI schema states the error answers every operation can give (ipcity.exceptions).

drf-spectacular documents only the success of an operation; the API's one error contract is added here, so
a client (and the schemathesis run of .ci/run) knows each refusal's status and body:
400 invalid input (messages by field, or `detail` for a body that could not be read), 403 not signed in or
not allowed, 404 not there for this user (any operation with an id in its path, every write: they name
records, and views that set `may_not_find`), 409 changed meanwhile (writes of views that set `may_conflict`),
414 from the web server for a query string over its limit.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_MESSAGES = {
    "type": "object",
    "description": "Messages by field name (`non_field_errors` for the request as a whole); `detail` when the "
    "body could not be read at all.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


TEXT_PARAMETER_PATTERN = r"^[^\x00]+$"


class ErrorAwareAutoSchema(AutoSchema):
    def _get_filter_parameters(self):
        """A text filter takes a value without NUL: the API refuses `?city=` (ipcity.filters) and a NUL
        character (Django's form fields), so the schema says so."""
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
                schema["pattern"] = TEXT_PARAMETER_PATTERN
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        has_input = writes or any(p["in"] == "query" for p in self._get_parameters())
        errors = {"403": (_("未登录，或无权进行此操作。"), DETAIL)}
        if has_input:
            errors["400"] = (_("输入无效：按字段列出原因。"), FIELD_MESSAGES)
        if writes or "{" in self.path or getattr(self.view, "may_not_find", False):
            errors["404"] = (_("不存在，或当前用户无权查看。"), DETAIL)
        if writes and getattr(self.view, "may_conflict", False):
            errors["409"] = (_("已被他人修改，请刷新后重试。"), DETAIL)
        for code, (description, schema) in errors.items():
            responses.setdefault(
                code, {"description": str(description), "content": {"application/json": {"schema": schema}}}
            )
        if any(p["in"] == "query" for p in self._get_parameters()):
            # gunicorn's own answer (HTML) to a request line over its limit (4094 bytes), before any view.
            responses.setdefault("414", {"description": str(_("请求地址过长。"))})
        return responses
