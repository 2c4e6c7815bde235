"""The audit log page: administrators read it with filters (a city's administrator only their city's
events); events past AUDIT_RETENTION_DAYS are deleted by the nightly task."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent
from accounts.tasks import audit_expire_task

pytestmark = pytest.mark.django_db
Kind = AuditEvent.Kind


@pytest.fixture
def events(admins):
    services.audit_record(kind=Kind.LOGIN, actor=admins.staff, ip="10.0.0.1")
    services.audit_record(kind=Kind.USER_DISABLED, actor=admins.city_admin, target=admins.leader)
    services.audit_record(kind=Kind.LOGIN, actor=admins.other_staff, ip="10.9.9.9")
    services.audit_record(kind=Kind.LOGIN_FAILED, username="ghost")
    return admins


def rows(client, **params):
    page = client.get(reverse("audit_log"), params).content.decode()
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_city_admin_reads_only_their_citys_events(client, events):
    client.force_login(events.city_admin)
    body = rows(client)
    assert "10.0.0.1" in body and "leader" in body and "停用用户" in body
    assert "10.9.9.9" not in body and "other_staff" not in body and "ghost" not in body


def test_system_admin_reads_every_event_and_filters(client, events):
    client.force_login(events.admin)
    body = rows(client)
    assert "10.0.0.1" in body and "10.9.9.9" in body and "ghost" in body
    body = rows(client, kind="login_failed")
    assert "ghost" in body and "10.0.0.1" not in body
    body = rows(client, city=events.other_city.pk)
    assert "10.9.9.9" in body and "10.0.0.1" not in body
    body = rows(client, username="leader")
    assert "停用用户" in body and "10.0.0.1" not in body
    today = timezone.localdate()
    assert "ghost" in rows(client, since=today.isoformat(), until=today.isoformat())
    assert "没有符合条件的记录" in rows(client, until=(today - dt.timedelta(days=1)).isoformat())


def test_bad_filter_says_which_field(client, events):
    client.force_login(events.admin)
    page = client.get(reverse("audit_log"), {"since": "yesterday"}).content.decode()
    assert "起始日期：" in page and "没有符合条件的记录" in page


def test_a_city_filter_is_not_offered_to_a_city_admin(client, events):
    client.force_login(events.city_admin)
    assert 'name="city"' not in client.get(reverse("audit_log")).content.decode()
    # and posting one does not widen what they read
    assert "10.9.9.9" not in rows(client, city=events.other_city.pk)


def test_events_past_retention_are_deleted(events, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    old.update(created_at=timezone.now() - dt.timedelta(days=31))
    assert audit_expire_task() == 1
    assert AuditEvent.objects.count() == 3 and not AuditEvent.objects.filter(username="ghost").exists()


def test_audit_page_queries_do_not_grow_with_events(client, events, django_assert_max_num_queries):
    client.force_login(events.admin)
    client.get(reverse("audit_log"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("audit_log"))
    for n in range(30):
        services.audit_record(kind=Kind.LOGIN, actor=events.reviewer, target=events.staff, ip=f"10.1.1.{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "10.1.1.29" in client.get(reverse("audit_log")).content.decode()
