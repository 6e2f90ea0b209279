"""What one visitor may upload in an hour, across every process (the shared cache).

Two counters per visitor and clock hour, files and bytes, in the cache (Redis
with ``REDIS_URL``, so every process counts together; this process's memory
otherwise). An upload is counted when it starts, at the size it announces, so
a refusal comes before its bytes are read; one refused here is given back.
The counters are per clock hour: at most ``PAPO_UPLOADS_PER_VISITOR_PER_HOUR``
files and ``PAPO_UPLOAD_BYTES_PER_VISITOR_PER_HOUR`` bytes in each, so across
the turn of an hour a visitor may fit up to twice that into sixty minutes.
With the cache unreachable uploads are let through uncounted and the outage
says how many (``bus.outage``): the size caps and the per-site limits still hold.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from bus import outage
from papo.cache import shared

log = logging.getLogger("papo.attachments")
WINDOW = 3600


def take_upload(uploader: str, size: int, now: float | None = None) -> float | None:
    """Count one upload of ``size`` bytes for ``uploader`` (a visitor's public id):
    None if it fits this hour, else the seconds until the next hour."""
    now = time.time() if now is None else now
    hour = int(now // WINDOW)
    files_key, bytes_key = f"papo:up:n:{uploader}:{hour}", f"papo:up:b:{uploader}:{hour}"
    cache = shared()
    try:
        cache.add(files_key, 0, timeout=2 * WINDOW)
        cache.add(bytes_key, 0, timeout=2 * WINDOW)
        files = cache.incr(files_key)
        total = cache.incr(bytes_key, size)
        if (files <= settings.PAPO["UPLOADS_PER_VISITOR_PER_HOUR"]
                and total <= settings.PAPO["UPLOAD_BYTES_PER_VISITOR_PER_HOUR"]):
            return None
        cache.decr(files_key)  # a refused upload costs nothing
        cache.decr(bytes_key, size)
    except Exception as exc:
        if not outage.failed(exc, "uploads let through uncounted"):
            log.warning("upload count failed for %s", uploader, exc_info=exc)
        return None
    return WINDOW - now % WINDOW
