"""Finding a site by its public key, on every handshake and config request.

Each process keeps what it looked up for ``SITE_CACHE_SECONDS`` (unknown keys
too, so a flood of made-up keys does not reach the database). Saving or
deleting a site clears this process's copy at once; other processes see the
change within those seconds.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Site

_MAX_ENTRIES = 10_000
_cache: dict[str, tuple[float, Site | None]] = {}


def site_by_key(key: str) -> Site | None:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    site = Site.objects.filter(key=key).first()
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (now + settings.PAPO["SITE_CACHE_SECONDS"], site)
    return site


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def forget_site(sender, instance: Site, **kwargs) -> None:
    _cache.clear()
