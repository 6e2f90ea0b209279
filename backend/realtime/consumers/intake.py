"""Frames in: the per-connection bucket, the schema, and one worker per socket.

Frames from the client are handled in order by one worker task per
connection, not by Channels' dispatch loop: an agent busy storing its own
replies must still be shown everybody else's at once. Every error a frame can
meet is answered (an ``error`` frame with a stable code) here, in one place.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from django.db import DatabaseError, InterfaceError
from redis.exceptions import RedisError

from bus import metrics, outage
from papo.errors import PapoError

from .. import protocol
from .codes import CLOSE_ABUSE, CLOSE_TRY_AGAIN

log = logging.getLogger("papo.realtime")


class FrameIntake:
    """Mixed into ``PapoConsumer``: what a socket does with what its client sends."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        if text_data is None:
            metrics.count("bad_frames")
            await self.send_frame(
                PapoError("binary_not_supported", "send JSON text frames").frame())
            return
        # Frames over PAPO_MAX_FRAME_BYTES never get here: papo.serve sets
        # daphne's own cap, which closes the socket with 1009.
        retry_after = self.bucket.take()
        if retry_after is not None:
            metrics.count("limited.frames")
            if self.bucket.abusive:
                metrics.refuse("closed.abuse", "%s kept flooding after rate_limited",
                               self.describe())
                await self.close_with(CLOSE_ABUSE)
                return
            await self.send_frame(PapoError(
                "rate_limited", "too many frames; slow down", retry_after=retry_after
            ).frame(protocol.ref_of_text(text_data)))
            return
        try:
            frame = protocol.parse(text_data, self.schema)
        except PapoError as exc:
            metrics.count("bad_frames")
            await self.send_frame(exc.frame(protocol.ref_of_text(text_data)))
            return
        if self._inbox is None:
            self._inbox = deque()
        self._inbox.append((frame, protocol.ref_of(frame)))
        if self._worker is None:
            self._worker = asyncio.ensure_future(self._work())

    async def _work(self) -> None:
        """Handle this connection's frames one after another, in arrival order,
        until none are left (the next frame starts a new worker)."""
        inbox = self._inbox
        try:
            while inbox and not self.closed:
                frame, ref = inbox.popleft()
                try:
                    await self.handle(frame, ref)
                except Exception:  # handle() answers every error; this is the last resort
                    log.exception("frame not handled for %s", self.describe())
        finally:
            self._worker = None
            if not inbox:
                self._inbox = None

    async def handle(self, frame: dict, ref: object) -> None:
        try:
            kind = frame["type"]
            if not self.ready and kind != "hello":
                raise PapoError("hello_required", "send hello first")
            if self.ready and kind == "hello":
                raise PapoError("invalid", "hello was already received")
            if kind == "hello":
                if frame["v"] not in protocol.SPOKEN:
                    raise PapoError("unsupported_version", "this server speaks protocol "
                                    f"versions {', '.join(map(str, protocol.SPOKEN))}")
                self.version = frame["v"]
            await getattr(self, "on_" + kind)(frame, ref)
        except PapoError as exc:
            if exc.code == "invalid":
                metrics.count("bad_frames")
            await self.send_frame(exc.frame(ref))
            await self.after_error(exc)
        except (DatabaseError, InterfaceError, RedisError) as exc:
            if not outage.failed(exc, "frames answered unavailable", detail=self.describe()):
                log.warning("database error for %s", self.describe(), exc_info=exc)
            await self.send_frame(PapoError(
                "unavailable", "the server could not store this; retry shortly",
                retry_after=2.0).frame(ref))
            await self.after_failure()
        except Exception:
            log.exception("unexpected error for %s", self.describe())
            await self.send_frame(PapoError("server_error", "unexpected server error").frame(ref))
            metrics.count("errors.server")
            await self.after_failure()

    async def after_failure(self) -> None:
        """A hello that failed leaves a socket nobody can use: close it (4013) so the
        client reconnects with backoff, rather than waiting for the hello deadline."""
        if not self.ready:
            await self.close_with(CLOSE_TRY_AGAIN)

    async def after_error(self, exc: PapoError) -> None:
        """Hook: some errors end the connection."""
