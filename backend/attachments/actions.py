"""Every change to attachments: an upload taken in, files claimed by a message.

``do_upload`` runs the whole intake of one file, in this order, each step
refusing with a stable code (``PapoError``; HTTP views map them to statuses)
and keeping nothing of a refused file:

1. the site takes files at all (``uploads_disabled``) and the announced size
   fits its limit (``file_empty``, ``file_too_large``): before a byte is read;
2. the body is copied to a temporary file, counted as it goes (a body longer
   than announced or over the limit: ``file_too_large``);
3. its type is read from its bytes (``attachments.sniff``) and must be one the
   site allows (``type_not_allowed``);
4. it is scanned when a clamd is configured (``attachments.scan``:
   ``file_infected``, ``scan_unavailable``);
5. an image is decoded and re-encoded (``attachments.images``: ``image_too_large``,
   ``image_invalid``), its name given the new type's extension;
6. the row is written (not ready), the file and thumbnail stored, the row made ready.

A retry that names the same ``client_id`` (the upload's own id, chosen by the
client) gets the stored upload back (``duplicate``) instead of a second copy.
``claim`` is how a send takes the uploads it names (``conversations.actions``).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from papo.errors import PapoError
from sites.models import Site
from visitors.models import Visitor

from . import images, names, scan, sniff, storage
from .models import Attachment

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Uploader:
    """Who uploads: a visitor of ``site`` (stored), or an agent who is a member of it."""

    site: Site
    visitor: Visitor | None = None
    agent: object = None

    def rows(self):
        rows = Attachment.objects.filter(site=self.site)
        if self.visitor is not None:
            return rows.filter(visitor=self.visitor)
        return rows.filter(agent=self.agent)

    def describe(self) -> str:
        who = (f"visitor {self.visitor.public_id}" if self.visitor is not None
               else f"agent {getattr(self.agent, 'pk', None)}")
        return f"{who} of site {self.site.pk}"


def check_client_id(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64 or not value.isprintable():
        raise PapoError("invalid", "the upload id must be 1 to 64 printable characters")
    return value


def check_announced(site: Site, length: int) -> None:
    """What can be refused from the request's headers alone, before reading its body."""
    if site.file_limit <= 0 or not site.file_type_set:
        raise PapoError("uploads_disabled", "this site does not take files")
    if length <= 0:
        raise PapoError("file_empty", "the file is empty")
    if length > site.file_limit:
        raise PapoError("file_too_large", f"the file is larger than {site.file_limit:,} bytes")


def existing_upload(who: Uploader, client_id: str | None) -> Attachment | None:
    """The ready upload a retry names by its ``client_id``, if there is one."""
    if client_id is None:
        return None
    return who.rows().filter(client_id=client_id, ready=True).first()


def do_upload(who: Uploader, body: BinaryIO, length: int, raw_name: object,
              client_id: str | None) -> tuple[Attachment, bool]:
    """Take in one file (see the module's docstring): the stored upload and whether it
    was stored already (a retry with the same ``client_id``)."""
    found = existing_upload(who, client_id)
    if found is not None:
        return found, True
    site = who.site
    check_announced(site, length)
    name = names.safe_name(raw_name)
    temp_dir = settings.FILE_UPLOAD_TEMP_DIR
    with tempfile.NamedTemporaryFile(prefix="papo-upload-", dir=temp_dir) as raw:
        _, digest = _copy(body, raw, length, site.file_limit)
        raw.seek(0)
        kind = sniff.sniff(raw.read(sniff.HEAD), raw.name)
        if kind.kind not in site.file_type_set:
            raise PapoError("type_not_allowed",
                            f"this site does not take this kind of file ({kind.content_type})")
        raw.seek(0)
        scanned = scan.scan(raw, f"{name!r} from {who.describe()}")
        if kind.kind == "image":
            image = images.reencode(raw.name, kind.content_type)
            name = names.with_extension(name, image.extension)
            content, thumb = image.file, image.thumb
            fields = {"content_type": image.content_type, "width": image.width,
                      "height": image.height}
        else:
            if "." not in name and kind.extension:
                name = names.with_extension(name, kind.extension)
            content, thumb = raw, None
            fields = {"content_type": kind.content_type}
        content.seek(0, 2)
        stored_size = content.tell()
        row = _new_row(who, client_id, name=name, kind=kind.kind, size=stored_size,
                       sha256=digest, scan=scanned, **fields)
        if isinstance(row, tuple):  # a concurrent retry of the same upload stored it first
            return row
        return _store(row, content, thumb), False


