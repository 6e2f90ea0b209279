"""Take new connections only while few are still being set up.

daphne accepts every TCP connection the moment it arrives. When thousands
arrive at once (a restart, a network blip: every widget reconnects), every
handshake's steps (the HTTP upgrade, the origin and address checks, the
hello, the welcome) queue on one event loop behind everyone else's, so each
widget's own handshake takes as long as all of them together: after a
restart with 5,000 widgets none was back for 8 s, then all were within 2 s,
and with a slower machine or more widgets that passed the clients' 20 s
timeouts and they all started again (docs/performance.md).

The gate counts the connections in progress: accepted, and not yet
answered. A WebSocket is answered by the first frame the application sends
after the upgrade (Papo's ``welcome``, or an error), a plain HTTP request by
the first bytes of its response; a connection that closes is no longer
counted either. While ``limit`` are in progress the listening ports stop
accepting; the rest wait in the kernel's listen queue (``PAPO_LISTEN_BACKLOG``)
at no cost to the process, and accepting resumes when the count is down to
three quarters of it. Every admitted widget is then welcomed in a fraction of
a second, in arrival order, and nobody's handshake grows with the crowd: the
same 5,000 now come back steadily from the first second on. (The total time
is still the crowd over the handshake rate.)

A client that is slow to say hello (or one that never does) must not hold
the gate shut: a connection stops counting after ``slow_after`` seconds
whether or not it was answered. (Its own deadlines still apply: the hello
timeout, daphne's handshake timeout.)

One address must not fill the gate either. A single client holding 3,500
half-sent upgrade requests (connected, never finished) kept the gate full,
500 at a time for 2 s each, and a normal visitor's connect took 6.4 s. So
each TCP peer address may have at most ``per_address`` connections in
progress (``PAPO_HANDSHAKES_IN_PROGRESS_PER_IP``); one over that is closed
the moment it is accepted, before any HTTP is read, and takes no place in
the gate. Here a connection counts against its address until it is answered
or closed, however slow: what is held open unanswered is exactly what the
cap is for. The default is ``PAPO_CONNECTIONS_PER_IP`` (50), because an
address cannot use more: every widget handshake in progress becomes one of
its open sockets (or is refused with 4029), and a real visitor's connection
is in progress only for a fraction of a second (the gate keeps the rest of a
crowd in the listen queue, where they are not counted). A NAT full of real
visitors reconnecting together therefore meets the open-socket limit before
this one, and a deployment that raises the one for a large NAT raises both.

The address is the TCP peer. Behind a reverse proxy every connection comes
from the proxy, so ``PAPO_TRUSTED_PROXIES`` are not capped here; the cap
belongs in the proxy, per client (``limit_conn`` in deploy/nginx.conf.template).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable

from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet import tcp

log = logging.getLogger("papo.server")
REPORT_EVERY = 1.0  # seconds: refusals over the per-address cap are logged in one line each


class AcceptGate:
    def __init__(self, limit: int, slow_after: float, per_address: int = 0,
                 exempt: Iterable[str] = (), clock=None) -> None:
        # connections in progress at most (give or take one accept); 0: no limit
        self.limit = limit if limit > 0 else sys.maxsize
        self.resume_at = self.limit * 3 // 4
        self.slow_after = slow_after
        self.per_address = per_address  # in progress per TCP peer address; 0: no cap
        self.exempt = frozenset(exempt)  # trusted proxies: capped in the proxy instead
        self.ports: list[tcp.Port] = []
        self.pending: dict[_CountedServer, float] = {}  # insertion order = age order
        self.by_address: dict[str, int] = {}  # unanswered (slow ones too), per address
        self.refused: dict[str, int] = {}  # over the per-address cap, not yet reported
        self.paused = False
        self._sweep = None
        self._report = None
        self._clock = clock  # a Twisted IReactorTime; None: the reactor, on first use
        self._now: Callable[[], float] = clock.seconds if clock else time.monotonic

    # --- the listening side ---------------------------------------------------
    def watch(self, port: tcp.Port) -> None:
        """Count ``port``'s connections and pause it when the gate is shut."""
        gate = self
        accept = port.doRead

        def do_read():
            room = gate.limit - len(gate.pending)
            if room <= 0:
                gate.pause()
                return None
            # Twisted accepts up to numberAccepts in one go: no more than there is room for.
            port.numberAccepts = min(port.numberAccepts, room)
            result = accept()
            if len(gate.pending) >= gate.limit:
                gate.pause()
            return result

        port.doRead = do_read
        port.transport = type("CountedServer", (_CountedServer,), {"gate": self})
        self._check_addresses(port.factory)
        self.ports.append(port)

    def _check_addresses(self, factory) -> None:
        """Ask ``admits`` before each accepted connection gets a protocol: Twisted
        closes the socket at once when ``buildProtocol`` returns None, before any
        transport exists (so before it is counted) and before a byte is read."""
        if getattr(factory, "_papo_gated", False):  # one factory serves every port
            return
        build = factory.buildProtocol

        def build_protocol(addr):
            return build(addr) if self.admits(addr.host) else None

        factory.buildProtocol = build_protocol
        factory._papo_gated = True

    def admits(self, address: str) -> bool:
        """May a new connection from ``address`` be set up? (Counted by ``opened``.)"""
        if (not self.per_address or address in self.exempt
                or self.by_address.get(address, 0) < self.per_address):
            return True
        self.refused[address] = self.refused.get(address, 0) + 1
        if self._report is None:
            self._report = self._call_later(REPORT_EVERY, self._report_refused)
        return False

    def pause(self) -> None:
        if not self.paused:
            self.paused = True
            for port in self.ports:
                port.stopReading()
            self._schedule_sweep()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            for port in self.ports:
                if port.connected and not port.disconnecting:
                    port.startReading()

    # --- the connections --------------------------------------------------------
    def opened(self, conn) -> None:
        self.pending[conn] = self._now()
        address = conn.client[0]
        self.by_address[address] = self.by_address.get(address, 0) + 1
        self._schedule_sweep()

    def answered(self, conn) -> None:
        """``conn`` was answered, or closed: it no longer counts anywhere."""
        address = conn.client[0]
        left = self.by_address.get(address, 0) - 1
        if left > 0:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)
        self._uncount(conn)

    def _uncount(self, conn) -> None:
        """``conn`` no longer holds a place in the gate."""
        if self.pending.pop(conn, None) is not None:
            if self.paused and len(self.pending) <= self.resume_at:
                self.resume()

    def _call_later(self, delay: float, fn):
        if self._clock is None:
            from twisted.internet import reactor

            self._clock = reactor
        return self._clock.callLater(delay, fn)

    def _schedule_sweep(self) -> None:
        if self._sweep is None or not self._sweep.active():
            self._sweep = self._call_later(self.slow_after / 4, self._forget_slow)

    def _forget_slow(self) -> None:
        """Stop counting, in the gate, connections in progress for longer than
        ``slow_after`` (they still count against their address until answered)."""
        self._sweep = None
        oldest_allowed = self._now() - self.slow_after
        slow = []
        for conn, since in self.pending.items():
            if since > oldest_allowed:
                break
            slow.append(conn)
        for conn in slow:
            self._uncount(conn)
        if slow:
            log.info("accept gate: %d connections not answered within %.1f s stopped "
                     "counting", len(slow), self.slow_after)
        if self.pending:
            self._schedule_sweep()

    def _report_refused(self) -> None:
        """One warning per address, and the counter, for the last second's refusals
        (a flood is thousands a second: one log line each would be a flood too)."""
        from bus import metrics

        self._report = None
        refused, self.refused = self.refused, {}
        for address, n in refused.items():
            metrics.log.warning(
                "refused (%s): %d connections from %s, which had %d in progress already",
                "refused.in_progress", n, address, self.per_address)
        metrics.count("refused.in_progress", sum(refused.values()))


