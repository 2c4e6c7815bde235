"""Telling users: one notification per user and event, then at most one email for it."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification

logger = logging.getLogger(__name__)

EMAIL_BATCH = 500


def notify(*, recipient_ids: Iterable[int], key: str, kind: str, title: str, body: str = "", link: str = "") -> int:
    """Record the event for every recipient who has not had it yet; returns how many were new.

    The unique (recipient, key) constraint makes a repeated or concurrent call create nothing; the email
    is sent after commit by notification_emails_send, which claims each notification once.
    """
    wanted = set(recipient_ids)
    if not wanted:
        return 0
    existing = set(Notification.objects.filter(key=key, recipient_id__in=wanted).values_list("recipient_id", flat=True))
    new = [
        Notification(recipient_id=pk, key=key, kind=kind, title=title[:200], body=body, link=link)
        for pk in sorted(wanted - existing)
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transaction.on_commit(_enqueue_emails)
    return len(new)


def notifications_close(*, key_prefixes: Iterable[str]) -> int:
    """Close every open notification whose key starts with one of the prefixes: its cause is gone (the
    quarter was submitted, the returned figure resubmitted), so it leaves the inbox and is not emailed."""
    condition = Q()
    for prefix in key_prefixes:
        condition |= Q(key__startswith=prefix)
    if not condition:
        return 0
    return Notification.objects.filter(condition, closed_at__isnull=True).update(closed_at=timezone.now())


def _enqueue_emails():
    # Imported here: notifications.tasks imports this module for the service it runs.
    from ipcity.celery import enqueue
    from notifications.tasks import notification_emails_send_task

    enqueue(notification_emails_send_task)


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or the given ones) read; returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True, closed_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def notification_emails_send(*, limit: int = EMAIL_BATCH) -> int:
    """Email unread notifications not yet emailed, each exactly once, through Django's email backend.

    Each row is claimed by a conditional UPDATE (emailed_at still empty), so two senders running at once
    never both send it (healthchecks' sendalerts). A failed send releases its claims for the next run.
    """
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True, read_at__isnull=True, closed_at__isnull=True, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")[:limit]
    )
    now = timezone.now()
    claimed, messages = [], []
    for notification in pending:
        if Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now):
            claimed.append(notification.pk)
            messages.append(
                EmailMessage(
                    subject=_("[ipcity] %(title)s") % {"title": notification.title},
                    body=_email_body(notification),
                    to=[notification.recipient.email],
                )
            )
    if not messages:
        return 0
    try:
        get_connection().send_messages(messages)
    except Exception:
        Notification.objects.filter(pk__in=claimed).update(emailed_at=None)
        raise
    return len(messages)


def _email_body(notification: Notification) -> str:
    lines = [notification.body] if notification.body else []
    if notification.link:
        lines.append(_("查看：%(link)s") % {"link": settings.SITE_URL.rstrip("/") + notification.link})
    lines.append(_("（本邮件由 ipcity 自动发送，请登录系统处理。）"))
    return "\n\n".join(lines)
