"""A worker's heartbeat, the rescue of tasks whose worker died, and the periodic tasks.

A thread beside django-tasks-db's worker loop (``papo_worker``) writes this
worker's :class:`~worker.models.WorkerBeat` every ``BEAT`` seconds, even
while a long task runs, and looks for tasks RUNNING on a worker whose beat is
older than ``PAPO_WORKER_STALE_SECONDS``: such a task goes back to the queue
(READY), to run again on any worker. Papo's tasks are written to run twice
safely (a mail is sent under a key, a clean-up deletes what is still there),
so a task that was half done when its worker died is redone, never lost.

A task that kills its worker every time (say, out of memory) is not retried
for ever: after ``MAX_ATTEMPTS`` workers it is marked failed and logged.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import schedule
from .models import WorkerBeat

log = logging.getLogger("papo.worker")

BEAT = 2.0  # seconds between beats
MAX_ATTEMPTS = 5  # workers a task may take down before it is given up


def stale_after() -> float:
    return settings.PAPO["WORKER_STALE_SECONDS"]


def beat(worker_id: str, started_at) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={
        "host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at,
        "seen_at": now})


def rescue_stalled() -> int:
    """Give back to the queue the tasks RUNNING on workers that stopped beating;
    returns how many. Safe to run from every worker at once: each change is
    conditional on the task still being RUNNING."""
    fresh = set(WorkerBeat.objects.filter(
        seen_at__gte=timezone.now() - timedelta(seconds=stale_after()))
        .values_list("worker_id", flat=True))
    rescued = 0
    for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids", "task_path"):
        owner = task.worker_ids[-1] if task.worker_ids else None
        if owner in fresh:
            continue
        running = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING)
        if len(task.worker_ids) >= MAX_ATTEMPTS:
            if running.update(status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                              exception_class_path="worker.heart.WorkerDied",
                              traceback=f"its worker died {len(task.worker_ids)} times"):
                log.error("task %s (%s) took down %d workers; given up", task.pk,
                          task.task_path, len(task.worker_ids))
            continue
        if running.update(status=TaskResultStatus.READY, started_at=None):
            rescued += 1
            log.warning("task %s (%s) was running on worker %s, which stopped beating; "
                        "back in the queue", task.pk, task.task_path, owner)
    WorkerBeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return rescued


class Heart(threading.Thread):
    """Beats for ``worker_id`` and rescues stalled tasks until :meth:`stop`."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"papo-heart-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self._stop = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop.is_set():
                close_old_connections()
                try:
                    beat(self.worker_id, self.started_at)
                    rescue_stalled()
                    schedule.due()
                except Exception:  # the database away: the worker loop says so too
                    log.warning("worker %s: heartbeat failed", self.worker_id, exc_info=True)
                self._stop.wait(BEAT)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self.join(BEAT * 2)
        try:
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            log.warning("worker %s: could not remove its heartbeat", self.worker_id)
