"""A small protocol client over a real WebSocket (the ``websockets`` library)."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

_refs = itertools.count(1)


class Refused(Exception):
    """The handshake was refused; ``status`` is the HTTP status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"handshake refused with HTTP {status}")
        self.status = status


class Peer:
    """One socket. Every frame received is kept in ``frames`` for assertions."""

    HEARTBEAT_REF = "heartbeat"

    def __init__(self, conn) -> None:
        self.conn = conn
        self.frames: list[dict] = []
        self.welcome: dict | None = None
        self._unread: list[dict] = []
        self._heartbeat: asyncio.Task | None = None

    def start_heartbeat(self, every: float) -> None:
        """Ping every ``every`` seconds, as a real console does; the pongs are dropped."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    await self.send({"type": "ping", "ref": self.HEARTBEAT_REF})
                except ConnectionClosed:
                    return

        self._heartbeat = asyncio.ensure_future(beat())

    @classmethod
    async def open(cls, url: str, *, origin: str | None = None, cookie: str | None = None,
                   headers: dict | None = None) -> Peer:
        extra = dict(headers or {})
        if cookie:
            extra["Cookie"] = cookie
        try:
            conn = await websockets.connect(
                url, origin=origin, additional_headers=extra, max_size=2**22,
                open_timeout=10, ping_interval=None,
            )
        except InvalidStatus as exc:
            raise Refused(exc.response.status_code) from exc
        return cls(conn)

    async def send(self, frame: dict | str | bytes) -> None:
        await self.conn.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def _next(self, timeout: float) -> dict:
        while True:
            raw = await asyncio.wait_for(self.conn.recv(), timeout)
            frame = json.loads(raw)
            if frame.get("ref") != self.HEARTBEAT_REF:
                self.frames.append(frame)
                return frame

    async def next(self, timeout: float = 5) -> dict:
        """The next frame, whatever it is."""
        if self._unread:
            return self._unread.pop(0)
        return await self._next(timeout)

    async def expect(self, kind: str, timeout: float = 5, where=None, **match) -> dict:
        """The next unread frame of ``kind`` whose fields equal ``match`` (and ``where(frame)``).

        For ``message`` frames, fields are looked up in the message object.
        """

        def ok(f: dict) -> bool:
            body = f.get("message", f) if kind == "message" else f
            return (f.get("type") == kind and all(body.get(k) == v for k, v in match.items())
                    and (where is None or where(f)))

        for i, frame in enumerate(self._unread):
            if ok(frame):
                return self._unread.pop(i)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no {kind} {match} frame; got {self.frames[-8:]}")
            frame = await self._next(left)
            if ok(frame):
                return frame
            self._unread.append(frame)

    async def request(self, frame: dict, timeout: float = 5) -> dict:
        """Send with a fresh ``ref`` and return the reply (or error) carrying it."""
        ref = f"r{next(_refs)}"
        await self.send({**frame, "ref": ref})
        deadline = asyncio.get_running_loop().time() + timeout
        for i, f in enumerate(self._unread):
            if f.get("ref") == ref:
                return self._unread.pop(i)
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no reply to {frame}; got {self.frames[-8:]}")
            f = await self._next(left)
            if f.get("ref") == ref:
                return f
            self._unread.append(f)

    async def quiet(self, seconds: float = 0.3) -> list[dict]:
        """Frames that arrive within ``seconds`` (and the unread ones)."""
        got = list(self._unread)
        self._unread.clear()
        try:
            while True:
                got.append(await self._next(seconds))
        except (TimeoutError, ConnectionClosed):
            return got

    async def closed(self, timeout: float = 5) -> int:
        """Wait for the server to close; returns the close code."""
        try:
            while True:
                self._unread.append(await self._next(timeout))
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else 1006

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await self.conn.close()

    def messages(self, conversation: int | None = None) -> list[dict]:
        """Every message this socket was shown (live, replayed or acked is not included)."""
        out = []
        for f in self.frames:
            if f.get("type") == "message":
                out.append(f["message"])
            elif f.get("type") in ("welcome", "history"):
                out.extend(f.get("messages") or [])
        return [m for m in out if conversation is None or m["conversation"] == conversation]


def client_id() -> str:
    return "c-" + uuid.uuid4().hex
