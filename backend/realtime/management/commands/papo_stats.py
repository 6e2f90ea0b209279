"""Print the refusal and delivery counters (shared by every process through the cache)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bus import metrics


class Command(BaseCommand):
    help = "Print what the sockets refused, limited and healed, across all processes."

    def handle(self, *args, **options) -> None:
        for name, value in metrics.snapshot().items():
            self.stdout.write(f"{name:28} {value}")
