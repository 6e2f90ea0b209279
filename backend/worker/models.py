"""Workers that run Papo's background tasks, as seen by each other.

django-tasks-db marks a task RUNNING when a worker claims it, and nothing
gives it back if that worker dies mid-run (killed, out of memory, its machine
gone): the task would stay RUNNING for ever. Each Papo worker says it is alive
here every few seconds (``worker.heart``); a task RUNNING on a worker that
stopped saying so is given back to the queue by whichever worker notices.
"""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class Schedule(models.Model):
    """When a periodic task (``PAPO["PERIODIC_TASKS"]``) is next due, shared by every
    worker: the one that moves ``due_at`` on enqueues it, the others see it moved."""

    task_path = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task_path} due {self.due_at:%H:%M:%S}"
