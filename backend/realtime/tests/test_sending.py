"""realtime.sending: the sends of many sockets, stored together in one hop.

In-process, on the real ORM and the in-memory channel layer: what each sender
is answered, what the database holds, what is published, and that sends
arriving together really go in few batches. The live suites prove the same
over real sockets on both stacks (test_live_concurrency, test_scaleout).
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from bus import groups
from conversations import actions
from conversations.models import Conversation, Message
from papo.errors import PapoError
from realtime import limits, sending
from realtime.visitor_bucket import Allowance

pytestmark = pytest.mark.django_db(transaction=True)
ROOMY = Allowance.of(100, 10)  # a visitor allowance these tests stay well within


@pytest.fixture
def desk(make_site, make_agent, make_visitor):
    """A site, its agent, and twelve visitors each with an open chat (seq 1)."""
    site = make_site()
    agent = make_agent(site, "Ana", max_concurrent=50)
    visitors = [make_visitor(site, name=f"V{i}") for i in range(12)]
    convs = [actions.do_visitor_send(v, f"first-{i}", "hi").conversation
             for i, v in enumerate(visitors)]
    return site, agent, visitors, convs


@pytest.fixture
def batches(monkeypatch):
    """The sizes of the batches ``do_send_many`` is called with (the real one runs)."""
    sizes: list[int] = []
    real = actions.do_send_many

    def spy(sends, **how):
        sizes.append(len(sends))
        return real(sends, **how)

    monkeypatch.setattr(actions, "do_send_many", spy)
    return sizes


async def test_sends_that_arrive_together_are_stored_together(desk, batches):
    site, agent, visitors, convs = desk
    sends = [actions.Send(f"v-{i}", f"visitor {i}", visitor=v, conversation_id=c)
             for i, (v, c) in enumerate(zip(visitors, convs, strict=True))]
    sends += [actions.Send(f"a-{i}", f"agent {i}", agent=agent, conversation_id=c)
              for i, c in enumerate(convs)]
    last = dict(await sync_to_async(lambda: list(
        Conversation.objects.values_list("pk", "last_seq")))())
    outcomes = await asyncio.gather(*(sending.store(s, ROOMY if s.visitor else None)
                                      for s in sends))
    # everything stored, each chat's two new messages at its next two seqs
    assert all(wait is None for wait, _ in outcomes)
    acks = [ack for _, ack in outcomes]
    for conv in convs:
        assert sorted(a.seq for a in acks if a.conversation == conv) == [
            last[conv] + 1, last[conv] + 2]
    assert not any(a.duplicate for a in acks)
    rows = await sync_to_async(lambda: list(Message.objects.filter(
        client_id__regex=r"^[va]-").values_list("conversation_id", "seq", "client_id")))()
    assert sorted(rows) == sorted((a.conversation, a.seq, a.client_id) for a in acks)
    # 24 sends in the same moment: a batch or two, not 24 hops
    assert sum(batches) == 24 and len(batches) <= 2, batches


async def test_each_send_in_a_batch_gets_its_own_answer(desk, batches, make_visitor):
    site, agent, visitors, convs = desk
    newcomer = await sync_to_async(make_visitor)(site, name="New")
    layer = get_channel_layer()
    watcher = await layer.new_channel()
    await layer.group_add(groups.visitor(visitors[0].public_id), watcher)
    sends = [
        actions.Send("ok-1", "fine", visitor=visitors[0], conversation_id=convs[0]),
        actions.Send("bad", "   ", visitor=visitors[1], conversation_id=convs[1]),
        actions.Send("twice", "one", visitor=visitors[2], conversation_id=convs[2]),
        actions.Send("twice", "one", visitor=visitors[2], conversation_id=convs[2]),
        actions.Send("hello", "first message", visitor=newcomer),
        actions.Send("gone", "reply", agent=agent, conversation_id=10**9),
        actions.Send("note", "a note", agent=agent, conversation_id=convs[3], internal="yes"),
        actions.Send("limited", "too much", visitor=visitors[4], conversation_id=convs[4]),
    ]
    spent = Allowance.of(1, 0.001)  # visitor 4 has used up a burst of 1, refilled in 1000 s
    assert await sync_to_async(limits.take_visitor_frames)([(visitors[4].public_id, spent)]) == [
        None]
    caps = [ROOMY, ROOMY, ROOMY, ROOMY, ROOMY, None, None, spent]
    # all in one batch, as if they had arrived in the same moment
    outcomes = await sync_to_async(sending._store)(list(zip(sends, caps, strict=True)))
    assert batches == [7]  # the limited one is not stored at all
    (_, ok), (_, bad), (_, first), (_, again), (_, new), (_, gone), (_, note), limited = outcomes
    assert ok.conversation == convs[0] and not ok.duplicate
    assert isinstance(bad, PapoError) and bad.code == "body_empty"
    assert (again.seq, again.duplicate) == (first.seq, True)
    assert isinstance(new, actions.Ack) and new.seq == 1  # opened a conversation of its own
    assert await sync_to_async(Conversation.objects.filter(visitor=newcomer).count)() == 1
    assert isinstance(gone, PapoError) and gone.code == "not_found"
    assert isinstance(note, PapoError) and note.code == "invalid"
    assert limited[0] is not None and limited[0] > 0 and limited[1] is None
    assert not await sync_to_async(Message.objects.filter(client_id="limited").exists)()
    assert await sync_to_async(Message.objects.filter(client_id="twice").count)() == 1
    # published once committed, as a lone send would be
    event = await asyncio.wait_for(layer.receive(watcher), 2)
    assert event["kind"] == "message" and (event["conv"], event["seq"]) == (convs[0], ok.seq)


async def test_a_failed_batch_fails_each_of_its_senders(desk, monkeypatch):
    site, agent, visitors, convs = desk

    def broken(sends, **how):
        from django.db import OperationalError
        raise OperationalError("the database went away")

    monkeypatch.setattr(actions, "do_send_many", broken)
    results = await asyncio.gather(
        *(sending.store(actions.Send(f"x-{i}", "hi", visitor=v), ROOMY)
          for i, v in enumerate(visitors[:5])), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["OperationalError"] * 5
    # and the next sends, once it is back, are stored
    monkeypatch.undo()
    _, ack = await sending.store(actions.Send("y", "back", visitor=visitors[0]), ROOMY)
    assert ack.conversation == convs[0] and not ack.duplicate


async def test_sends_into_open_chats_are_stored_on_the_event_loop_the_rest_in_a_hop(
        desk, make_visitor, monkeypatch, settings):
    """On SQLite with ``PAPO_DB_ON_LOOP`` the common sends need no hop (``bus.db.here``):
    stored on the loop's thread, published, answered; a first message still hops."""
    settings.PAPO = {**settings.PAPO, "DB_ON_LOOP": True}
    site, agent, visitors, convs = desk
    newcomer = await sync_to_async(make_visitor)(site, name="New")
    calls: list[tuple[bool, bool, list[str]]] = []  # (fast only, on the loop, client ids)
    real = actions.do_send_many
    loop_thread = threading.get_ident()

    def spy(sends, **how):
        calls.append((how.get("fast_only", False), threading.get_ident() == loop_thread,
                      [s.client_id for s in sends]))
        return real(sends, **how)

    monkeypatch.setattr(actions, "do_send_many", spy)
    layer = get_channel_layer()
    watcher = await layer.new_channel()
    await layer.group_add(groups.visitor(visitors[0].public_id), watcher)
    open_chat = actions.Send("loop", "on the loop", visitor=visitors[0], conversation_id=convs[0])
    first = actions.Send("hop", "a first message", visitor=newcomer)
    (_, stored), (_, opened) = await asyncio.gather(sending.store(open_chat, ROOMY),
                                                   sending.store(first, ROOMY))
    assert calls == [(True, True, ["loop", "hop"]), (False, False, ["hop"])]
    assert stored.conversation == convs[0] and not stored.duplicate
    assert opened.seq == 1 and opened.conversation not in convs
    rows = await sync_to_async(lambda: sorted(Message.objects.filter(
        client_id__in=["loop", "hop"]).values_list("client_id", "conversation_id", "seq")))()
    assert rows == [("hop", opened.conversation, 1), ("loop", convs[0], stored.seq)]
    event = await asyncio.wait_for(layer.receive(watcher), 2)
    assert (event["kind"], event["conv"], event["seq"]) == ("message", convs[0], stored.seq)