def _copy(body: BinaryIO, out, length: int, limit: int) -> tuple[int, str]:
    """Copy the request body, in chunks, counting: never more than announced or allowed."""
    digest = hashlib.sha256()
    size = 0
    while chunk := body.read(min(CHUNK, length - size + 1)):
        size += len(chunk)
        if size > limit or size > length:
            raise PapoError("file_too_large", f"the file is larger than {limit:,} bytes")
        digest.update(chunk)
        out.write(chunk)
    if size == 0:
        raise PapoError("file_empty", "the file is empty")
    if size < length:
        raise PapoError("invalid", "the upload ended before its announced length")
    out.flush()
    return size, digest.hexdigest()


def _new_row(who: Uploader, client_id: str | None, **fields) -> Attachment | tuple:
    key = storage.new_key(who.site.pk)
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                site=who.site, visitor=who.visitor, agent=who.agent, client_id=client_id,
                file_key=key, **fields)
    except IntegrityError:
        found = existing_upload(who, client_id)
        if found is None:  # the other try is still storing its copy
            raise PapoError("upload_in_progress", "this upload is still being stored; "
                            "try again in a moment") from None
        return found, True


def _store(row: Attachment, content, thumb) -> Attachment:
    """Store the file (and thumbnail), then make the row ready; on any failure the row
    and whatever was stored go, so nothing half-stored can be sent."""
    keys: list[str] = []
    try:
        row.file_key = storage.save(row.file_key, content)
        keys.append(row.file_key)
        if thumb is not None:
            row.thumb_key = storage.save(storage.new_key(row.site_id, ".thumb"), thumb)
            keys.append(row.thumb_key)
        elif row.is_image:
            row.thumb_key = row.file_key  # small enough to be its own thumbnail
        row.ready = True
        row.save(update_fields=["file_key", "thumb_key", "ready"])
    except BaseException:
        row.delete()  # its post_delete removes what was stored
        storage.delete(keys)
        raise
    finally:
        for f in (content, thumb):
            if f is not None and hasattr(f, "close"):
                f.close()
    return row


# --- a message takes its files ----------------------------------------------------------
def check_ids(value: object) -> tuple[str, ...]:
    """A send's ``attachments``: a list of distinct upload ids, at most the cap."""
    if value is None:
        return ()
    cap = settings.PAPO["ATTACHMENTS_PER_MESSAGE"]
    if (not isinstance(value, list) or len(value) > cap
            or not all(isinstance(v, str) and 1 <= len(v) <= 32 for v in value)):
        raise PapoError("invalid", f"attachments must be a list of at most {cap} upload ids")
    if len(set(value)) != len(value):
        raise PapoError("invalid", "attachments names the same upload twice")
    return tuple(value)


def claim(ids: tuple[str, ...], *, site_id: int, visitor: Visitor | None = None,
          agent: object = None) -> list[Attachment]:
    """Lock the uploads a send names, in its order: each must be one this sender
    uploaded to this site, stored, and not sent yet; else ``attachment_not_found``
    (another visitor's, another site's or an already sent upload look alike).
    Call inside the send's transaction, then :func:`bind` them to the message."""
    if not ids:
        return []
    rows = Attachment.objects.select_for_update(of=("self",)).order_by().filter(
        public_id__in=ids, site_id=site_id, ready=True, message__isnull=True)
    rows = rows.filter(visitor=visitor) if visitor is not None else rows.filter(
        agent=agent, visitor__isnull=True)
    found = {row.public_id: row for row in rows}
    for public_id in ids:
        if public_id not in found:
            raise PapoError("attachment_not_found",
                            f"no upload of yours to send named {public_id[:32]!r}")
    return [found[public_id] for public_id in ids]


def bind(rows: list[Attachment], message) -> None:
    now = timezone.now()
    for position, row in enumerate(rows):
        Attachment.objects.filter(pk=row.pk).update(
            message=message, conversation_id=message.conversation_id, position=position,
            sent_at=now)

