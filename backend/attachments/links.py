"""Download links: unguessable, signed, expiring, bound to a conversation and a reader.

A link names the file (its random public id), the conversation its message is
in, who it was made for and which variant (the file or its thumbnail), and
when it stops working, all signed with ``SECRET_KEY`` under this module's salt
(``SECRET_KEY_FALLBACKS`` still verify after a rotation). Changing any of it
breaks the signature. The download view (``attachments.views``) then checks the
row itself: the file is still that conversation's, and

- a **widget** link works without a cookie (the widget shows images in a page of
  another origin) but never for a file of an internal note;
- a **console** link works only with the session of an active agent who is a
  member of the conversation's site.

Links are made afresh whenever a message is serialised (welcome, history, live
message), valid ``PAPO_FILE_LINK_SECONDS`` (an hour), the end rounded up to a
sixth of that (at most ten minutes) so that the same file keeps the same link for a
while and browsers can cache it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from papo.errors import PapoError

SALT = "papo.file-link.v1"
AUDIENCES = {"widget": "w", "console": "c"}
VARIANTS = {"file": "f", "thumb": "t"}
PREFIX = "/files/"


@dataclass(frozen=True)
class Link:
    public_id: str
    conversation_id: int
    audience: str  # widget | console
    variant: str  # file | thumb
    expires: int  # Unix time


def token(public_id: str, conversation_id: int, audience: str, variant: str,
          now: float | None = None, expires: int | None = None) -> str:
    if expires is None:
        ttl = settings.PAPO["FILE_LINK_SECONDS"]
        step = max(1, min(600, ttl // 6))
        expires = math.ceil(((now if now is not None else time.time()) + ttl) / step) * step
    value = f"{public_id}.{conversation_id}.{AUDIENCES[audience]}{VARIANTS[variant]}.{expires}"
    return signing.Signer(salt=SALT).sign(value)


def url(public_id: str, conversation_id: int, audience: str, variant: str = "file") -> str:
    """The link as clients get it: a path on Papo's host (resolve it against the Papo
    base URL the client talks to), or an absolute URL on ``PAPO_FILES_ORIGIN`` for
    the widget when the deployment has a files origin of its own."""
    origin = settings.PAPO_FILES_ORIGIN if audience == "widget" else ""
    return f"{origin}{PREFIX}{token(public_id, conversation_id, audience, variant)}"


def read(value: str, now: float | None = None) -> Link:
    """The link a token stands for; ``not_found`` when it is not one of ours (tampered,
    truncated, signed with another key), ``link_expired`` when its time is over."""
    try:
        signed = signing.Signer(salt=SALT).unsign(value)
        public_id, conv, kinds, expires = signed.split(".")
        audience = {v: k for k, v in AUDIENCES.items()}[kinds[0]]
        variant = {v: k for k, v in VARIANTS.items()}[kinds[1]]
        link = Link(public_id, int(conv), audience, variant, int(expires))
    except (signing.BadSignature, ValueError, KeyError, IndexError) as exc:
        raise PapoError("not_found", "no such file") from exc
    if link.expires < (now if now is not None else time.time()):
        raise PapoError("link_expired", "this link has expired; open the conversation again "
                        "for a fresh one")
    return link
