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
"""

from __future__ import annotations

import logging
import time

from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet import tcp

log = logging.getLogger("papo.server")


class AcceptGate:
    def __init__(self, limit: int, slow_after: float) -> None:
        self.limit = limit  # connections in progress at most (give or take one accept)
        self.resume_at = limit * 3 // 4
        self.slow_after = slow_after
        self.ports: list[tcp.Port] = []
        self.pending: dict[_CountedServer, float] = {}  # insertion order = age order
        self.paused = False
        self._sweep = None

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
        self.ports.append(port)

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
    def opened(self, conn: _CountedServer) -> None:
        self.pending[conn] = time.monotonic()
        self._schedule_sweep()

    def answered(self, conn: _CountedServer) -> None:
        if self.pending.pop(conn, None) is None:
            return
        # A plain connection from now on: no check on its every write (same layout).
        conn.__class__ = tcp.Server
        if self.paused and len(self.pending) <= self.resume_at:
            self.resume()

    def _schedule_sweep(self) -> None:
        if self._sweep is None or not self._sweep.active():
            from twisted.internet import reactor

            self._sweep = reactor.callLater(self.slow_after / 4, self._forget_slow)

    def _forget_slow(self) -> None:
        """Stop counting connections in progress for longer than ``slow_after``."""
        self._sweep = None
        oldest_allowed = time.monotonic() - self.slow_after
        slow = []
        for conn, since in self.pending.items():
            if since > oldest_allowed:
                break
            slow.append(conn)
        for conn in slow:
            self.answered(conn)
        if slow:
            log.info("accept gate: %d connections not answered within %.1f s stopped "
                     "counting", len(slow), self.slow_after)
        if self.pending:
            self._schedule_sweep()


class _CountedServer(tcp.Server):
    """A server-side TCP connection while the gate counts it; it becomes a plain
    ``tcp.Server`` once answered."""

    gate: AcceptGate

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate.opened(self)

    # (not super(): answered() has made ``self`` a plain tcp.Server by then)
    def write(self, data: bytes) -> None:
        if _answers(self.protocol):
            self.gate.answered(self)
        tcp.Server.write(self, data)

    def connectionLost(self, reason) -> None:
        self.gate.answered(self)
        tcp.Server.connectionLost(self, reason)


def _answers(protocol) -> bool:
    """Is a write by ``protocol`` its answer? For a WebSocket, a frame after the upgrade
    (not the upgrade's own 101 response); for anything else, any write."""
    if isinstance(protocol, WebSocketProtocol):
        return protocol.state == WebSocketProtocol.STATE_OPEN
    return True


def install(limit: int, slow_after: float) -> AcceptGate | None:
    """Gate every port daphne listens on (``limit`` 0: no gate)."""
    if limit <= 0:
        return None
    from daphne.server import Server

    gate = AcceptGate(limit, slow_after)
    listening = Server.listen_success

    def listen_success(self, port) -> None:
        listening(self, port)
        if isinstance(port, tcp.Port):
            gate.watch(port)

    Server.listen_success = listen_success
    return gate
