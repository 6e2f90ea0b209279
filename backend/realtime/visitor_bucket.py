"""One visitor's frame allowance: a token bucket shared by all their sockets.

``burst`` frames at once, refilled at ``rate`` per second, so any ``t`` seconds
hold at most ``burst + rate x t`` frames: with the defaults (2 sockets' worth of
a burst of 20 at 5 a second) 40 + 10 x 10 = 140 in every 10-second window,
wherever the window starts. (A sliding-window counter over two fixed slots let
through up to twice its figure when a burst straddled a slot boundary.)

The bucket is kept in exact integers: frames in billionths, time in
microseconds, rates and bursts to the thousandth (rounded down: never more
than stated). The state is ``tokens last``, the tokens after the last frame
allowed and when that was. A frame is allowed when the bucket holds at least
one whole frame; a refused frame changes nothing (the old counter counted those
too, so tabs that waited as told and then collided were held back below the
allowance; a tab that keeps sending past ``rate_limited`` is still closed).

Two implementations of the same few lines, which the tests hold to the same
answers: :data:`SCRIPT`, one Lua script run atomically in Redis by EVALSHA
(one pipelined round trip for every visitor of a batch), and
:class:`LocalBuckets` for the local-memory cache of the embedded stack (one
process; a lock serialises its threads).

The clock is the caller's (``now_us``), so tests can drive it. The processes of
one deployment share a clock through NTP: a process whose clock runs ``ε`` ahead
can let at most ``rate x ε`` more frames through (``last`` never goes back, so a
clock behind refills nothing until it catches up), a few thousandths of a frame
for milliseconds of skew at the default 10 a second. Redis ``TIME`` would need
no NTP but could not be driven by a test.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from fractions import Fraction

from redis.exceptions import NoScriptError

NANO = 10**9  # one frame, in the bucket's units
MICRO = 10**6  # microseconds a second
_MOST = 2**52  # bucket sizes stay exact in Lua's doubles
# A key lives this long after its bucket would be full again (the state is then
# the same as no key): a clock in the deployment, or a test's, may lag Redis's.
LINGER_MS = 60_000
SWEEP_US = 60 * MICRO  # how often LocalBuckets forgets buckets that are full again


@dataclass(frozen=True)
class Allowance:
    """A bucket's size and refill in the units the implementations count in."""

    full: int  # billionths of a frame
    gain: int  # billionths of a frame refilled per microsecond

    @classmethod
    def of(cls, burst: float, rate: float, sockets: float = 1) -> Allowance:
        """``sockets`` times a bucket of ``burst`` frames refilled at ``rate`` a second."""
        n = _exact(sockets)
        full = min(_MOST, max(NANO, math.floor(n * _exact(burst) * 1000) * MICRO))
        gain = min(_MOST, max(0, math.floor(n * _exact(rate) * 1000)))
        return cls(full=full, gain=gain)

    @property
    def burst(self) -> Fraction:
        return Fraction(self.full, NANO)

    @property
    def rate(self) -> Fraction:
        """Frames per second."""
        return Fraction(self.gain * MICRO, NANO)

    def most_in(self, seconds: float) -> int:
        """The most frames any window of ``seconds`` can hold (its ends included)."""
        return math.floor(self.burst + self.rate * _exact(seconds))

    def wait(self, reply: int) -> float | None:
        """A take's reply as the caller's answer: None if allowed, else seconds
        (rounded up to the millisecond) until one more frame fits, if nothing
        else is taken meanwhile."""
        if reply >= 0:
            return None
        if self.gain == 0:
            return 60.0  # never refills (a rate of 0); as the per-socket bucket says
        micros = -(reply // self.gain)  # ceil(missing / gain)
        return -(-micros // 1000) / 1000


def _exact(x: float) -> Fraction:
    """A setting as written (``2.5`` is 5/2, not the nearest binary fraction)."""
    return Fraction(repr(float(x)))


# --- Redis ------------------------------------------------------------------------------
SCRIPT = """
-- realtime/visitor_bucket.py: one visitor's token bucket. KEYS[1] holds
-- "tokens last" (billionths of a frame, microseconds). ARGV: now, full, one
-- frame, gain per microsecond, linger (ms). Returns the tokens left when the
-- frame is allowed, else minus what is missing (and changes nothing).
local now, full = tonumber(ARGV[1]), tonumber(ARGV[2])
local frame, gain = tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens, last = full, now
local held = redis.call('GET', KEYS[1])
if held then
  local space = string.find(held, ' ', 1, true)
  tokens = math.min(full, tonumber(string.sub(held, 1, space - 1)))
  last = tonumber(string.sub(held, space + 1))
  if now > last then
    local grown = (now - last) * gain
    if grown >= full - tokens then tokens = full else tokens = tokens + grown end
    last = now
  end
end
if tokens < frame then
  return tokens - frame
end
tokens = tokens - frame
local ttl = 3600000
if gain > 0 then ttl = math.floor((full - tokens) / gain / 1000) + 1 end
redis.call('SET', KEYS[1], string.format('%.0f %.0f', tokens, last),
           'PX', ttl + tonumber(ARGV[5]))
return tokens
"""
SHA = hashlib.sha1(SCRIPT.encode()).hexdigest()  # noqa: S324 (Redis names scripts so)


def take_redis(client, keys: list[str], allowances: list[Allowance], now_us: int) -> list[int]:
    """One frame from each ``keys[i]``'s bucket, in order, in one pipelined round
    trip (a key named twice is taken from twice); the script's replies.

    EVALSHA, not redis-py's ``Script`` (which asks ``SCRIPT EXISTS`` on every
    pipeline); the script is loaded when Redis says it does not know it (first
    use, or after a restart), and only the frames it refused are run again."""
    replies = _evalsha(client, list(range(len(keys))), keys, allowances, now_us)
    missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
    if missing:
        client.script_load(SCRIPT)
        for i, reply in zip(missing, _evalsha(client, missing, keys, allowances, now_us),
                            strict=True):
            replies[i] = reply
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return [int(reply) for reply in replies]


def _evalsha(client, which: list[int], keys: list[str], allowances: list[Allowance],
             now_us: int) -> list:
    pipe = client.pipeline(transaction=False)
    for i in which:
        pipe.evalsha(SHA, 1, keys[i], now_us, allowances[i].full, NANO, allowances[i].gain,
                     LINGER_MS)
    return pipe.execute(raise_on_error=False)


# --- this process -------------------------------------------------------------------------
class LocalBuckets:
    """:data:`SCRIPT` in this process's memory, line for line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key: (tokens, last, when the bucket is full again)
        self._held: dict[str, tuple[int, int, float]] = {}
        self._swept_at = 0

    def take(self, keys: list[str], allowances: list[Allowance], now_us: int) -> list[int]:
        with self._lock:
            replies = [self._take(key, allowance, now_us)
                       for key, allowance in zip(keys, allowances, strict=True)]
            if now_us - self._swept_at >= SWEEP_US:
                self._swept_at = now_us
                self._held = {k: v for k, v in self._held.items() if v[2] > now_us}
            return replies

    def __len__(self) -> int:
        return len(self._held)

    def _take(self, key: str, allowance: Allowance, now: int) -> int:
        full, gain = allowance.full, allowance.gain
        tokens, last = full, now
        held = self._held.get(key)
        if held is not None:
            tokens, last = min(full, held[0]), held[1]
            if now > last:
                tokens = min(full, tokens + (now - last) * gain)
                last = now
        if tokens < NANO:
            return tokens - NANO
        tokens -= NANO
        again = last - (tokens - full) // gain if gain else math.inf  # ceil
        self._held[key] = (tokens, last, again)
        return tokens


LOCAL = LocalBuckets()
