"""The notification inbox: once per event, emailed once, unread badge, own notifications only."""

from unittest import mock

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from notifications.context_processors import unread_notifications
from notifications.models import Notification
from notifications.services import notification_emails_send, notify
from tests.factories import NotificationFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    user = make_user("alice", Role.BUREAU_STAFF)
    user.email = "alice@example.cn"
    user.save()
    return user


@pytest.fixture
def bob():
    return make_user("bob", Role.BUREAU_STAFF)


def test_notify_twice_records_once_per_recipient(alice, bob):
    event = {"key": "figures-overdue:1:2025Q1", "kind": "overdue", "title": "指标数据已逾期"}
    assert notify(recipient_ids=[alice.pk, bob.pk], **event) == 2
    assert notify(recipient_ids=[alice.pk, bob.pk], **event) == 0
    assert Notification.objects.count() == 2


def test_each_notification_is_emailed_once(alice, bob, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://ipcity.example.gov.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient_ids=[alice.pk, bob.pk], key="e:1", kind="overdue", title="逾期", body="正文", link="/tasks/mine/"
        )
    assert notification_emails_send() == 0  # the after-commit send already took it
    [message] = mailoutbox  # bob has no email address
    assert message.to == ["alice@example.cn"]
    assert message.subject == "[ipcity] 逾期"
    assert "正文" in message.body and "https://ipcity.example.gov.cn/tasks/mine/" in message.body


def test_a_notification_read_in_the_app_is_not_emailed(alice, mailoutbox):
    NotificationFactory(recipient=alice, read_at="2025-01-01T00:00:00Z")
    assert notification_emails_send() == 0 and mailoutbox == []


def test_a_failed_send_releases_the_claim_for_the_next_run(alice, mailoutbox):
    NotificationFactory(recipient=alice)
    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError),
        pytest.raises(OSError),
    ):
        notification_emails_send()
    assert Notification.objects.get().emailed_at is None
    assert notification_emails_send() == 1 and len(mailoutbox) == 1


def test_inbox_shows_only_own_notifications_with_unread_badge(client, alice, bob):
    NotificationFactory(recipient=alice, title="给 alice 的通知")
    NotificationFactory(recipient=alice, title="已读通知", read_at="2025-01-01T00:00:00Z")
    NotificationFactory(recipient=bob, title="给 bob 的通知")
    client.force_login(alice)
    page = client.get("/notifications/").content.decode()
    assert "给 alice 的通知" in page and "已读通知" in page and "给 bob 的通知" not in page
    assert '<span class="badge" title="未读通知">1</span>' in page
    unread = client.get("/notifications/", {"unread": "true"}).content.decode()
    assert "已读通知" not in unread


def test_badge_costs_one_query_and_nothing_for_anonymous(alice):
    request = RequestFactory().get("/")
    request.user = alice
    with CaptureQueriesContext(connection) as queries:
        assert int(str(unread_notifications(request)["unread_notification_count"])) == 0
    assert len(queries) == 1
    request.user = mock.Mock(is_authenticated=False)
    assert unread_notifications(request) == {}


def test_opening_marks_read_and_follows_only_local_links(client, alice, bob):
    local = NotificationFactory(recipient=alice, link="/tasks/mine/")
    offsite = NotificationFactory(recipient=alice, link="https://evil.example/")
    foreign = NotificationFactory(recipient=bob)
    client.force_login(alice)
    assert client.get(f"/notifications/{local.pk}/")["Location"] == "/tasks/mine/"
    assert client.get(f"/notifications/{offsite.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{foreign.pk}/").status_code == 404
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=foreign.pk).read_at is None


def test_mark_read_one_or_all(client, alice, bob):
    first, second, third = (NotificationFactory(recipient=alice) for _ in range(3))
    theirs = NotificationFactory(recipient=bob)
    client.force_login(alice)
    client.post("/notifications/read/", {"id": [first.pk, theirs.pk]})
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
        theirs.pk,
    }
    client.post("/notifications/read/")
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == [theirs.pk]


def test_api_parity(client, alice, bob):
    mine = NotificationFactory(recipient=alice, title="mine")
    NotificationFactory(recipient=alice, title="read", read_at="2025-01-01T00:00:00Z")
    theirs = NotificationFactory(recipient=bob)
    client.force_login(alice)
    assert [n["title"] for n in client.get("/api/v1/notifications/").json()["results"]] == ["read", "mine"]
    assert [n["title"] for n in client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]] == ["mine"]
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read/").json()["is_read"] is True
    NotificationFactory(recipient=alice)
    client.post("/api/v1/notifications/read-all/")
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_gets_nothing(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
