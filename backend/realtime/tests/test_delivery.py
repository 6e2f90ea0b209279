"""``realtime.delivery.Stream`` without a socket: what one socket sends, and in what order.

A fake database (numbered messages per conversation, some of them internal
notes a widget never sees) feeds a Stream whose ``load`` and gap wait are
futures the test resolves when it likes, so any interleaving of live events,
lost events, slow fills, pages of history and reconnects can be played. The
hypothesis machine plays random ones and checks, after every step, what the
person at the other end would notice: no message twice, none out of order, and
none sent while an earlier one they may see is still missing.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from realtime.delivery import Stream


# --- a database, a channel layer and a client, in memory ---------------------------------------
class World:
    """Conversations (lists of (seq, internal)) and the events published for them."""

    def __init__(self, *, widget: bool) -> None:
        self.widget = widget  # the widget's audience: notes are never sent, ``prev`` skips them
        self.rows: dict[int, list[tuple[int, bool]]] = {}

    def commit(self, conv: int, internal: bool = False) -> dict | None:
        """Store the next message; returns the event published for this audience (None
        for a note on the widget's side: it is never published to a widget)."""
        rows = self.rows.setdefault(conv, [])
        seq = len(rows) + 1
        prev = self.visible_before(conv, seq)
        rows.append((seq, internal and self.widget))
        if internal and self.widget:
            return None
        return message_event(conv, seq, prev if self.widget else None)

    def visible(self, conv: int) -> list[int]:
        return [seq for seq, hidden in self.rows.get(conv, []) if not hidden]

    def visible_before(self, conv: int, seq: int) -> int:
        return max([0, *(s for s in self.visible(conv) if s < seq)])

    def last(self, conv: int) -> int:
        return len(self.rows.get(conv, []))

    def between(self, conv: int, after: int, before: int | None) -> list[tuple[int, str]]:
        return [(s, frame_text(conv, s)) for s in self.visible(conv)
                if after < s and (before is None or s < before)]


def frame_text(conv: int, seq: int) -> str:
    return json.dumps({"type": "message", "message": {"conversation": conv, "seq": seq}})


def message_event(conv: int, seq: int, prev: int | None = None, **extra) -> dict:
    return {"type": "papo.event", "text": frame_text(conv, seq), "kind": "message",
            "conv": conv, "seq": seq, "prev": prev, "site": 1, "group": "g", **extra}


def other_event(conv: int | None, kind: str = "typing") -> dict:
    return {"type": "papo.event", "text": json.dumps({"type": kind, "conversation": conv}),
            "kind": kind, "conv": conv, "seq": None, "site": 1, "group": "g"}


class Harness:
    """A Stream wired to a World, with its waits and reads under the test's control."""

    def __init__(self, world: World, loop: asyncio.AbstractEventLoop, **kwargs) -> None:
        self.world, self.loop = world, loop
        self.out: list[dict] = []  # frames the socket sent, parsed
        self.loads: list[tuple[int, int, int, asyncio.Future]] = []  # pending reads
        self.sleeps: list[asyncio.Future] = []
        self.checked = 0  # frames of ``out`` the client has read
        self.most_reading: dict[int, int] = {}  # per conversation, the most reads at once
        self.allowed = True
        self.stream = Stream(send=self._send, load=self._load, authorise=lambda e: self.allowed,
                             sleep=self._sleep, **kwargs)

    async def _send(self, text: str) -> None:
        self.out.append(json.loads(text))

    async def _sleep(self, seconds: float) -> None:
        future = self.loop.create_future()
        self.sleeps.append(future)
        await future

    async def _load(self, conv: int, after: int, before: int | None):
        future = self.loop.create_future()
        self.loads.append((conv, after, before, future))
        at_once = sum(1 for c, *_ in self.loads if c == conv)
        self.most_reading[conv] = max(self.most_reading.get(conv, 0), at_once)
        return await future

    def settle(self) -> None:
        for _ in range(30):
            self.loop.run_until_complete(asyncio.sleep(0))

    def run(self, coro) -> None:
        self.loop.run_until_complete(coro)
        self.settle()

    def tick(self) -> None:
        """Every gap wait under way ends."""
        sleeps, self.sleeps = self.sleeps, []
        for f in sleeps:
            if not f.done():
                f.set_result(None)
        self.settle()

    def finish_load(self, i: int = 0, *, fail: bool = False) -> None:
        conv, after, before, future = self.loads.pop(i)
        if not future.done():
            future.set_result(None if fail else self.world.between(conv, after, before))
        self.settle()

    def sent(self, conv: int) -> list[int]:
        return [f["message"]["seq"] for f in self.out
                if f["type"] == "message" and f["message"]["conversation"] == conv]


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()


# --- examples of each rule -----------------------------------------------------------------------
def test_in_order_events_go_out_at_once_and_repeats_are_dropped(loop):
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    events = [world.commit(1) for _ in range(3)]
    for e in [*events, events[1]]:
        h.run(h.stream.deliver(e))
    assert h.sent(1) == [1, 2, 3]
    assert not h.loads and not h.sleeps


def test_crossing_events_are_reordered_without_reading_the_database(loop):
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    e1, e2, e3 = (world.commit(1) for _ in range(3))
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))  # ahead of e2: waits
    h.run(h.stream.deliver(other_event(1)))  # stays after e3
    assert h.sent(1) == [1] and h.sleeps
    h.run(h.stream.deliver(e2))
    h.tick()
    assert h.sent(1) == [1, 2, 3] and not h.loads
    assert h.out[-1]["type"] == "typing"


