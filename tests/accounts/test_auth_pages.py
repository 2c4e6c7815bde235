"""Login, logout and password change pages, in Chinese."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(standing):
    return make_user("zhang", Role.BUREAU_STAFF, city=standing.city)


def test_login_page_is_chinese_and_refuses_a_wrong_password(client, user):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page and "密码" in page
    response = client.post(reverse("login"), {"username": "zhang", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post(reverse("login"), {"username": "zhang", "password": "pw"})
    assert response.status_code == 302


def test_pages_need_a_login(client, standing):
    response = client.get(reverse("figure_index"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_logout_page_is_chinese(client, user):
    client.force_login(user)
    response = client.post(reverse("logout"), follow=True)
    assert "登录" in response.content.decode()


def test_password_change_in_chinese(client, user):
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "Zhishi-2025!", "new_password2": "Zhishi-2025!"},
        follow=True,
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Zhishi-2025!")
