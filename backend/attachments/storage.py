"""Where files are kept: ``storages["attachments"]`` (settings.STORAGES).

The file system under ``var/attachments/`` by default, any S3-compatible store
with ``PAPO_S3_BUCKET`` (README, "Attachments"). Papo names every stored file
itself (site, month, 192 random bits): a person's file name never reaches a
path or a key. Nothing here is served directly; downloads go through
``attachments.views`` behind signed links.
"""

from __future__ import annotations

import logging
import secrets

from django.core.files.storage import Storage, storages
from django.utils import timezone

log = logging.getLogger("papo.attachments")


def store() -> Storage:
    return storages["attachments"]


def new_key(site_id: int, suffix: str = "") -> str:
    return f"{site_id}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{suffix}"


def save(key: str, file) -> str:
    """Store ``file`` (read in chunks: memory stays flat) under ``key``; the key used."""
    from django.core.files import File

    file.seek(0)
    return store().save(key, File(file, name=key))


def delete(keys: list[str]) -> int:
    """Delete stored files (a missing one is fine: deleting twice is safe); how many
    could not be deleted (logged: the store is away, say)."""
    failed = 0
    for key in filter(None, dict.fromkeys(keys)):
        try:
            store().delete(key)
        except Exception:
            failed += 1
            log.warning("could not delete stored file %s", key, exc_info=True)
    return failed
