"""Background work on files (run by ``manage.py papo_worker``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Attachment

log = logging.getLogger("papo.attachments")
BATCH = 500


@task()
def sweep_orphans() -> int:
    """Delete uploads nobody sent within ``PAPO_UPLOAD_ORPHAN_SECONDS`` (three hours),
    with their stored files; returns how many. Periodic (``PAPO_UPLOAD_SWEEP_SECONDS``);
    safe to run twice at once: a row another run deleted is simply gone, and a send
    that claims a row meanwhile holds its lock, so that row is no orphan any more."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAPO["UPLOAD_ORPHAN_SECONDS"])
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(Attachment.objects.select_for_update(skip_locked=True, of=("self",))
                       .order_by().filter(message__isnull=True, created_at__lt=cutoff)
                       .values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            rows = list(Attachment.objects.filter(pk__in=ids, message__isnull=True))
            for row in rows:
                row.delete()  # one by one: each post_delete removes its files
            deleted += len(rows)
            if not rows:
                break
    if deleted:
        log.info("deleted %d uploads that were never sent", deleted)
    return deleted