class _CountedServer(tcp.Server):
    """A server-side TCP connection while the gate counts it; it becomes a plain
    ``tcp.Server`` once answered."""

    gate: AcceptGate

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate.opened(self)

    # (not super(): _answered() has made ``self`` a plain tcp.Server by then)
    def write(self, data: bytes) -> None:
        if _answers(self.protocol):
            self._answered()
        tcp.Server.write(self, data)

    def connectionLost(self, reason) -> None:
        self._answered()
        tcp.Server.connectionLost(self, reason)

    def _answered(self) -> None:
        self.gate.answered(self)
        # A plain connection from now on: no check on its every write (same layout).
        self.__class__ = tcp.Server


def _answers(protocol) -> bool:
    """Is a write by ``protocol`` its answer? For a WebSocket, a frame after the upgrade
    (not the upgrade's own 101 response); for anything else, any write."""
    if isinstance(protocol, WebSocketProtocol):
        return protocol.state == WebSocketProtocol.STATE_OPEN
    return True


def install(limit: int, slow_after: float, per_address: int = 0,
            exempt: Iterable[str] = ()) -> AcceptGate | None:
    """Gate every port daphne listens on (``limit`` and ``per_address`` 0: no gate)."""
    if limit <= 0 and per_address <= 0:
        return None
    from daphne.server import Server

    gate = AcceptGate(limit, slow_after, per_address, exempt)
    listening = Server.listen_success

    def listen_success(self, port) -> None:
        listening(self, port)
        if isinstance(port, tcp.Port):
            gate.watch(port)

    Server.listen_success = listen_success
    return gate