def test_a_lost_event_is_read_from_the_database_and_sent_first(loop):
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    e1, _lost, e3 = (world.commit(1) for _ in range(3))
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))
    h.tick()
    assert [(c, a, b) for c, a, b, _ in h.loads] == [(1, 1, 3)]
    h.finish_load()
    assert h.sent(1) == [1, 2, 3]


def test_one_fill_per_conversation_at_a_time_and_no_row_sent_twice(loop):
    """The fault suite's failure: two fills of one chat overlapped and the socket
    sent seqs 28-34 again after 34."""
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    events = [world.commit(1) for _ in range(40)]
    for e in events[:27]:
        h.run(h.stream.deliver(e))
    h.run(h.stream.deliver(events[34]))  # 28..34 lost: a fill
    h.tick()
    for e in events[36:]:  # more arrive, with a second gap, while the first fill is slow
        h.run(h.stream.deliver(e))
        h.tick()
    assert len(h.loads) == 1
    h.finish_load()
    h.tick()
    while h.loads:
        h.finish_load()
        h.tick()
    assert h.sent(1) == list(range(1, 41))
    assert h.most_reading[1] == 1


def test_rows_read_during_a_page_are_not_sent_again(loop):
    """A fill is slow; meanwhile a page of the same chat goes out: the fill's rows
    that the page held are dropped when the read comes back."""
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    e1, _lost, e3, e4 = (world.commit(1) for _ in range(4))
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))
    h.tick()
    assert len(h.loads) == 1
    h.stream.hold(1)
    h.stream.track(1, 4)  # the page held 1..4
    h.run(h.stream.release(1))
    h.finish_load()
    h.run(h.stream.deliver(e4))
    assert h.sent(1) == [1]


def test_widget_gaps_skip_notes(loop):
    """A note takes a seq the widget never gets: no gap, no fill."""
    world = World(widget=True)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    e1 = world.commit(1)
    assert world.commit(1, internal=True) is None
    e3 = world.commit(1)
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))
    assert h.sent(1) == [1, 3] and not h.sleeps and not h.loads


