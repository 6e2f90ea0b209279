"""Where each site's widget was seen loading from: the page origins that asked for
its config or opened its socket, allowed or refused, and when last.

A site owner whose widget "does nothing" has usually pasted it on a page whose
origin the site does not list (a staging host, ``www.`` or not, http or https);
the install check (issue #22) reads :func:`seen_origins` to say so.

Any client can send any ``Origin``, so writing must stay cheap and bounded: at
most one write a minute per (site, origin, allowed or not) — a memo in this
process first, then the shared cache for the others — and at most
:data:`MAX_PER_SITE` origins per site, where a new refused origin replaces the
refused one seen longest ago. A change of verdict is written at once: the
owner who just allowed an origin sees the check turn green on the next load.
Recording is a nicety: it never fails the request or the handshake it rides on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from bus import outage
from papo.cache import shared

from .models import SeenOrigin, Site
from .origins import normalize_origin

log = logging.getLogger("papo.sites")

THROTTLE_SECONDS = 60
MAX_PER_SITE = 50
_MEMO_MAX = 10_000
# (site id, origin, allowed) -> monotonic time of this process's last write. Keyed by
# database ids: tests clear it (backend/conftest.py).
_recent: dict[tuple[int, str, bool], float] = {}


@dataclass(frozen=True)
class Sighting:
    origin: str
    allowed: bool  # when it was last seen
    allowed_now: bool  # by the site's origins as they are now
    first_seen_at: datetime
    last_seen_at: datetime


def seen_origins(site: Site) -> list[Sighting]:
    """Every origin the site's widget was seen loading from, the latest first."""
    allowed = site.origin_list
    rows = SeenOrigin.objects.filter(site=site).order_by("-last_seen_at", "origin")
    return [Sighting(r.origin, r.allowed, r.origin in allowed, r.first_seen_at, r.last_seen_at)
            for r in rows]


def shown(origin: str) -> str:
    """The origin as recorded and told back: canonical when it is one, else as sent
    (``null`` from a sandboxed frame or a file), cut to the column's length."""
    try:
        return normalize_origin(origin)
    except ValueError:
        return origin.strip()[:200]


def record(site: Site, origin: str | None, allowed: bool) -> None:
    """Note that a page of ``origin`` loaded ``site``'s widget (at most once a minute)."""
    if not origin:
        return  # not a browser's cross-origin request: nothing to tell the owner
    origin = shown(origin)
    memo = (site.pk, origin, allowed)
    now = time.monotonic()
    if now - _recent.get(memo, -THROTTLE_SECONDS) < THROTTLE_SECONDS:
        return
    if len(_recent) >= _MEMO_MAX:
        _recent.clear()
    _recent[memo] = now
    digest = hashlib.sha256(origin.encode()).hexdigest()[:24]
    key = f"papo:seen:{site.pk}:{digest}:{int(allowed)}"
    try:
        if not shared().add(key, 1, timeout=THROTTLE_SECONDS):
            return  # another process wrote it this minute
        _write(site, origin, allowed)
    except Exception as exc:
        if not outage.failed(exc, "origins not recorded", detail=origin):
            log.warning("origin %r of site %s not recorded", origin, site.pk, exc_info=exc)


def _write(site: Site, origin: str, allowed: bool) -> None:
    now = timezone.now()
    if SeenOrigin.objects.filter(site=site, origin=origin).update(allowed=allowed,
                                                                  last_seen_at=now):
        return
    rows = SeenOrigin.objects.filter(site=site)
    if rows.count() >= MAX_PER_SITE:
        oldest = rows.filter(allowed=False).order_by("last_seen_at").first()
        if oldest is None and not allowed:
            return  # full of allowed origins: those are the site's own, and bounded
        if oldest is not None:
            oldest.delete()
    try:
        with transaction.atomic():
            SeenOrigin.objects.create(site=site, origin=origin, allowed=allowed,
                                      first_seen_at=now, last_seen_at=now)
    except IntegrityError:  # another process created it meanwhile
        SeenOrigin.objects.filter(site=site, origin=origin).update(allowed=allowed,
                                                                   last_seen_at=now)

