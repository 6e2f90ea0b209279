"""Publishing events: after commit, onto the channel layer.

Actions call :func:`publish` inside their transaction; nothing leaves before
the transaction commits, so no client ever hears of a row that was rolled
back. The frame is serialised once here and forwarded as text by every
consumer in the group.

Consumers run actions through :func:`run`: the action's database work happens
in one hop to the database thread pool (one transaction, ``bus.db``), its events are
collected instead of being sent from the worker thread, and then sent from
the event loop. Sync callers (HTTP views, admin, commands) have no collector,
so their events are sent straight after commit.

Some events are worth sending once for many changes: a queue that moved ten
times in a second needs its positions told once. :func:`publish_soon` takes a
key and a function that reads the state then and publishes it: under the event
loop it runs once per key per ``COALESCE_SECONDS`` (however many commits asked
in between, and always after the last of them); in sync code, at once.

A publish that fails (Redis unreachable) never undoes or hides a commit: it
is counted (``publish.failed``, and in the outage's report: ``bus.outage``)
and the caller still gets its result, so a stored message is acknowledged.
The database is the truth; receivers catch up by seq (a gap fill, or a
resume after the layer reconnects and their sockets are closed with 4012:
``bus.layers``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import db, metrics, outage
from .db import in_db

log = logging.getLogger("papo.realtime")

T = TypeVar("T")
Event = tuple[str, dict]

_collector: ContextVar[list[Event] | None] = ContextVar("papo_event_collector", default=None)
# publish_soon's requests of one hop, by key (only under ``run``)
_soon: ContextVar[dict[str, Callable[[], None]] | None] = ContextVar("papo_soon", default=None)

COALESCE_SECONDS = 0.25
# Per event loop, the keys whose run is due (a loop that closes takes its own along).
_scheduled: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, set[str]] = (
    weakref.WeakKeyDictionary())
_running: set[asyncio.Future] = set()


def dumps(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def event(group: str, frame: dict, *, site: int, conversation: int | None = None,
          seq: int | None = None, skip: str | None = None, assignee: int | None = None,
          prev: int | None = None, last_seq: int | None = None) -> dict:
    """A channel-layer message carrying one protocol frame for ``group``, serialised once.

    The metadata is what each receiving socket decides by (``realtime.delivery``),
    without parsing the frame:

    - ``site`` and ``group``: whom it is for. A socket forwards an event only if it
      may see that site and is still a member of that group when the event goes
      out: no event type is exempt (typing, read, presence included).
    - ``conv``/``seq``: to drop what a socket already sent and fill gaps; ``prev``
      is the previous seq this audience can see (a widget skips internal notes' seqs).
    - ``skip``: a channel that must not get it (the sender's own).
    - ``assignee`` and ``last_seq`` (conversation events): whose chat it now is, and
      the seq its new assignee's stream starts after.
    """
    return {
        "type": "papo.event",
        "text": dumps(frame),
        "kind": frame["type"],
        "group": group,
        "site": site,
        "conv": conversation,
        "seq": seq,
        "skip": skip,
        "assignee": assignee,
        "prev": prev,
        "last_seq": last_seq,
    }


def publish(group: str, frame: dict, *, site: int, **meta: Any) -> None:
    """Send ``frame`` to ``group`` once the current transaction commits."""
    publish_raw(group, event(group, frame, site=site, **meta))


async def send_now(group: str, frame: dict, *, site: int, **meta: Any) -> None:
    """Send an event that stores nothing (typing) at once, from the event loop."""
    await send_all([(group, event(group, frame, site=site, **meta))])


def publish_raw(group: str, message: dict) -> None:
    """Send a channel-layer ``message`` of any type (not a client frame) to
    ``group`` once the current transaction commits, on the same path as events."""
    transaction.on_commit(partial(_dispatch, group, message))


def _dispatch(group: str, event: dict) -> None:
    collected = _collector.get()
    if collected is not None:
        collected.append((group, event))
        return
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception as exc:
        _not_published(group, event, exc)
    else:
        outage.REDIS.ok()


def _not_published(group: str, event: dict, exc: Exception) -> None:
    """Counted, and reported once per outage; an error that is no outage is a bug."""
    metrics.count("publish.failed")
    detail = (f"event {event.get('kind')} (conversation {event.get('conv')}, "
              f"seq {event.get('seq')}) for {group}")
    if not outage.failed(exc, "events not published", detail=detail):
        log.warning("%s not published", detail, exc_info=exc)


def publish_soon(key: str, make: Callable[[], None]) -> None:
    """After commit, ``make()`` reads what is current and publishes it: soon and once
    per ``key`` under a socket's event loop, at once in sync code (see above)."""
    transaction.on_commit(partial(_soon_after_commit, key, make))


def _soon_after_commit(key: str, make: Callable[[], None]) -> None:
    pending = _soon.get()
    if pending is not None:
        pending.setdefault(key, make)
        return
    _make_now(make)


def _make_now(make: Callable[[], None]) -> None:
    """A sync caller's ``publish_soon``: now; a failure is counted, never raised into
    the commit that asked for it."""
    try:
        make()
    except Exception as exc:
        if not outage.failed(exc, "events not published", detail=getattr(make, "__name__", "")):
            log.warning("publish_soon %r failed", make, exc_info=exc)


def _collecting(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, list[Event]]:
    """``fn``'s result and the events it published (``publish_soon`` ones included:
    here they run at once, as in sync code)."""
    token = _collector.set([])
    try:
        result = fn(*args, **kwargs)
        return result, _collector.get() or []
    except Exception as exc:
        # What committed before the failure must still be heard of.
        exc.papo_events = _collector.get() or []  # type: ignore[attr-defined]
        raise
    finally:
        _collector.reset(token)


def _collecting_all(fn: Callable[..., T], *args: Any,
                    **kwargs: Any) -> tuple[T, list[Event], dict[str, Callable[[], None]]]:
    """:func:`_collecting`, with ``publish_soon``'s requests kept for the event loop."""
    token = _soon.set({})
    try:
        result, evs = _collecting(fn, *args, **kwargs)
        return result, evs, _soon.get() or {}
    except Exception as exc:
        exc.papo_soon = _soon.get() or {}  # type: ignore[attr-defined]
        raise
    finally:
        _soon.reset(token)


def _later(soon: dict[str, Callable[[], None]]) -> None:
    """Run each requested ``make`` once, ``COALESCE_SECONDS`` from the first request
    of its key: later requests before then are answered by that run."""
    if not soon:
        return
    loop = asyncio.get_running_loop()
    due = _scheduled.setdefault(loop, set())
    for key, make in soon.items():
        if key not in due:
            due.add(key)
            loop.call_later(COALESCE_SECONDS, _start_soon, due, key, make)


def _start_soon(due: set[str], key: str, make: Callable[[], None]) -> None:
    due.discard(key)  # a request from now on needs a run of its own
    task = asyncio.ensure_future(_run_soon(make))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _run_soon(make: Callable[[], None]) -> None:
    try:
        await run(make)
    except Exception as exc:
        if not outage.failed(exc, "events not published", detail=getattr(make, "__name__", "")):
            log.warning("publish_soon %r failed", make, exc_info=exc)


async def send_all(events: list[Event]) -> None:
    """Publish committed events; one that cannot be published is logged, not raised.

    A layer with ``group_send_many`` (the Redis pub/sub one) gets them all at once,
    in one round trip instead of one per event; a message has two (widget, console).
    """
    layer = get_channel_layer()
    many = getattr(layer, "group_send_many", None)
    if many is not None and len(events) > 1:
        try:
            await many(events)
        except Exception as exc:  # at-most-once: receivers heal from the database
            for group, event in events:
                _not_published(group, event, exc)
        else:
            outage.REDIS.ok()
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception as exc:
            _not_published(group, event, exc)
        else:
            outage.REDIS.ok()


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a sync action in one thread hop, then publish what it produced."""
    return await _publishing(in_db(_collecting_all)(fn, *args, **kwargs))


async def run_here(fn: Callable[..., T], *args: Any) -> T:
    """:func:`run` without the hop: ``fn`` (one transaction) on the event loop's own
    connection (``bus.db.here``), then its events published. Raises ``db.Busy``, having
    done nothing, when it must run in a hop instead."""
    return await _publishing(_here(fn, *args))


async def _here(fn: Callable[..., T], *args: Any) -> tuple[
        T, list[Event], dict[str, Callable[[], None]]]:
    return db.here(_collecting_all, fn, *args)


async def _publishing(call: Awaitable[tuple[T, list[Event], dict[str, Callable[[], None]]]]
                      ) -> T:
    """An action's result, once what it committed has been published (also when it
    failed after committing some of it)."""
    try:
        result, events, soon = await call
    except Exception as exc:
        await send_all(getattr(exc, "papo_events", []))
        _later(getattr(exc, "papo_soon", {}))
        raise
    if events:
        await send_all(events)
    _later(soon)
    return result
