"""The outage tracker: one line when a dependency is lost, one when it is back,
with what was refused or deferred in between counted exactly, from any thread."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bus import outage
from bus.outage import Dependency

REFUSED = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def counts_of(back: str) -> dict[str, int]:
    """The counts of a back line: "...: 3 events not published" -> {"events not published": 3}"""
    listed = back.split(": ", 1)[1].split(", ")
    return {what: int(n) for n, what in (item.split(" ", 1) for item in listed)}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]

    def lost(self) -> list[str]:
        return [m for m in self.at(logging.WARNING) if " lost: " in m]

    def back(self) -> list[str]:
        return [m for m in self.at(logging.WARNING) if " is back after " in m]


@pytest.fixture
def lines():
    """What the tracker logs, at every level (``papo`` does not propagate to the root)."""
    logger = logging.getLogger("papo.outage")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Timers:
    """``later`` that holds what is due, for the test to run when it chooses."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.due: list[tuple[float, object]] = []

    def __call__(self, delay: float, fn) -> None:
        self.due.append((self.clock.now + delay, fn))

    def run_due(self) -> None:
        ready = [fn for at, fn in self.due if at <= self.clock.now]
        self.due = [(at, fn) for at, fn in self.due if at > self.clock.now]
        for fn in ready:
            fn()


def tracker(settle: float = 1.0) -> tuple[Dependency, Clock, Timers]:
    clock = Clock()
    timers = Timers(clock)
    return Dependency("Redis", settle=settle, clock=clock, later=timers), clock, timers


def test_one_line_when_lost_one_when_back_with_the_counts(lines):
    redis, clock, timers = tracker()
    for _ in range(384):
        redis.failed("events not published", REFUSED)
    redis.failed("frames let through uncounted", REFUSED, n=120)
    redis.failed("pub/sub reads", REFUSED, n=0)  # marks, counts nothing
    clock.now += 5.2
    redis.failed("counter updates lost", REFUSED)
    assert lines.lost() == ["Redis lost: ConnectionError: Error 111 connecting to "
                            "127.0.0.1:6379. Connection refused. (first failure: events not "
                            "published); counting what is refused or deferred until it is back"]
    assert redis.down and lines.back() == []

    redis.ok()  # the first success: back once nothing fails for a second
    clock.now += 0.5
    redis.ok()
    timers.run_due()
    assert redis.down and lines.back() == []
    clock.now += 0.5
    timers.run_due()  # the settle timer: no call is needed after the second
    assert lines.back() == ["Redis is back after 5.2 s: 384 events not published, "
                            "120 frames let through uncounted, 1 counter updates lost"]
    assert not redis.down
    assert len(lines.at(logging.WARNING)) == 2

    redis.ok()  # up: nothing more
    clock.now += 10
    timers.run_due()
    assert len(lines.at(logging.WARNING)) == 2 and timers.due == []


def test_a_success_after_the_settle_time_says_back_at_once(lines):
    redis, clock, timers = tracker()
    redis.failed("events not published", REFUSED)
    clock.now += 2
    redis.ok()
    clock.now += 1
    redis.ok()
    assert lines.back() == ["Redis is back after 2.0 s: 1 events not published"]
    timers.run_due()  # the pending timer finds it up
    assert len(lines.back()) == 1


def test_a_failure_while_settling_is_the_same_outage(lines):
    redis, clock, timers = tracker()
    redis.failed("events not published", REFUSED)
    clock.now += 3
    redis.ok()
    clock.now += 0.5
    redis.failed("events not published", RedisTimeoutError("Timeout reading"))
    clock.now += 0.6
    timers.run_due()  # the first success's timer: a failure came since
    assert lines.back() == [] and redis.down
    clock.now += 2
    redis.ok()  # the success that counts: 6.1 s after the first failure
    clock.now += 1
    timers.run_due()
    assert len(lines.lost()) == 1
    assert lines.back() == ["Redis is back after 6.1 s: 2 events not published"]

    clock.now += 60  # a later outage is a new one, with its own line and counts
    redis.failed("frames answered unavailable", REFUSED, n=3)
    redis.ok()
    clock.now += 1
    redis.ok()
    assert len(lines.lost()) == 2
    assert lines.back()[1] == "Redis is back after 0.0 s: 3 frames answered unavailable"


def test_nothing_refused_is_said_so(lines):
    redis, clock, _ = tracker()
    redis.failed("pub/sub reads", REFUSED, n=0)
    redis.ok()
    clock.now += 1
    redis.ok()
    assert lines.back() == ["Redis is back after 0.0 s: nothing refused or deferred"]


def test_every_failure_keeps_its_traceback_at_debug(lines):
    redis, _, _ = tracker()
    try:
        raise RedisConnectionError("Connection closed by server.")
    except RedisConnectionError as exc:
        raised = exc
        for conv in (1, 2):
            redis.failed("events not published", exc, detail=f"message for conversation {conv}")
    debug = [r for r in lines.records if r.levelno == logging.DEBUG]
    assert [r.getMessage() for r in debug] == [
        f"Redis: events not published (message for conversation {conv}): ConnectionError: "
        "Connection closed by server." for conv in (1, 2)]
    assert all(r.exc_info and r.exc_info[1] is raised and r.exc_info[2] for r in debug)
    warnings = [r for r in lines.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and not warnings[0].exc_info


def test_threads_failing_at_once_make_one_line_and_exact_counts(lines):
    """The real clock and timer: 16 threads fail 500 times each, then 16 threads
    succeed at once; one lost line, one back line, nothing miscounted."""
    redis = Dependency("Redis", settle=0.05)
    threads, rounds = 16, 500
    start = threading.Barrier(threads)

    def fail(i: int) -> None:
        start.wait()
        for _ in range(rounds):
            redis.failed(f"kind {i % 4}", REFUSED)
            redis.failed("frames", REFUSED, n=2)

    workers = [threading.Thread(target=fail, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(lines.lost()) == 1

    ok = threading.Barrier(threads)

    def succeed() -> None:
        ok.wait()
        for _ in range(rounds):
            redis.ok()

    workers = [threading.Thread(target=succeed) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    deadline = time.monotonic() + 5
    while redis.down and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not redis.down
    (back,) = lines.back()
    per_kind = rounds * threads // 4
    assert counts_of(back) == {"frames": 2 * rounds * threads,
                               **{f"kind {k}": per_kind for k in range(4)}}
    assert len(lines.at(logging.WARNING)) == 2


def test_errors_name_their_dependency():
    assert outage.of(OperationalError("server closed the connection")) is outage.DATABASE
    assert outage.of(InterfaceError("connection already closed")) is outage.DATABASE
    assert outage.of(REFUSED) is outage.REDIS
    assert outage.of(ConnectionRefusedError(111, "refused")) is outage.REDIS
    # a bug is no outage: its caller logs it in full
    assert outage.of(IntegrityError("duplicate key")) is None
    assert outage.of(ValueError("bad")) is None
    assert outage.of(TimeoutError()) is None  # asyncio's deadline, not a Redis socket
    assert outage.failed(ValueError("bad"), "events not published") is False
