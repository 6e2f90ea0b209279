"""``python manage.py papo_worker``: run Papo's background tasks.

django-tasks-db's own worker loop (``db_worker``), with Papo's heartbeat
beside it (``worker.heart``): a task whose worker dies mid-run goes back to
the queue instead of staying RUNNING for ever. Run as many as the load needs,
on any machines sharing the database: each claims a task under a row lock, so
no two run the same task at once. SIGTERM or Ctrl-C finishes the task under
way, then exits; a second one stops at once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from worker import heart


class Command(BaseCommand):
    help = "Run Papo's background tasks (mail, follow-ups, clean-up); run several for more."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queues", default="*",
                            help="comma-separated queues to run, or * for all (default)")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds between looks at an empty queue (default 0.5)")
        parser.add_argument("--worker-id", default="",
                            help="unique per worker; a random one by default")

    def handle(self, *, queues: str, interval: float, worker_id: str, **options) -> None:
        worker_id = worker_id or "papo-" + get_random_string(24)
        beating = heart.Heart(worker_id)
        heart.beat(worker_id, beating.started_at)  # before any claim: never taken for dead
        beating.start()
        self.stdout.write(f"papo worker {worker_id}: queues {queues}", self.style.SUCCESS)
        worker = Worker(queue_names=queues.split(","), interval=interval, batch=False,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id=worker_id, excluded_queue_names=[])
        worker.configure_signals()
        try:
            worker.run()
        finally:
            beating.stop()
