"""``bus.events.publish_soon``: under the event loop, once per key for a burst of
commits, always after the last of them; in sync code, at once; never before commit."""

from __future__ import annotations

import asyncio

import pytest
from django.db import transaction

from bus import events

pytestmark = pytest.mark.django_db(transaction=True)


def asks(key: str, make) -> None:
    """An action whose transaction asks for ``make`` to run soon."""
    with transaction.atomic():
        events.publish_soon(key, make)


WINDOW = 2.0  # wide enough that five database hops never outlast it


async def test_a_burst_runs_once_after_its_last_request_and_a_later_one_again(monkeypatch):
    monkeypatch.setattr(events, "COALESCE_SECONDS", WINDOW)
    runs: list[str] = []
    state = {"line": 0}

    def tell() -> None:
        runs.append(f"line {state['line']}")

    for n in range(1, 6):  # five moves in a row
        state["line"] = n
        await events.run(asks, "queue:1", tell)
    assert runs == []  # not yet: the window is open
    await asyncio.sleep(WINDOW + 0.3)
    assert runs == ["line 5"]  # once, reading the state after the last move
    # another key is its own; a request after the run gets a run of its own
    await events.run(asks, "queue:2", lambda: runs.append("other site"))
    state["line"] = 6
    await events.run(asks, "queue:1", tell)
    await asyncio.sleep(WINDOW + 0.3)
    assert sorted(runs[1:]) == ["line 6", "other site"]


async def test_a_rolled_back_request_runs_nothing():
    runs: list[str] = []

    def fails() -> None:
        with transaction.atomic():
            events.publish_soon("queue:3", lambda: runs.append("ran"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await events.run(fails)
    await asyncio.sleep(events.COALESCE_SECONDS + 0.2)
    assert runs == []


def test_in_sync_code_it_runs_at_once_after_commit():
    runs: list[str] = []
    with transaction.atomic():
        events.publish_soon("queue:4", lambda: runs.append("ran"))
        assert runs == []  # not before commit
    assert runs == ["ran"]