def test_a_page_holds_live_events_and_they_go_out_after_it_minus_what_it_held(loop):
    world = World(widget=False)
    h = Harness(world, loop)
    h.run(h.stream.start())
    for _ in range(5):
        world.commit(7)
    h.stream.hold(7)
    e6, e7 = world.commit(7), world.commit(7)
    h.run(h.stream.deliver(e6))
    assert h.sent(7) == []  # held
    h.stream.track(7, 6)  # the page read 1..6
    h.run(h.stream.deliver(e7))
    h.run(h.stream.release(7))
    assert h.sent(7) == [7]


def test_a_refused_page_discards_what_it_held(loop):
    world = World(widget=False)
    h = Harness(world, loop)
    h.run(h.stream.start())
    h.stream.hold(9)
    h.run(h.stream.deliver(world.commit(9)))
    h.run(h.stream.deliver(other_event(9)))
    h.run(h.stream.release(9, discard=True))
    assert h.out == []


def test_an_event_goes_out_only_if_allowed_when_it_goes(loop):
    """Authorised at delivery: allowed when it arrived, forbidden by the time its
    gap was filled, it is not sent."""
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    e1, _lost, e3 = (world.commit(1) for _ in range(3))
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))
    h.tick()
    h.allowed = False
    h.finish_load(fail=True)  # a socket that may no longer see the chat reads nothing
    assert h.sent(1) == [1]
    h.run(h.stream.deliver(other_event(None, "presence")))
    assert [f["type"] for f in h.out] == ["message"]


def conversation_event(conv: int, event: str, last_seq: int, assignee: int | None) -> dict:
    return {"type": "papo.event", "kind": "conversation", "conv": conv, "seq": None,
            "last_seq": last_seq, "assignee": assignee, "site": 1, "group": "g",
            "text": json.dumps({"type": "conversation", "event": event,
                                "conversation": {"id": conv, "last_seq": last_seq}})}


def test_a_crossed_older_state_of_a_conversation_is_dropped(loop):
    """``created`` (published by the process that stored the first message) arriving
    after ``assigned`` (published by another process's routing): neither the client
    nor the socket's own bookkeeping (``observe``: a console follows assignment) hear
    of the older state; a state as new or newer goes out."""
    observed = []

    async def observe(event):
        observed.append(event["text"])

    world = World(widget=False)
    h = Harness(world, loop, observe=observe)
    h.run(h.stream.start())
    assigned = conversation_event(7, "assigned", 2, assignee=5)
    created = conversation_event(7, "created", 1, assignee=None)
    tagged = conversation_event(7, "tagged", 2, assignee=5)
    resolved = conversation_event(7, "resolved", 3, assignee=None)
    for e in (assigned, created, tagged, created, resolved, tagged):
        h.run(h.stream.deliver(e))
    assert [f["event"] for f in h.out] == ["assigned", "tagged", "resolved"]
    assert observed == [assigned["text"], tagged["text"], resolved["text"]]
    # another conversation's states are its own
    h.run(h.stream.deliver(conversation_event(8, "created", 1, assignee=None)))
    assert h.out[-1]["conversation"]["id"] == 8


def test_a_chat_followed_on_assignment_gets_what_was_published_before_the_join(loop):
    """A console joins a chat's group only as it hears the assignment; a message
    published between the assignment's commit and the join never reaches it live.
    When ``observe`` says the socket has just started to follow, the stream reads
    what came after the assignment's ``last_seq``, once, after the assignment goes
    out; a live message heard during that read is not sent twice."""
    world = World(widget=False)

    async def observe(event):
        if event["kind"] == "conversation":
            h.stream.track(event["conv"], event["last_seq"])
            return True
        return None

    h = Harness(world, loop, observe=observe)
    h.run(h.stream.start())
    world.commit(7)  # seq 1: the visitor's first message, then the assignment
    assigned = conversation_event(7, "assigned", 1, assignee=5)
    world.commit(7)  # seq 2: published before this socket joined: never heard
    h.run(h.stream.deliver(assigned))
    assert [f["type"] for f in h.out] == ["conversation"]  # the assignment first
    assert [(c, a, b) for c, a, b, _ in h.loads] == [(7, 1, None)]
    h.run(h.stream.deliver(world.commit(7)))  # seq 3, live, while the read is under way
    h.run(h.stream.deliver(message_event(8, 1)))  # another chat is not held up
    assert h.sent(8) == [1]
    h.finish_load()
    assert h.sent(7) == [2, 3]
    h.run(h.stream.deliver(world.commit(7)))
    assert h.sent(7) == [2, 3, 4]
    assert not h.loads


