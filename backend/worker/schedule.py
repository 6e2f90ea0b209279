"""Periodic tasks: the sweeps that find what is due (mail to send, files to delete).

``PAPO["PERIODIC_TASKS"]`` maps a task's path to its period in seconds. Every
worker's heart looks (``due``) a few times a minute; for each task whose time
has come, one conditional UPDATE moves its next time on, and only the worker
whose UPDATE did it enqueues the task, so with any number of workers each
sweep runs once per period (none while no worker runs: they only find work
for workers to do).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Schedule

log = logging.getLogger("papo.worker")


def due() -> list[str]:
    """Enqueue every periodic task whose time has come; returns their paths."""
    now = timezone.now()
    enqueued = []
    for path, every in settings.PAPO["PERIODIC_TASKS"].items():
        try:
            with transaction.atomic():
                Schedule.objects.get_or_create(task_path=path, defaults={"due_at": now})
        except IntegrityError:  # another worker made it at the same moment
            pass
        moved = Schedule.objects.filter(task_path=path, due_at__lte=now).update(
            due_at=now + timedelta(seconds=every))
        if moved:
            import_string(path).enqueue()
            enqueued.append(path)
    if enqueued:
        log.debug("periodic tasks enqueued: %s", ", ".join(enqueued))
    return enqueued
