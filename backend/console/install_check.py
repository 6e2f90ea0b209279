"""The install check: has the widget been seen loading on the site's pages, and
which pages tried and were refused (``sites.seen`` records both).

A wrong origin is the likeliest set-up mistake (``www.`` or not, http or
https, a staging host), so the refused ones come first and loudest, each with
what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from sites.models import Site
from sites.origins import normalize_origin, parse_origin_list
from sites.seen import seen_origins

from .access import REFUSED_NEWS


@dataclass(frozen=True)
class AllowedOrigin:
    origin: str
    last_seen_at: datetime | None  # the widget loaded on a page of it then
    pending: bool  # allowed since it was last refused there: load a page again to check

    @property
    def seen(self) -> bool:
        return self.last_seen_at is not None


@dataclass(frozen=True)
class RefusedOrigin:
    origin: str
    first_seen_at: datetime
    last_seen_at: datetime
    can_allow: bool  # an exact origin (not "null": a file or a sandboxed frame)


@dataclass(frozen=True)
class Check:
    allowed: list[AllowedOrigin]
    refused: list[RefusedOrigin]

    @property
    def live(self) -> bool:
        """The widget loaded on at least one of the site's pages: the check is green."""
        return any(a.seen for a in self.allowed)


def check(site: Site) -> Check:
    sightings = {s.origin: s for s in seen_origins(site)}
    allowed = []
    for origin in parse_origin_list(site.allowed_origins):
        s = sightings.get(origin)
        allowed.append(AllowedOrigin(origin, s.last_seen_at if s and s.allowed else None,
                                     pending=bool(s and not s.allowed)))
    since = timezone.now() - REFUSED_NEWS
    refused = [RefusedOrigin(s.origin, s.first_seen_at, s.last_seen_at, _exact(s.origin))
               for s in sightings.values()
               if not s.allowed_now and not s.allowed and s.last_seen_at >= since]
    return Check(allowed, refused)


def _exact(origin: str) -> bool:
    try:
        return normalize_origin(origin) == origin
    except ValueError:
        return False
