"""Refusals and errors read as pages of the product, in Chinese, never Django's technical ones."""

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_styled_chinese_404(client, standing):
    client.force_login(standing.staff)
    response = client.get("/cities/no-such-city/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "返回首页" in html and "URLconf" not in html


def test_a_refusal_is_a_styled_403_with_its_reason(client, standing):
    client.force_login(standing.staff)  # bureau staff enter figures; only reviewers review them
    response = client.get(f"/plans/{standing.plan.code}/figures/2025Q3/review/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    assert "服务器内部错误" in html and "返回首页" in html


def test_a_department_clerk_lands_on_their_tasks(client, standing):
    client.force_login(standing.department_user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/tasks/mine/"
