"""``papo.accept_gate`` under a real daphne: few connections set up at once.

A gate of 2 connections in progress: sockets that are open but not yet
answered (a widget before its welcome, a TCP connection that has sent
nothing) hold it shut, and a third client waits in the listen queue, unserved,
until one of them is answered, closes, or has taken longer than
``PAPO_HANDSHAKE_SLOW_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from papo.testing.live import start_live, stop_live

GATE_ENV = {"PAPO_HANDSHAKES_IN_PROGRESS": "2", "PAPO_HANDSHAKE_SLOW_SECONDS": "30"}
WAITS = 1.0  # seconds a gated client is watched not getting an answer


@pytest.fixture(scope="module")
def gated():
    live = start_live("embedded", env=GATE_ENV)
    yield live
    stop_live(live)


async def health(server) -> int:
    """GET /healthz on a connection of its own; the HTTP status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


async def silent_connection(server) -> asyncio.StreamWriter:
    """A TCP connection that says nothing: accepted, and never answered."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    return writer


async def held_back(server) -> asyncio.Task:
    """A health check that the gate keeps waiting (checked for ``WAITS`` seconds)."""
    check = asyncio.ensure_future(health(server))
    await asyncio.sleep(WAITS)
    assert not check.done(), "the gate let a third connection in"
    return check


async def test_a_widget_holds_its_place_until_it_is_welcomed(gated):
    """The upgrade's 101 is not the answer; the welcome is."""
    first = await gated.widget()
    second = await gated.widget()
    try:
        check = await held_back(gated.server)
        await first.send({"type": "hello", "v": 1})
        await first.expect("welcome")
        assert await asyncio.wait_for(check, 10) == 200
    finally:
        await first.close()
        await second.close()


async def test_a_connection_that_closes_frees_its_place(gated):
    quiet = [await silent_connection(gated.server) for _ in range(2)]
    try:
        check = await held_back(gated.server)
        quiet[0].close()
        assert await asyncio.wait_for(check, 10) == 200
        # answered connections no longer count: the gate is open again
        assert await asyncio.wait_for(health(gated.server), 10) == 200
    finally:
        for writer in quiet:
            writer.close()


async def test_a_connection_that_never_answers_stops_counting():
    """Two silent clients cannot hold the door shut for longer than the slow limit."""
    live = await asyncio.to_thread(
        start_live, "embedded", env={**GATE_ENV, "PAPO_HANDSHAKE_SLOW_SECONDS": "2"})
    quiet = []
    try:
        quiet = [await silent_connection(live.server) for _ in range(2)]
        check = await held_back(live.server)
        assert await asyncio.wait_for(check, 10) == 200
        assert all(not writer.is_closing() for writer in quiet)  # not dropped, just not counted
    finally:
        for writer in quiet:
            with contextlib.suppress(Exception):
                writer.close()
        await asyncio.to_thread(stop_live, live)
