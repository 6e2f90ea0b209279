"""The malware scanning hook: every file through a ClamAV daemon before it can be sent.

With ``CLAMD_URL`` set (``tcp://127.0.0.1:3310`` or ``unix:///run/clamav/clamd.ctl``)
each upload is streamed to clamd with its INSTREAM command, as it came (before
an image is re-encoded: what the person sent is what is judged). A file clamd
finds something in is refused (``file_infected``) and logged on
``papo.security``; nothing of it is kept. When clamd cannot be reached or
answers with an error, the upload is refused (``scan_unavailable``: fail
closed) unless ``PAPO_CLAMD_FAIL_OPEN=1``, which lets it through marked
``unscanned`` and logs that. Without ``CLAMD_URL`` nothing is scanned (``off``).
"""

from __future__ import annotations

import logging
import socket
import struct
from typing import BinaryIO
from urllib.parse import urlsplit

from django.conf import settings

from bus import metrics
from papo.errors import PapoError

log = logging.getLogger("papo.security")

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not give a verdict (unreachable, timed out, or an error reply)."""


def scan(file: BinaryIO, label: str) -> str:
    """``clean``, ``off`` or ``unscanned``; raises ``PapoError`` for an infected file
    or, failing closed, an unreachable scanner. ``label`` names the upload in logs."""
    url = settings.PAPO["CLAMD_URL"]
    if not url:
        return "off"
    try:
        verdict = instream(url, file, settings.PAPO["CLAMD_TIMEOUT"])
    except ScannerUnavailable as exc:
        if settings.PAPO["CLAMD_FAIL_OPEN"]:
            log.warning("clamd unavailable (%s); %s let through unscanned (fail open)", exc,
                        label)
            metrics.count("uploads.unscanned")
            return "unscanned"
        metrics.refuse("refused.scan_unavailable", "clamd unavailable (%s); %s refused",
                       exc, label)
        raise PapoError("scan_unavailable", "files cannot be checked right now; try again "
                        "later") from exc
    if verdict is not None:
        metrics.refuse("refused.infected", "clamd found %s in %s; refused", verdict, label)
        raise PapoError("file_infected", "this file was refused by the malware scanner")
    return "clean"


def instream(url: str, file: BinaryIO, timeout: float) -> str | None:
    """Send ``file`` to clamd at ``url``: None if clean, else the signature's name."""
    try:
        with _connect(url, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK):
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = _read_reply(sock)
    except OSError as exc:  # refused, reset (clamd closes on its size limit), timed out
        raise ScannerUnavailable(f"{type(exc).__name__}: {exc}") from exc
    # "stream: OK", "stream: <signature> FOUND", or "... ERROR"
    if reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND").strip() or "malware"
    if reply == "stream: OK":
        return None
    raise ScannerUnavailable(f"clamd answered {reply[:200]!r}")


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(parts.path)
        except OSError:
            sock.close()
            raise
        return sock
    if parts.scheme != "tcp" or not parts.hostname:
        raise OSError(f"CLAMD_URL must be tcp://host:port or unix:///path, not {url!r}")
    return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0") and len(data) < 4096:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()
