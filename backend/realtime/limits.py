"""The socket limiter: frames per connection and per visitor, connections and
handshakes per address.

Per-connection frame limits are a token bucket held by the connection itself
(a connection lives in one process, and the hot path must not wait on a
network round trip). Limits per address count in the Django cache, so with
Redis they hold across every process. Connection counts carry a TTL,
refreshed while connections live, because a killed process never runs
``disconnect()`` and its counts must not lock an address out for ever.

A visitor with many tabs (or a script opening many sockets with one token)
would multiply the per-connection allowance, so the frames that cost the
server something (:data:`VISITOR_COUNTED`) also count per visitor: a token
bucket shared by all of the visitor's sockets in every process
(``realtime.visitor_bucket``), in Redis when the cache is Redis (one pipelined
round trip for a batch of frames), else in this process.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from bus import outage
from papo.cache import shared

from . import visitor_bucket
from .visitor_bucket import Allowance

log = logging.getLogger("papo.realtime")


class TokenBucket:
    """``burst`` frames at once, refilled at ``rate`` per second."""

    __slots__ = ("burst", "rate", "stamp", "strikes", "tokens")

    def __init__(self, burst: int, rate: float) -> None:
        self.burst = float(burst)
        self.rate = float(rate)
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.strikes = 0

    def take(self) -> float | None:
        """Spend one token. Returns None if allowed, else seconds until one is due."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.strikes = 0
            return None
        self.strikes += 1
        return (1 - self.tokens) / self.rate if self.rate > 0 else 60.0

    @property
    def abusive(self) -> bool:
        return self.strikes > settings.PAPO["FRAME_STRIKES"]


def frame_bucket(site=None) -> TokenBucket:
    """A widget connection's bucket: the site's own limits, else the defaults."""
    cfg = settings.PAPO
    burst = getattr(site, "frame_burst", None) or cfg["FRAME_BURST"]
    rate = getattr(site, "frame_rate", None) or cfg["FRAME_RATE"]
    return TokenBucket(burst, rate)


def console_bucket() -> TokenBucket:
    cfg = settings.PAPO
    return TokenBucket(cfg["CONSOLE_FRAME_BURST"], cfg["CONSOLE_FRAME_RATE"])


# Widget frames that store, read or fan out something; ``ping`` and ``hello`` are
# left to the per-connection bucket and the handshake limits.
VISITOR_COUNTED = frozenset({"send", "typing", "read", "profile", "history", "transcript", "end",
                             "rate"})


def visitor_frame_cap(site=None) -> Allowance:
    """One visitor's allowance across all their sockets (its cap): a bucket as large as
    ``VISITOR_FRAME_SOCKETS`` sockets' buckets under the site's limits, so any ``t``
    seconds hold at most what those sockets could send in them."""
    cfg = settings.PAPO
    burst = getattr(site, "frame_burst", None) or cfg["FRAME_BURST"]
    rate = getattr(site, "frame_rate", None) or cfg["FRAME_RATE"]
    return Allowance.of(burst, rate, sockets=cfg["VISITOR_FRAME_SOCKETS"])


def take_visitor_frames(frames: list[tuple[str, Allowance]], now: float | None = None,
                        ) -> list[float | None]:
    """Count one frame for each ``(public_id, allowance)``, in order (a visitor named
    twice is counted twice): None if allowed, else seconds until one more fits.

    On Redis one pipelined round trip for all of them, else this process's buckets
    (``realtime.visitor_bucket``). ``now`` is the caller's clock (``time.time()``)."""
    if not frames:
        return []
    now_us = round((time.time() if now is None else now) * 1_000_000)
    keys = [f"papo:vb:{public_id}" for public_id, _ in frames]
    allowances = [allowance for _, allowance in frames]
    backend = shared()
    client = _redis_client(backend)
    if client is None:
        replies = visitor_bucket.LOCAL.take(keys, allowances, now_us)
    else:
        keys = [backend.make_and_validate_key(key) for key in keys]
        replies = visitor_bucket.take_redis(client(keys[0], write=True), keys, allowances,
                                            now_us)
    return [allowance.wait(reply) for allowance, reply in zip(allowances, replies, strict=True)]


def counted_here() -> bool:
    """Are visitors' frames counted in this process's memory (no shared cache)?"""
    return _redis_client(shared()) is None


def visitor_frame_waits(frames: list[tuple[str, Allowance]]) -> list[float | None]:
    """:func:`take_visitor_frames`, except that the cache being down must not stop
    chats: then every frame is let through (the per-connection buckets still hold),
    and the outage's report counts them (``bus.outage``)."""
    try:
        waits = take_visitor_frames(frames)
    except Exception as exc:
        if not outage.failed(exc, "frames let through uncounted", len(frames)):
            log.warning("visitor frame count failed for %d frames", len(frames), exc_info=exc)
        return [None] * len(frames)
    outage.REDIS.ok()
    return waits