def test_behind_drops_live_messages_until_the_client_caught_up(loop):
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    h.run(h.stream.start())
    for _ in range(10):
        world.commit(1)
    h.stream.fall_behind(1, 4)  # a page 1..4, more after
    h.run(h.stream.deliver(world.commit(1)))  # 11: the client's next pages read it
    assert h.out == [] and not h.loads
    h.stream.hold(1)
    h.stream.track(1, 11)  # the last page
    h.run(h.stream.deliver(world.commit(1)))
    h.run(h.stream.release(1))
    assert h.sent(1) == [12]


def test_previews_of_untracked_conversations_are_not_filled(loop):
    world = World(widget=False)
    h = Harness(world, loop)  # a console: nothing tracked
    h.run(h.stream.start())
    e1, _lost, e3 = (world.commit(5) for _ in range(3))
    h.run(h.stream.deliver(e1))
    h.run(h.stream.deliver(e3))
    assert h.sent(5) == [1, 3] and not h.loads and not h.sleeps
    h.stream.track(5, 3)
    h.run(h.stream.deliver(world.commit(5)))
    assert h.sent(5) == [1, 3, 4]


def test_events_before_the_welcome_wait_for_it(loop):
    world = World(widget=False)
    h = Harness(world, loop, track_all=True)
    early = [world.commit(1) for _ in range(3)]
    for e in early:
        h.run(h.stream.deliver(e))
    assert h.out == []
    h.stream.track(1, 2)  # the welcome held 1..2
    h.run(h.stream.start())
    assert h.sent(1) == [3]


# --- every interleaving ---------------------------------------------------------------------------
CONVS = (1, 2)
PAGE = 3  # rows per forward page: small, so "more after" happens often


