"""Throttled logins (django-axes) with a Chinese lockout page and an administrator's unlock; idle sessions
ending after SESSION_IDLE_MINUTES; a first password changed before any other page; createsuperuser."""

import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Role
from plans.models import City

pytestmark = pytest.mark.django_db


def fail(client, username, times):
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "wrong"})
    return response


def test_repeated_failures_lock_the_login_with_a_chinese_message(client, admins, settings):
    response = fail(client, "staff", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已锁定" in page and f"密码连续输错 {settings.AXES_FAILURE_LIMIT} 次" in page and "30 分钟" in page
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "staff", "password": "pw"})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(kind="login_failed", target=admins.staff).count() >= 4
    assert AuditEvent.objects.filter(kind="locked_out", target=admins.staff).exists()


def test_fewer_failures_than_the_limit_do_not_lock(client, admins, settings):
    fail(client, "staff", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": "staff", "password": "pw"})
    assert response.status_code == 302


def test_city_admin_sees_the_lock_and_unlocks_it(client, admins, settings):
    fail(Client(), "staff", settings.AXES_FAILURE_LIMIT)
    client.force_login(admins.city_admin)
    page = client.get(reverse("users")).content.decode()
    assert "已锁定" in page and "解除锁定" in page
    response = client.post(reverse("user_unlock", args=[admins.staff.pk]), follow=True)
    assert "已解除 staff 的登录锁定" in response.content.decode()
    assert "已锁定" not in client.get(reverse("users")).content.decode()
    assert Client().post(reverse("login"), {"username": "staff", "password": "pw"}).status_code == 302
    event = AuditEvent.objects.get(kind="user_unlocked")
    assert event.actor == admins.city_admin and event.target == admins.staff


def test_another_citys_admin_cannot_unlock(client, admins, settings):
    fail(Client(), "staff", settings.AXES_FAILURE_LIMIT)
    client.force_login(admins.other_city_admin)
    assert client.post(reverse("user_unlock", args=[admins.staff.pk])).status_code == 404
    assert Client().post(reverse("login"), {"username": "staff", "password": "pw"}).status_code == 429


def test_idle_session_ends_after_the_setting(client, admins, settings):
    settings.SESSION_IDLE_MINUTES = 15
    client.force_login(admins.staff)
    assert client.get(reverse("plan_list")).status_code == 200
    session = client.session
    session["last_activity"] = int(time.time()) - 14 * 60
    session.save()
    assert client.get(reverse("plan_list")).status_code == 200  # 14 minutes idle: still in, and stamped anew
    session = client.session
    session["last_activity"] = int(time.time()) - 16 * 60
    session.save()
    response = client.get(reverse("plan_list"), follow=True)
    assert "长时间未操作，已自动退出" in response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert client.get(reverse("plan_list")).status_code == 302


def test_first_password_must_be_changed_before_anything_else(admins):
    client = Client()
    client.force_login(admins.city_admin)
    client.post(
        reverse("user_create"),
        {"username": "newbie", "role": Role.LEADER, "password1": "Chushi-2025!x", "password2": "Chushi-2025!x"},
    )
    newbie = Client()
    assert newbie.post(reverse("login"), {"username": "newbie", "password": "Chushi-2025!x"}).status_code == 302
    response = newbie.get(reverse("plan_list"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "请先修改管理员设置的初始密码" in response.content.decode()
    response = newbie.post(
        reverse("password_change"),
        {"old_password": "Chushi-2025!x", "new_password1": "Ziji-Mima-77", "new_password2": "Ziji-Mima-77"},
    )
    assert response.status_code == 302
    assert newbie.get(reverse("plan_list")).status_code == 200
    user = User.objects.get(username="newbie")
    assert not user.profile.must_change_password
    assert AuditEvent.objects.filter(kind="password_changed", actor=user).exists()


def test_logins_and_logouts_are_recorded_with_the_address(admins):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "staff", "password": "pw"})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    login = AuditEvent.objects.get(kind="login")
    assert login.actor == admins.staff and login.ip_address == "10.1.2.3" and login.city == admins.city
    assert AuditEvent.objects.filter(kind="logout", actor=admins.staff).exists()
    unknown = AuditEvent.objects.get(kind="login_failed")
    assert unknown.username == "nobody" and unknown.target is None and unknown.city is None


def test_createsuperuser_gives_a_working_administrator(db, client, standing, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Guanli-2025!x")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn")
    root = User.objects.get(username="root")
    assert root.profile.role == Role.ADMIN and root.is_superuser
    assert set(City.objects.visible_to(root)) == {standing.city, standing.other_city}
    assert client.post(reverse("login"), {"username": "root", "password": "Guanli-2025!x"}).status_code == 302
    for url in ("users", "audit_log", "api_tokens", "plan_list", "figure_index"):
        assert client.get(reverse(url)).status_code == 200, url
    assert client.get(reverse("home"), follow=True).status_code == 200