def _redis_client(backend):
    """The cache's ``get_client`` on Redis; None on other caches."""
    return getattr(getattr(backend, "_cache", None), "get_client", None)


def _redis_count(key: str, timeout: int, *, refresh: bool, pipe=None):
    """On Redis, a pipeline (``pipe``, or a new one) holding ``INCR key`` and its
    ``EXPIRE`` (``NX`` unless ``refresh``), for the caller to add to and run;
    None on other caches."""
    backend = shared()
    redis_client = _redis_client(backend)
    if redis_client is None:
        return None
    full = backend.make_and_validate_key(key)
    if pipe is None:
        pipe = redis_client(full, write=True).pipeline(transaction=False)
    pipe.incr(full)
    pipe.expire(full, timeout, nx=not refresh)
    return pipe


def _incr(key: str, timeout: int, *, refresh: bool = False) -> int:
    """Count ``key`` up; it expires ``timeout`` s after it was made (or after
    this call, with ``refresh``). On Redis this is one round trip."""
    pipe = _redis_count(key, timeout, refresh=refresh)
    if pipe is not None:
        count = int(pipe.execute()[0])
        outage.REDIS.ok()
        return count
    backend = shared()
    if backend.add(key, 1, timeout=timeout):
        return 1
    try:
        n = backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.add(key, 1, timeout=timeout)
        return 1
    if refresh:
        backend.touch(key, timeout)
    return n


def allow_handshake(ip: str) -> float | None:
    """Count a handshake; None if allowed, else seconds to wait."""
    return _handshake_wait(_incr(_handshake_key(ip), timeout=HANDSHAKE_KEY_TTL))


def acquire_connection(ip: str) -> float | None:
    """Count an open connection; None if allowed (then call release), else retry-after."""
    n = _incr(_conn_key(ip), timeout=settings.PAPO["CONNECTION_COUNT_TTL"], refresh=True)
    return _connection_wait(ip, n)


def admit_connection(ip: str) -> tuple[str, float] | None:
    """:func:`allow_handshake` and :func:`acquire_connection` together, in one
    round trip on Redis (a widget handshake is the hot path of a reconnect storm).

    None if admitted (then call :func:`release_connection` when it closes); else
    which limit refused it, ``"handshake_rate"`` or ``"connections"``, and the
    seconds to wait. A refused handshake holds no connection count.
    """
    pipe = _redis_count(_handshake_key(ip), HANDSHAKE_KEY_TTL, refresh=False)
    if pipe is None:
        if (wait := allow_handshake(ip)) is not None:
            return "handshake_rate", wait
        wait = acquire_connection(ip)
        return None if wait is None else ("connections", wait)
    _redis_count(_conn_key(ip), settings.PAPO["CONNECTION_COUNT_TTL"], refresh=True, pipe=pipe)
    handshakes, _, connections, _ = pipe.execute()
    outage.REDIS.ok()  # a handshake is often the first thing to find Redis back
    if (wait := _handshake_wait(int(handshakes))) is not None:
        release_connection(ip)
        return "handshake_rate", wait
    if (wait := _connection_wait(ip, int(connections))) is not None:
        return "connections", wait
    return None


HANDSHAKE_KEY_TTL = 120  # two of its one-minute windows


def _handshake_key(ip: str) -> str:
    return f"papo:hs:{ip}:{int(time.time() // 60)}"


def _handshake_wait(count: int) -> float | None:
    """None within the per-minute allowance, else seconds to the next minute."""
    if count > settings.PAPO["HANDSHAKES_PER_IP_PER_MINUTE"]:
        return 60 - time.time() % 60
    return None


def _conn_key(ip: str) -> str:
    return f"papo:conn:{ip}"


def _connection_wait(ip: str, count: int) -> float | None:
    """None within the allowance; else the count just taken is given back."""
    if count > settings.PAPO["CONNECTIONS_PER_IP"]:
        release_connection(ip)
        return 5.0
    return None


def touch_connection(ip: str) -> None:
    """Keep the address's count alive while its connections are (on heartbeats)."""
    shared().touch(_conn_key(ip), settings.PAPO["CONNECTION_COUNT_TTL"])


def release_connection(ip: str) -> None:
    """Give an open connection's count back. With Redis down the count is left to
    expire (its TTL) and the outage's report counts it: a disconnect goes on."""
    try:
        if shared().decr(_conn_key(ip)) < 0:
            shared().delete(_conn_key(ip))
    except ValueError:
        pass  # expired: nothing to release
    except Exception as exc:
        if not outage.failed(exc, "connection counts left to expire"):
            raise
