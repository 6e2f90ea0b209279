"""One visitor's frame allowance (realtime/visitor_bucket.py) on a clock the test drives.

Both implementations, held to the same promises: the Lua script in the real
Redis (the scaled stack's counters) and :class:`LocalBuckets` (the embedded
stack's). Hypothesis sends bursts, one frame at a time or a batch in one
pipelined round trip, at arbitrary times (so across any boundary a fixed
window would have), and checks that

- every window of the stated length holds at most the stated figure, and every
  stretch of ``t`` seconds at most ``burst + rate x t``;
- a sender that keeps to the allowance (a burst, then at most ``rate`` a
  second) is never refused;
- ``retry_after`` is when one more frame fits: refused a millisecond earlier,
  allowed then;
- the script and the in-process bucket give the same answers to the same frames.
"""

from __future__ import annotations

import bisect
import sys
import threading
import uuid

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from papo.testing.faults import RedisServer
from papo.testing.live import require_services
from papo.testing.server import REDIS_URL
from realtime.visitor_bucket import (
    MICRO,
    NANO,
    SWEEP_US,
    Allowance,
    LocalBuckets,
    take_redis,
)

EPOCH_US = 1_800_000_000 * MICRO  # a wall-clock time (2027), in microseconds
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)

allowances = st.builds(
    Allowance.of, burst=st.integers(1, 30),
    rate=st.sampled_from([0.2, 0.5, 1, 2, 2.5, 3, 5, 7, 10]),
    sockets=st.sampled_from([1, 1.5, 2, 3]))
# (pause before it, frames, microseconds between them: 0 is one batch, one round trip)
bursts = st.lists(st.tuples(st.integers(0, 12 * MICRO), st.integers(1, 100),
                            st.one_of(st.just(0), st.integers(1, 300_000))),
                  min_size=1, max_size=20)


def most(allowance: Allowance, span_us: int) -> int:
    """What any stretch of ``span_us`` (ends included) may hold: burst + rate x span."""
    return (allowance.full + allowance.gain * span_us) // NANO


class Visitor:
    """One visitor's frames through ``take``, on the test's clock."""

    def __init__(self, take, allowance: Allowance) -> None:
        self.take, self.allowance = take, allowance
        self.key = uuid.uuid4().hex
        self.allowed: list[int] = []  # when each allowed frame was taken

    def send(self, now_us: int, frames: int = 1) -> list[int]:
        """``frames`` frames at ``now_us``, in one batch; the replies."""
        replies = self.take([self.key] * frames, [self.allowance] * frames, now_us)
        self.allowed += [now_us for reply in replies if reply >= 0]
        return replies

    def replay(self, start_us: int, schedule: list[tuple[int, int, int]]) -> int:
        now = start_us
        for pause, frames, between in schedule:
            now += pause
            if between == 0:
                self.send(now, frames)
            else:
                for _ in range(frames):
                    self.send(now)
                    now += between
        return now


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def take(request):
    """``take(keys, allowances, now_us)`` of one implementation."""
    if request.param == "embedded":
        yield LocalBuckets().take
        return
    require_services()
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-vb-{uuid.uuid4().hex[:8]}:"
    yield lambda keys, allowances, now_us: take_redis(
        client, [prefix + key for key in keys], allowances, now_us)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


