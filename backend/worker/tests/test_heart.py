"""The heartbeat's rescue of a dead worker's tasks, and periodic tasks run once per period.

(The whole thing, with real worker processes and one killed mid-send:
mail/tests/test_live_mail.py::test_a_worker_killed_mid_send_is_replaced_and_the_mail_still_goes.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mail import tasks
from worker import heart, schedule
from worker.models import Schedule, WorkerBeat

pytestmark = pytest.mark.django_db


def running_on(*workers: str) -> DBTaskResult:
    result = tasks.sweep.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=list(workers), started_at=timezone.now())
    return DBTaskResult.objects.get(pk=result.id)


def beating(worker_id: str, seconds_ago: float) -> None:
    at = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={
        "started_at": at, "seen_at": at})


def test_a_task_on_a_silent_worker_goes_back_to_the_queue(settings):
    settings.PAPO = {**settings.PAPO, "WORKER_STALE_SECONDS": 30}
    beating("alive", 1)
    beating("dead", 31)
    mine = running_on("alive")
    orphan = running_on("dead")
    never_beat = running_on("gone-before-its-first-beat-was-read")
    assert heart.rescue_stalled() == 2
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == TaskResultStatus.RUNNING
    assert statuses[orphan.pk] == statuses[never_beat.pk] == TaskResultStatus.READY
    assert heart.rescue_stalled() == 0  # nothing twice


def test_a_task_that_took_down_too_many_workers_is_given_up():
    poison = running_on(*[f"w{i}" for i in range(heart.MAX_ATTEMPTS)])
    assert heart.rescue_stalled() == 0
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert "died" in poison.traceback


def test_each_periodic_task_is_enqueued_once_per_period_whatever_the_workers(settings):
    settings.PAPO = {**settings.PAPO, "PERIODIC_TASKS": {"mail.tasks.sweep": 60}}
    assert schedule.due() == ["mail.tasks.sweep"]
    assert schedule.due() == []  # a second worker, a moment later
    assert DBTaskResult.objects.filter(task_path="mail.tasks.sweep").count() == 1
    Schedule.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert schedule.due() == ["mail.tasks.sweep"]
