"""Outages (issue 18): a stopped broker never fails a user's action, a database that cannot be reached
answers a Chinese 503, and the same error repeated is logged once with a count."""

import logging

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path

from ipcity import celery as wiring
from ipcity.logs import RepeatFilter
from ipcity.urls import urlpatterns as site_urls


class _Task:
    name = "tests.flaky_task"

    def __init__(self):
        self.calls = 0

    def apply_async(self, args, **kwargs):
        self.calls += 1
        raise OSError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")


def test_a_failed_send_returns_false_and_the_next_sends_skip_the_broker_for_a_while(monkeypatch, caplog):
    monkeypatch.setattr(wiring, "_eager", lambda: False)
    monkeypatch.setattr(wiring, "_broker_down_until", 0.0)
    task = _Task()
    assert wiring.enqueue(task, 7) is False
    assert wiring.enqueue(task, 8) is False
    assert task.calls == 1  # the second request did not wait on the broker at all
    assert "the periodic sweep will" in caplog.text and "left to the periodic sweep" in caplog.text
    monkeypatch.setattr(wiring, "_broker_down_until", 0.0)
    assert wiring.enqueue(task, 9) is False and task.calls == 2  # tried again once the pause is over


def _record(msg, *args, exc=None):
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, None)
    if exc:
        record.exc_info = (type(exc), exc, None)
    return record


def test_repeated_identical_errors_are_logged_once_then_with_a_count(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("ipcity.logs.time.monotonic", lambda: clock[0])
    repeats = RepeatFilter(window=60)
    down = OperationalError("connection refused")
    shown = [repeats.filter(_record("%s: %s", "Service Unavailable", f"/page/{n}", exc=down)) for n in range(500)]
    assert shown == [True] + [False] * 499
    assert repeats.filter(_record("another error %s", 1)) is True  # a different kind is not swallowed
    clock[0] += 61
    again = _record("%s: %s", "Service Unavailable", "/page/x", exc=down)
    assert repeats.filter(again) is True
    assert again.getMessage() == "Service Unavailable: /page/x (repeated 499 times in the last 60 s)"


def _database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5440 failed: Connection refused')


def _bug(request):
    raise ZeroDivisionError


urlpatterns = [
    path("down/", _database_down),
    path("bug/", _bug),
    path("api/v1/down/", _database_down),
    *site_urls,
]
handler500 = "ipcity.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_cannot_reach_the_database_answers_a_chinese_503():
    """Regression (issue 18): a save during a PostgreSQL restart answered an English "Server Error (500)"."""
    client = Client(raise_request_exception=False)
    response = client.get("/down/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时不可用" in page and "数据库暂时无法连接" in page and "Server Error" not in page
    api = client.get("/api/v1/down/")
    assert api.status_code == 503 and api.json() == {"detail": "数据库暂时无法连接，请稍后重试。"}
    bug = client.get("/bug/")
    assert bug.status_code == 500 and "服务器内部错误" in bug.content.decode()


@pytest.mark.django_db
def test_the_api_answers_json_503_when_the_database_fails_in_a_view(client, monkeypatch, admin_user):
    from plans.api import views as plan_views

    def failing(self):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(plan_views.CityViewSet, "get_queryset", failing)
    client.force_login(admin_user)
    response = client.get("/api/v1/cities/")
    assert response.status_code == 503 and response.json()["detail"] == "数据库暂时无法连接，请稍后重试。"


def test_persistent_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_celery_is_configured_not_to_lose_work(settings):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    longest = max(wiring.app.tasks[name].time_limit or settings.CELERY_TASK_TIME_LIMIT for name in _our_tasks())
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest + wiring.RETRY["retry_backoff_max"]
    assert settings.CELERY_TASK_PUBLISH_RETRY is False


def _our_tasks():
    wiring.app.loader.import_default_modules()
    names = [
        name for name in wiring.app.tasks if name.split(".")[0] in ("indicators", "reports", "tasks", "notifications")
    ]
    assert len(names) >= 7
    return names
