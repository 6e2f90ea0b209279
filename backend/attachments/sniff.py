"""A file's type from its bytes: never from its name or the browser's Content-Type.

A small signature table, not libmagic (python-magic): Papo installs on a fresh
machine with nothing but Python (libmagic is a system library, missing on macOS
and Windows by default), libmagic is a large C parser of hostile input with its
own history of CVEs, and its answers change with the system's magic database.
The table only has to name what a site may allow (``sites.models.FILE_TYPES``):
the safety of what is served does not rest on it. An image is whatever Pillow
decodes as the format its signature names (``attachments.images``), and is
re-encoded; everything else, whatever this module calls it, is served only as a
download (``application/octet-stream``, ``Content-Disposition: attachment``).

Text that starts like markup, or holds a script or SVG tag or a ``javascript:``
URL anywhere in what is read, is ``markup`` (HTML, SVG, XML), never ``text``:
a browser sniffing it would render it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

HEAD = 64 * 1024  # bytes read to decide


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str  # sites.models.FILE_TYPES
    extension: str = ""  # what the type is usually called, for a name that has none


RASTER = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
}
OCTET = Sniffed("application/octet-stream", "other")

# (offset, signature, type, kind, extension), first match wins
_SIGNATURES: list[tuple[int, bytes, str, str, str]] = [
    (0, b"\x89PNG\r\n\x1a\n", "image/png", "image", "png"),
    (0, b"\xff\xd8\xff", "image/jpeg", "image", "jpg"),
    (0, b"GIF87a", "image/gif", "image", "gif"),
    (0, b"GIF89a", "image/gif", "image", "gif"),
    (0, b"%PDF-", "application/pdf", "pdf", "pdf"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office", "document", "doc"),
    (0, b"{\\rtf", "application/rtf", "document", "rtf"),
    (0, b"\x1f\x8b", "application/gzip", "archive", "gz"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", "archive", "7z"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar", "archive", "rar"),
    (0, b"BZh", "application/x-bzip2", "archive", "bz2"),
    (0, b"\xfd7zXZ\x00", "application/x-xz", "archive", "xz"),
    (257, b"ustar", "application/x-tar", "archive", "tar"),
    (0, b"ID3", "audio/mpeg", "media", "mp3"),
    (0, b"OggS", "audio/ogg", "media", "ogg"),
    (0, b"fLaC", "audio/flac", "media", "flac"),
    (0, b"\x1aE\xdf\xa3", "video/webm", "media", "webm"),
    (0, b"MZ", "application/x-msdownload", "other", "exe"),
    (0, b"\x7fELF", "application/x-executable", "other", ""),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary", "other", ""),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary", "other", ""),
    (0, b"%!PS", "application/postscript", "other", "ps"),
    (0, b"\x00asm", "application/wasm", "other", "wasm"),
]

# Text a browser would take for a document: a tag at the start (after a BOM and
# white space), as the MIME sniffing standard looks for, or anything that scripts.
_MARKUP_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<", re.S)
_SCRIPTY = re.compile(rb"<\s*(?:script|svg|html|iframe|object|embed|body|img|math|style)\b"
                      rb"|javascript:", re.I)
_XML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml", re.I)
_SVG = re.compile(rb"<svg[\s>]", re.I)

_OFFICE = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "docx"),
           "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
           "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "pptx")}


def sniff(head: bytes, path: str | None = None) -> Sniffed:
    """The type of a file whose first bytes are ``head`` (``path``: the whole file,
    to look inside a zip)."""
    if len(head) >= 12 and head[:4] == b"RIFF":
        if head[8:12] == b"WEBP":
            return Sniffed("image/webp", "image", "webp")
        if head[8:12] == b"WAVE":
            return Sniffed("audio/wav", "media", "wav")
        if head[8:12] == b"AVI ":
            return Sniffed("video/x-msvideo", "media", "avi")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return Sniffed("image/heif", "media", "heic")  # not re-encodable: never inline
        return Sniffed("video/mp4", "media", "mp4")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip(path)
    for offset, signature, content_type, kind, ext in _SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return Sniffed(content_type, kind, ext)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] != 0xFF:
        return Sniffed("audio/mpeg", "media", "mp3")  # an MPEG audio frame
    return _text(head)


def _zip(path: str | None) -> Sniffed:
    archive = Sniffed("application/zip", "archive", "zip")
    if path is None:
        return archive
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()  # the central directory only: nothing is extracted
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                if info.file_size <= 100:
                    kind = zf.read(info).decode("ascii", "replace").strip()
                    if kind.startswith("application/vnd.oasis.opendocument."):
                        return Sniffed(kind, "document", "od" + kind.rsplit(".", 1)[-1][:1])
            if "[Content_Types].xml" in names:
                for prefix, (content_type, ext) in _OFFICE.items():
                    if any(n.startswith(prefix) for n in names):
                        return Sniffed(content_type, "document", ext)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return archive
    return archive


def _text(head: bytes) -> Sniffed:
    if not head or b"\x00" in head:
        return OCTET
    try:
        text_head = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            return OCTET
        text_head = head[: exc.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text_head):
        return OCTET
    if _SVG.search(head):
        return Sniffed("image/svg+xml", "markup", "svg")
    if _XML.match(head):
        return Sniffed("application/xml", "markup", "xml")
    if _MARKUP_START.match(head) or _SCRIPTY.search(head):
        return Sniffed("text/html", "markup", "html")
    return Sniffed("text/plain", "text", "txt")