@PROPERTY
@given(allowance=allowances, window_us=st.integers(MICRO // 10, 12 * MICRO),
       start=st.integers(0, 10 * MICRO), schedule=bursts)
def test_no_window_of_the_stated_length_holds_more_than_the_stated_figure(
        take, allowance, window_us, start, schedule):
    visitor = Visitor(take, allowance)
    visitor.replay(EPOCH_US + start, schedule)
    times = visitor.allowed
    cap = most(allowance, window_us)
    for i, since in enumerate(times):  # the fullest window starts at an allowed frame
        assert bisect.bisect_right(times, since + window_us) - i <= cap, (since, cap)
    # and every stretch, of any length: frames i..j within burst + rate x (t_j - t_i)
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= most(allowance, times[j] - times[i]), (i, j)


@PROPERTY
@given(allowance=allowances, start=st.integers(0, 10 * MICRO), data=st.data())
def test_a_sender_within_the_allowance_is_never_refused(take, allowance, start, data):
    """A burst of up to ``burst`` frames, then frames at most ``rate`` a second
    (exactly that, or with pauses): every one allowed."""
    visitor = Visitor(take, allowance)
    now = EPOCH_US + start
    first = data.draw(st.integers(1, int(allowance.burst)), "burst")
    assert all(reply >= 0 for reply in visitor.send(now, first))
    interval = -(-NANO // allowance.gain)  # one frame's refill, in whole microseconds
    pauses = data.draw(st.lists(st.one_of(st.just(0), st.integers(1, 3 * MICRO)),
                                max_size=150), "pauses")
    for pause in pauses:
        now += interval + pause
        assert visitor.send(now)[0] >= 0, (now, len(visitor.allowed))


@PROPERTY
@given(allowance=allowances, start=st.integers(0, 10 * MICRO), schedule=bursts)
def test_retry_after_is_when_one_more_frame_fits(take, allowance, start, schedule):
    visitor = Visitor(take, allowance)
    now = visitor.replay(EPOCH_US + start, schedule)
    while (retry_after := allowance.wait(visitor.send(now)[0])) is None:
        pass  # use up what is left at this moment
    wait_us = round(retry_after * MICRO)
    assert 0 < wait_us <= -(-NANO // allowance.gain) + 1000  # a frame's refill, at most
    assert visitor.send(now + wait_us - 1000)[0] < 0  # a millisecond early: refused
    assert visitor.send(now + wait_us)[0] >= 0  # then: allowed


def test_the_default_allowance_is_140_in_10_seconds_and_not_one_more(take):
    """2 sockets' worth of a burst of 20 at 5 a second: a visitor flooding from a
    fresh start gets exactly 40 + 10 x 10 frames in the first 10 s (the window's
    ends included), however the flood straddles any second or slot boundary."""
    allowance = Allowance.of(20, 5, sockets=2)
    assert (allowance.burst, allowance.rate, allowance.most_in(10)) == (40, 10, 140)
    visitor = Visitor(take, allowance)
    start = EPOCH_US + 9_876_543  # 0.88 s into some 10-second slot
    for ms in range(0, 20_001, 5):  # a frame every 5 ms for 20 s
        visitor.send(start + ms * 1000)
    in_first = [t for t in visitor.allowed if t <= start + 10 * MICRO]
    assert len(in_first) == 140
    assert len(visitor.allowed) == 40 + 10 * 20


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(allowance=allowances, start=st.integers(0, 10 * MICRO), schedule=bursts,
       switched=st.integers(0, 40))
def test_the_script_and_the_in_process_bucket_answer_alike(allowance, start, schedule,
                                                          switched):
    """The same frames through both give the same replies, also when the site's
    limits change halfway (``switched``: after that many bursts, a smaller bucket)."""
    require_services()
    client = redis.Redis.from_url(REDIS_URL)
    key = f"test-vb-{uuid.uuid4().hex}"
    local = LocalBuckets()
    smaller = Allowance.of(1, 0.5)
    now = EPOCH_US + start
    try:
        for n, (pause, frames, between) in enumerate(schedule):
            now += pause
            current = allowance if n < switched else smaller
            for _ in range(1 if between == 0 else frames):
                batch = frames if between == 0 else 1
                args = [key] * batch, [current] * batch, now
                assert take_redis(client, *args) == local.take(*args), (n, now)
                now += between
    finally:
        client.delete(key)
        client.close()


def test_the_script_is_loaded_again_after_redis_forgets_it():
    """EVALSHA on a Redis that never saw the script, or lost it (a restart, a
    SCRIPT FLUSH): loaded, and each frame counted once. A Redis of our own: a
    flush on the shared one would unload other suites' scripts."""
    server = RedisServer().start()
    try:
        client = redis.Redis.from_url(server.url)
        allowance = Allowance.of(3, 1)
        assert take_redis(client, ["v"] * 2, [allowance] * 2, EPOCH_US) == [2 * NANO, NANO]
        client.script_flush()
        assert take_redis(client, ["v"] * 2, [allowance] * 2, EPOCH_US) == [0, -NANO]
        client.close()
    finally:
        server.close()


def test_the_in_process_buckets_hold_under_threads_and_forget_full_ones():
    """Threads taking from one bucket at one instant get exactly its burst between
    them; a bucket full again is forgotten at the next sweep (memory stays bounded)."""
    local = LocalBuckets()
    allowance = Allowance.of(500, 1)
    answers: list[int] = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        def flood() -> None:
            answers.extend(local.take(["v"], [allowance], EPOCH_US)[0] for _ in range(200))

        threads = [threading.Thread(target=flood) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert sum(reply >= 0 for reply in answers) == 500
    assert sorted(r for r in answers if r >= 0) == [n * NANO for n in range(500)]
    local.take(["other"], [Allowance.of(1, 1)], EPOCH_US + SWEEP_US)
    assert len(local) == 2  # "v" is full again only after 500 s
    local.take(["other"], [Allowance.of(1, 1)], EPOCH_US + 501 * MICRO + SWEEP_US)
    assert len(local) == 1
