"""Request bodies: capped as they arrive, and handed to the app a chunk at a time.

Under daphne nothing of Papo runs before a request's whole body has arrived:
Twisted reads it (into a temporary file past 100 KB) and only then hands the
request to daphne, which then puts *every* chunk of it on the application's
queue at once. So without this module a ``Content-Length: 2000000000`` with a
slow body ties up a connection and fills the disk for as long as the client
likes, before any view could refuse it; and a 50 MB upload sits in the
process's memory as 50 MB of queued chunks before Django copies it out.

- :func:`install` (run by ``papo.serve`` before daphne starts) makes daphne's
  request refuse a body larger than its path's cap where Twisted reads it: an
  announced ``Content-Length`` over the cap is answered ``413`` as soon as the
  headers are in, and a body without one (chunked) that grows past it, as soon
  as it does. The answer goes out at once; what the client still sends is read
  and thrown away for :data:`LINGER` seconds (so it can read the answer rather
  than a reset), then the connection is dropped. Nothing is kept in memory.
- It also hands a larger body to the application as the file Twisted wrote it
  to (an ASGI scope extension) instead of daphne's queue of every chunk;
  :func:`guard` (wrapped around the HTTP app in ``papo.asgi``) reads it from
  there a chunk at a time as the app asks for it.
- :func:`guard` applies the same caps itself under any other ASGI server (one
  that streams bodies): 413 for a ``Content-Length`` over the cap, and a body
  that grows past it ends the request with a 413.

The caps: ``PAPO_UPLOAD_MAX_BYTES`` (25 MiB) on the upload endpoints, where the
body is the file; ``PAPO_MAX_REQUEST_BYTES`` (4 MiB) on every other path (Django
itself refuses forms over 2.5 MB; nothing else takes a body).
"""

from __future__ import annotations

import io
import json
import re

from django.conf import settings

LINGER = 2.0  # seconds of the client's body read and dropped after a 413
LAZY_OVER = 64 * 1024  # bodies larger than this reach the app from their file
CHUNK = 64 * 1024
EXTENSION = "papo.body_file"
UPLOAD_PATHS = re.compile(
    r"^/(?:api/widget/[A-Za-z0-9_-]{1,64}/uploads|console/sites/[^/?]{1,64}/uploads)(?:[?/]|$)")


def cap_for(path: str) -> int:
    """The largest body a request to ``path`` may have."""
    if UPLOAD_PATHS.match(path):
        return settings.PAPO["UPLOAD_MAX_BYTES"]
    return settings.PAPO["MAX_REQUEST_BYTES"]


def _answer(cap: int) -> tuple[bytes, bytes]:
    body = json.dumps({"error": "file_too_large",
                       "message": f"the request body is larger than {cap:,} bytes"}).encode()
    head = (b"HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n"
            b"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head, body


# --- daphne: where Twisted reads the body ------------------------------------------------------
def install() -> None:
    """Cap request bodies in daphne's request, and pass large ones on as their file."""
    from daphne.http_protocol import WebRequest
    from daphne.server import Server
    from twisted.internet import reactor

    got_length = WebRequest.gotLength
    content_chunk = WebRequest.handleContentChunk
    request_received = WebRequest.requestReceived

    def refuse(self, cap: int) -> None:
        self._papo_refused = True
        self.content = io.BytesIO()  # whatever Twisted still writes goes nowhere
        self.requestHeaders.removeHeader(b"Expect")  # no "100 Continue" for a refused body
        channel = self.channel
        transport = channel.transport
        if transport is None:
            return
        head, body = _answer(cap)
        transport.write(head + body)
        channel.dataReceived = _drop  # the rest of the body: read, not kept
        try:
            transport.loseWriteConnection()  # the answer, then FIN; reading goes on
        except (AttributeError, NotImplementedError):
            transport.loseConnection()
        reactor.callLater(LINGER, transport.abortConnection)

    def gotLength(self, length):
        path = (getattr(self.channel, "_path", b"") or b"").decode("latin-1")
        self._papo_cap = cap_for(path)
        self._papo_seen = 0
        self._papo_refused = False
        if length is not None and length > self._papo_cap:
            refuse(self, self._papo_cap)
            return
        got_length(self, length)

    def handleContentChunk(self, data):
        if getattr(self, "_papo_refused", False):
            return
        self._papo_seen = getattr(self, "_papo_seen", 0) + len(data)
        if self._papo_seen > getattr(self, "_papo_cap", self._papo_seen):
            refuse(self, self._papo_cap)
            return
        content_chunk(self, data)

    def requestReceived(self, command, path, version):
        if getattr(self, "_papo_refused", False):
            return  # answered already; the application never sees it
        request_received(self, command, path, version)

    WebRequest.gotLength = gotLength
    WebRequest.handleContentChunk = handleContentChunk
    WebRequest.requestReceived = requestReceived

    create_application = Server.create_application

    def create_application_lazily(self, protocol, scope):
        content = getattr(protocol, "content", None)
        if scope.get("type") == "http" and content is not None and not content.closed:
            size = content.seek(0, io.SEEK_END)
            content.seek(0)
            if size > LAZY_OVER:
                # daphne's loop then queues one empty chunk; guard() reads the file instead
                scope = {**scope, "extensions": {**(scope.get("extensions") or {}),
                                                 EXTENSION: (content, size)}}
                protocol.content = io.BytesIO()
        return create_application(self, protocol, scope)

    Server.create_application = create_application_lazily


def _drop(data: bytes) -> None:
    """A refused request's body, as it keeps coming."""


# --- ASGI: around the HTTP app ----------------------------------------------------------------
def guard(app):
    """The HTTP app with bodies capped (any ASGI server) and read from their file
    when daphne handed them over as one (:func:`install`)."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        cap = cap_for(scope.get("path", ""))
        announced = _content_length(scope)
        if announced is not None and announced > cap:
            return await _too_large(send, cap)
        handed = (scope.get("extensions") or {}).get(EXTENSION)
        if handed is not None:
            return await app(scope, _from_file(*handed, receive), send)
        return await app(scope, _counted(receive, send, cap), send)

    return guarded


def _content_length(scope) -> int | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _too_large(send, cap: int) -> None:
    _, body = _answer(cap)
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


def _from_file(file, size: int, receive):
    """``receive`` serving the body from ``file`` a chunk at a time, then the server's
    own messages (less its stand-in for the body: one empty last chunk)."""
    state = {"read": 0, "stand_in": True}

    async def lazy_receive():
        if state["read"] < size:
            chunk = file.read(CHUNK)
            state["read"] = size if not chunk else state["read"] + len(chunk)
            more = state["read"] < size
            if not more:
                file.close()
            return {"type": "http.request", "body": chunk, "more_body": more}
        message = await receive()
        if state["stand_in"] and message["type"] == "http.request":
            state["stand_in"] = False
            return await receive()
        return message

    return lazy_receive


def _counted(receive, send, cap: int):
    """``receive`` that ends the request with a 413 when the body grows past ``cap``."""
    state = {"seen": 0}

    async def counted_receive():
        message = await receive()
        if message["type"] == "http.request":
            state["seen"] += len(message.get("body", b""))
            if state["seen"] > cap:
                await _too_large(send, cap)
                return {"type": "http.disconnect"}  # the app stops reading and answers nothing
        return message

    return counted_receive
