"""Nightly: account events older than AUDIT_RETENTION_DAYS are deleted."""

import logging

from celery import shared_task

from accounts.services import audit_expire

logger = logging.getLogger(__name__)


@shared_task
def audit_expire_task() -> int:
    deleted = audit_expire()
    logger.info("audit log: %s events past retention deleted", deleted)
    return deleted
