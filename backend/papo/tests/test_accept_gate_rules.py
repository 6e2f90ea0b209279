"""``papo.accept_gate``'s bookkeeping, step by step on Twisted's own test clock.

What a real daphne does with it (a flood of half-open handshakes from one
address while a visitor connects) is test_accept_gate.py's job; here each rule
is checked on its own: the per-address cap on connections in progress, that a
refused connection takes no place in the gate, that a slow connection leaves the
gate but not its address's count, trusted proxies, and the refusal report.
"""

from __future__ import annotations

import itertools
import logging

from twisted.internet.task import Clock

from bus import metrics
from papo.accept_gate import REPORT_EVERY, AcceptGate

_ports = itertools.count(40000)


class Conn:
    """What the gate keeps of a server-side connection: its peer (``tcp.Server.client``)."""

    def __init__(self, address: str) -> None:
        self.client = (address, next(_ports))


def gate(limit: int = 500, per_address: int = 3, exempt=(), slow_after: float = 2.0):
    clock = Clock()
    return AcceptGate(limit, slow_after, per_address, exempt, clock=clock), clock


def connect(g: AcceptGate, address: str) -> Conn | None:
    """What Twisted does for one accepted socket: ask, then build the transport."""
    if not g.admits(address):
        return None  # buildProtocol returned None: the socket is closed at once
    conn = Conn(address)
    g.opened(conn)
    return conn


def test_one_address_gets_at_most_its_cap_in_progress_and_no_more_gate_places():
    g, _ = gate(per_address=3)
    held = [connect(g, "192.0.2.1") for _ in range(3)]
    assert all(held)
    assert [connect(g, "192.0.2.1") for _ in range(100)] == [None] * 100
    assert len(g.pending) == 3  # the hundred refused took no place in the gate
    # another address is not affected
    assert connect(g, "192.0.2.2") is not None
    # an answer (or a close) gives the address its place back: one, not more
    g.answered(held[0])
    assert connect(g, "192.0.2.1") is not None
    assert connect(g, "192.0.2.1") is None


def test_a_slow_connection_leaves_the_gate_but_still_counts_for_its_address():
    """After ``slow_after`` a half-open connection stops holding the gate shut for
    everyone, but its own address cannot replace it with fresh ones."""
    g, clock = gate(limit=4, per_address=3, slow_after=2.0)
    held = [connect(g, "192.0.2.1") for _ in range(3)]
    other = connect(g, "192.0.2.2")
    assert len(g.pending) == 4 and other is not None
    g.pause()  # what the port's reader does at the limit
    clock.advance(2.5)  # the sweep runs every slow_after / 4
    assert g.pending == {} and not g.paused  # nobody is kept waiting by them any more
    assert g.by_address == {"192.0.2.1": 3, "192.0.2.2": 1}
    assert connect(g, "192.0.2.1") is None
    for conn in held:
        g.answered(conn)  # e.g. daphne's own handshake timeout closed them
    assert "192.0.2.1" not in g.by_address
    assert connect(g, "192.0.2.1") is not None


def test_trusted_proxies_are_not_capped_and_zero_means_no_cap():
    g, _ = gate(per_address=2, exempt=["127.0.0.1"])
    assert all(connect(g, "127.0.0.1") for _ in range(50))
    assert connect(g, "192.0.2.1") and connect(g, "192.0.2.1")
    assert connect(g, "192.0.2.1") is None
    g, _ = gate(per_address=0)
    assert all(connect(g, "192.0.2.1") for _ in range(50))


def test_without_a_global_limit_the_cap_still_holds():
    g, _ = gate(limit=0, per_address=2)
    assert all(connect(g, f"192.0.2.{i}") for i in range(1, 200))
    assert connect(g, "192.0.2.1") and connect(g, "192.0.2.1") is None


def test_refusals_are_reported_once_a_second_per_address(caplog):
    g, clock = gate(per_address=1)
    connect(g, "192.0.2.1")
    connect(g, "192.0.2.3")
    before = metrics.value("refused.in_progress")
    with caplog.at_level(logging.WARNING, logger="papo.security"):
        for _ in range(500):
            connect(g, "192.0.2.1")
        for _ in range(7):
            connect(g, "192.0.2.3")
        assert caplog.records == []  # not one line per refusal
        clock.advance(REPORT_EVERY)
    lines = sorted(r.getMessage() for r in caplog.records)
    assert lines == [
        "refused (refused.in_progress): 500 connections from 192.0.2.1, "
        "which had 1 in progress already",
        "refused (refused.in_progress): 7 connections from 192.0.2.3, "
        "which had 1 in progress already",
    ]
    assert metrics.value("refused.in_progress") == before + 507
    assert g.refused == {} and g._report is None  # the next refusal starts a new second