class Delivery(RuleBasedStateMachine):
    """Random interleavings of commits, crossing and lost events, slow or failing
    fills, pages of history and reconnects, for a widget (notes hidden, every
    conversation its own) or a console (conversations it opened)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.world: World | None = None
        self.h: Harness | None = None
        self.flying: list[dict] = []  # published, not delivered yet
        self.has: dict[int, set[int]] = {c: set() for c in CONVS}  # what the client holds
        self.paging: dict[int, int] = {}  # conversation -> page being read (its start)
        self.heard: dict[int, int] = {c: 0 for c in CONVS}  # highest seq delivered live

    def teardown(self) -> None:
        if self.h is not None:
            self.h.stream.close()
            self.h.settle()
        self.loop.close()

    @precondition(lambda self: self.h is None)
    @rule(widget=st.booleans())
    def connect(self, widget: bool) -> None:
        self.world = World(widget=widget)
        self.widget = widget
        self.h = Harness(self.world, self.loop, track_all=widget)
        self.h.run(self.h.stream.start())
        if not widget:
            for conv in CONVS:  # a console opened both, before anything was said
                self.h.stream.track(conv, 0)

    # --- the server side ---
    @precondition(lambda self: self.h is not None)
    @rule(conv=st.sampled_from(CONVS), internal=st.booleans())
    def commit(self, conv: int, internal: bool) -> None:
        event = self.world.commit(conv, internal)
        if event is not None:
            self.flying.append(event)

    @precondition(lambda self: self.h is not None and self.flying)
    @rule(data=st.data())
    def deliver(self, data) -> None:
        event = self.flying.pop(data.draw(st.integers(0, len(self.flying) - 1)))
        self.heard[event["conv"]] = max(self.heard[event["conv"]], event["seq"])
        self.h.run(self.h.stream.deliver(event))

    @precondition(lambda self: self.h is not None and self.flying)
    @rule(data=st.data())
    def lose(self, data) -> None:
        self.flying.pop(data.draw(st.integers(0, len(self.flying) - 1)))

    @precondition(lambda self: self.h is not None and self.h.sleeps)
    @rule()
    def gap_wait_ends(self) -> None:
        self.h.tick()

    @precondition(lambda self: self.h is not None and self.h.loads)
    @rule(data=st.data())
    def a_read_finishes(self, data) -> None:
        self.h.finish_load(data.draw(st.integers(0, len(self.h.loads) - 1)))

    # --- the client side ---
    @precondition(lambda self: self.h is not None)
    @rule(conv=st.sampled_from(CONVS))
    def page_starts(self, conv: int) -> None:
        """The client asks for what follows its last contiguous seq."""
        if conv in self.paging:
            return
        self.h.stream.hold(conv)
        self.paging[conv] = self.contiguous(conv)

    @precondition(lambda self: self.h is not None and self.paging)
    @rule(data=st.data())
    def page_arrives(self, data) -> None:
        conv = data.draw(st.sampled_from(sorted(self.paging)))
        after = self.paging.pop(conv)
        rows = [s for s in self.world.visible(conv) if s > after]
        page, more = rows[:PAGE], len(rows) > PAGE
        self.has[conv].update(page)
        if more:
            self.h.stream.fall_behind(conv, page[-1])
        else:
            self.h.stream.track(conv, max([self.world.last(conv), *page]))
        self.h.run(self.h.stream.release(conv))

    @precondition(lambda self: self.h is not None)
    @rule()
    def reconnect(self) -> None:
        """The socket drops (its events and reads are lost); a new one is welcomed and
        the client pages from its last contiguous seq of each conversation."""
        self.h.stream.close()
        self.h.settle()
        self.flying.clear()
        self.paging.clear()
        self.heard = {c: 0 for c in CONVS}
        self.h = Harness(self.world, self.loop, track_all=self.widget)
        for conv in CONVS:
            self.h.stream.hold(conv)
            self.paging[conv] = self.contiguous(conv)
        self.h.run(self.h.stream.start())

    # --- what the person sees ---
    def contiguous(self, conv: int) -> int:
        last = 0
        for seq in self.world.visible(conv):
            if seq not in self.has[conv]:
                break
            last = seq
        return last

    def absorb(self) -> None:
        """The client reads what the socket sent since last time, checking each
        message as it comes: never twice, never before an earlier one it may see."""
        h = self.h
        for frame in h.out[h.checked:]:
            if frame["type"] != "message":
                continue
            conv, seq = frame["message"]["conversation"], frame["message"]["seq"]
            assert seq not in self.has[conv], f"conversation {conv}: {seq} sent twice"
            missing = [s for s in self.world.visible(conv) if s < seq and s not in self.has[conv]]
            assert not missing, f"conversation {conv}: {seq} sent before {missing}"
            self.has[conv].add(seq)
        h.checked = len(h.out)

    @invariant()
    def sent_in_order_once_and_without_a_gap(self) -> None:
        if self.h is None:
            return
        self.absorb()
        for conv in CONVS:
            seqs = self.h.sent(conv)
            assert seqs == sorted(set(seqs)), f"out of order or twice: {seqs}"

    @invariant()
    def quiet_means_complete(self) -> None:
        """With nothing in flight, waiting or being read, the client holds every
        message up to the newest one the socket heard of, unless a page is due."""
        h = self.h
        if h is None:
            return
        self.absorb()
        if self.flying or h.sleeps or h.loads or self.paging:
            return
        for conv in CONVS:
            if conv in h.stream.behind:
                continue
            top = self.heard[conv]
            missing = [s for s in self.world.visible(conv) if s <= top and s not in self.has[conv]]
            assert not missing, f"conversation {conv}: never sent {missing}"


Delivery.TestCase.settings = settings(
    max_examples=500, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_every_interleaving = Delivery.TestCase
