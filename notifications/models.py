"""The in-app notification inbox; each notification may also go out once by email."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a user should act on. `key` names the event, so telling a user twice is impossible;
    `closed_at` is set when the event's cause is gone, and the reminder leaves the inbox."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("报送提醒")
        OVERDUE = "overdue", _("逾期提醒")
        SUPERVISION = "supervision", _("督办")
        ESCALATION = "escalation", _("督办升级")
        INSTRUCTION = "instruction", _("领导批示")
        TO_REVIEW = "to_review", _("待审核")
        RETURNED = "returned", _("数据退回")
        APPROVED = "approved", _("审核通过")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    key = models.CharField(_("事件键"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    closed_at = models.DateTimeField(
        _("事由消除时间"),
        null=True,
        blank=True,
        help_text=_("提醒的事由已不存在（例如数据已提交）：不再显示，也不再发送邮件。"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notification_once_per_event",
                violation_error_message=_("该用户已收到此通知。"),
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
