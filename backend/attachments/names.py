"""File names as people gave them, made safe to store, show and hand to a browser.

A name is shown to the other side (a chip, a download) and written into a
``Content-Disposition`` header, so it must not be able to pose as another name,
break out of the header, or name a path. It is never used to store the file
(``attachments.storage`` names files itself) nor to decide its type.
"""

from __future__ import annotations

import re
import unicodedata

from papo.text import without_bidi_controls

MAX_CHARS = 120
MAX_EXTENSION = 16
FALLBACK = "file"

# Characters that separate paths or are reserved in Windows names (and quotes, which
# end a header's quoted string): replaced, so "a/b" stays readable as "a_b".
_RESERVED = re.compile(r'[/\\:*?"<>|]')
_SPACES = re.compile(r"\s+")
# Zero-width joiners keep their meaning in Persian and Indic names; every other format
# character (zero-width spaces, BOMs, soft hyphens, tags) only ever hides something.
_KEEP_FORMAT = {"\u200c", "\u200d"}


def safe_name(raw: object, fallback: str = FALLBACK) -> str:
    """``raw`` NFC-normalised, without bidi controls, control or invisible format
    characters, path separators or reserved characters, leading dots or trailing
    dots and spaces, at most :data:`MAX_CHARS` characters (the extension kept)."""
    if not isinstance(raw, str):
        return fallback
    name = unicodedata.normalize("NFC", raw)
    name = without_bidi_controls(name)
    name = "".join(
        " " if unicodedata.category(c) in ("Zl", "Zp") else c
        for c in name
        if unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn")
        and (unicodedata.category(c) != "Cf" or c in _KEEP_FORMAT)
    )
    name = _RESERVED.sub("_", name)
    name = _SPACES.sub(" ", name).strip()
    name = name.lstrip("._ ").rstrip(". ")  # no hidden files, no "..", no "name." tricks
    if not name:
        return fallback
    return _cap(name)


def _cap(name: str) -> str:
    if len(name) <= MAX_CHARS:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= MAX_EXTENSION:
        return stem[: MAX_CHARS - len(ext) - 1].rstrip(". ") + "." + ext
    return name[:MAX_CHARS].rstrip(". ")


def with_extension(name: str, extension: str) -> str:
    """``name`` with its extension replaced by ``extension`` (what an image became)."""
    stem, dot, _ = name.rpartition(".")
    stem = stem if dot and stem else name
    return _cap(f"{stem}.{extension}")
