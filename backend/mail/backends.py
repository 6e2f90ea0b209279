"""The demo's mail: each message a ``.eml`` file under ``var/mail/`` (any mail client opens one)."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

_count = itertools.count(1)
_lock = threading.Lock()


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            with _lock:
                name = f"{timezone.now():%Y%m%d-%H%M%S}-{next(_count):04d}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\r\n"))
            sent += 1
        return sent
