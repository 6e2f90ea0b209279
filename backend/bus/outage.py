"""Outages of Redis and the database: one line when lost, one when back.

While Redis or the database is out of reach, every frame, event, counter and
handshake that needs it fails, and each used to log a line of its own (an
outside tester's 5 s Redis outage wrote 384 tracebacks, one per frame). Now
each failure site reports to the :class:`Dependency` it needs (:data:`REDIS`,
:data:`DATABASE`): the first failure logs one WARNING naming the dependency
and the error; later ones are only counted, by what was refused or deferred
("events not published", "frames answered unavailable", ...).

Whichever path succeeds first afterwards (a publish, a counter, a query in a
database hop, a pub/sub read) calls :meth:`Dependency.ok`. If nothing fails
for ``settle`` seconds after that, one WARNING says so: "Redis is back after
5.2 s: 384 events not published, ...", the time counted to that first success.
(Without the settle time, a command already failing as Redis came back would
count as a second outage.) A failure within the settle time belongs to the same
outage, and the next success starts the settle time again.

Every failure is also logged at DEBUG, with its traceback, for whoever wants
them (``PAPO_LOG_LEVEL=DEBUG``). ``ok()`` with nothing wrong is one attribute
read: it sits on hot paths. Counts are per process: each reports its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError

log = logging.getLogger("papo.outage")

SETTLE = 1.0  # seconds a dependency must work, without a failure, to be called back

Later = Callable[[float, Callable[[], None]], None]


def _timer(delay: float, fn: Callable[[], None]) -> None:
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    timer.start()


class Dependency:
    """One dependency's state: up, or down (counting what failed), or back and settling.

    Safe to call from the event loop and from any thread. ``clock`` and ``later``
    (run a function after a delay: a timer thread) are there for the tests."""

    def __init__(self, name: str, *, settle: float = SETTLE,
                 clock: Callable[[], float] = time.monotonic, later: Later = _timer) -> None:
        self.name = name
        self.settle = settle
        self.clock = clock
        self.later = later
        self.down = False  # read without the lock: the hot path's only cost
        self.failed_at = float("-inf")  # the last failure (clock), for connection health
        self._lock = threading.Lock()
        self._since = 0.0  # the first failure of this outage
        self._working_since: float | None = None  # the first success since the last failure
        self._waiting = False  # a settle timer is pending
        self._counts: Counter[str] = Counter()

    def failed(self, what: str, exc: BaseException, n: int = 1, detail: str = "") -> None:
        """``n`` of ``what`` (plural: "events not published") failed for want of this
        dependency, with ``exc``. Logs a WARNING only for an outage's first failure;
        ``n=0`` marks the outage without counting anything."""
        log.debug("%s: %s%s: %s", self.name, what, f" ({detail})" if detail else "",
                  error_text(exc), exc_info=exc)
        with self._lock:
            now = self.clock()
            self.failed_at = now
            self._working_since = None
            if n:
                self._counts[what] += n
            if self.down:
                return
            self.down, self._since = True, now
            # Logged under the lock, so that "back" can never come out before "lost".
            log.warning("%s lost: %s (first failure: %s); counting what is refused or "
                        "deferred until it is back", self.name, error_text(exc), what)

    def ok(self) -> None:
        """Something that needed this dependency just worked."""
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            if self._working_since is None:
                self._working_since = self.clock()
            self._settle_locked()

    def _settled(self) -> None:
        with self._lock:
            self._waiting = False
            if self.down and self._working_since is not None:
                self._settle_locked()

    def _settle_locked(self) -> None:
        """Back if it has worked for ``settle`` seconds, else look again when it will have."""
        back = self._working_since
        assert back is not None
        left = back + self.settle - self.clock()
        if left > 0:
            if not self._waiting:
                self._waiting = True
                self.later(left, self._settled)
            return
        counts, self._counts = self._counts, Counter()
        self.down, self._working_since = False, None
        log.warning("%s is back after %.1f s: %s", self.name, back - self._since,
                    summary(counts))


def error_text(exc: BaseException) -> str:
    """``Type: message`` on one line (a driver's message may span several; redis-py's
    repr() says only "network:ConnectionError")."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def summary(counts: Counter[str]) -> str:
    """"384 events not published, 120 frames let through uncounted", most first."""
    if not counts:
        return "nothing refused or deferred"
    return ", ".join(f"{n} {what}" for what, n in counts.most_common())


REDIS = Dependency("Redis")
DATABASE = Dependency("Database")


def of(exc: BaseException) -> Dependency | None:
    """The dependency ``exc`` says is out of reach; None if it names none (a bug,
    which its caller logs in full).

    The database's errors arrive wrapped by Django: a lost or refused connection,
    a lock not granted in time (SQLite) are ``OperationalError``; a connection
    already closed is ``InterfaceError``. (An ``IntegrityError`` is no outage.) A
    bare ``OSError`` is a Redis client's socket, the only other connection these
    paths hold; but not a ``TimeoutError`` (an ``OSError`` too), which is
    asyncio's own deadline: redis-py raises its own ``TimeoutError``."""
    if isinstance(exc, OperationalError | InterfaceError):
        return DATABASE
    if isinstance(exc, RedisError) or (isinstance(exc, OSError)
                                       and not isinstance(exc, TimeoutError)):
        return REDIS
    return None


def failed(exc: BaseException, what: str, n: int = 1, detail: str = "") -> bool:
    """Count ``exc`` against the dependency it names (:func:`of`); False if it names
    none, for the caller to log as the bug it is."""
    dependency = of(exc)
    if dependency is None:
        return False
    dependency.failed(what, exc, n, detail)
    return True
