"""Concurrent writers over real sockets, on both stacks: seq and conversations stay whole."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import pytest

from papo.testing.client import client_id

pytestmark = pytest.mark.live


async def test_concurrent_senders_get_gapless_unique_seqs(live_papo):
    team = live_papo.team("ana", "bruno")
    ana = await live_papo.console(team.agents["ana"])
    bruno = await live_papo.console(team.agents["bruno"])
    tab1, welcome = await live_papo.visitor(team.site_key)
    first = await tab1.request({"type": "send", "client_id": client_id(), "body": "start"})
    conv = first["conversation"]
    tab2, _ = await live_papo.visitor(team.site_key, token=welcome["token"])
    opened = await bruno.request({"type": "open", "conversation": conv})
    assert opened["conversation"]["assignee"]["id"] == team.agents["ana"]["id"]

    async def burst(peer, frame, n):
        return [await peer.request({**frame, "client_id": client_id(), "body": f"m{i}"})
                for i in range(n)]

    results = await asyncio.gather(
        burst(tab1, {"type": "send"}, 8),
        burst(tab2, {"type": "send"}, 8),
        burst(ana, {"type": "send", "conversation": conv}, 8),
        # Bruno may not answer Ana's visitor; his notes share the counter all the same.
        burst(bruno, {"type": "send", "conversation": conv, "internal": True}, 8),
    )
    acks = [a for batch in results for a in batch]
    assert all(a["type"] == "ack" for a in acks), [a for a in acks if a["type"] != "ack"]
    seqs = sorted(a["seq"] for a in acks)
    assert len(set(seqs)) == 32
    history = await ana.request({"type": "open", "conversation": conv, "after_seq": 0,
                                 "limit": 200})
    stored = [m["seq"] for m in history["messages"]]
    assert stored == list(range(1, len(stored) + 1))  # no gap, no duplicate
    assert set(seqs) <= set(stored)
    for peer in (ana, bruno, tab1, tab2):
        await peer.close()


async def test_one_client_id_sent_from_two_tabs_at_once_is_stored_once(live_papo):
    """Resends race (an outbox in two tabs): whether the two land in one group
    commit, in two, or collide on the unique constraint, both get the same ack."""
    tab1, welcome = await live_papo.visitor()
    await tab1.request({"type": "send", "client_id": client_id(), "body": "start"})
    tab2, _ = await live_papo.visitor(token=welcome["token"])
    sent = []
    for i in range(6):  # within the per-socket frame allowance
        cid = client_id()
        frame = {"type": "send", "client_id": cid, "body": f"twice {i}"}
        a, b = await asyncio.gather(tab1.request(frame), tab2.request(frame))
        assert a["type"] == b["type"] == "ack", (a, b)
        assert a["seq"] == b["seq"] and sorted([a["duplicate"], b["duplicate"]]) == [False, True]
        sent.append(a["seq"])
    history = await tab1.request({"type": "history", "limit": 100})
    bodies = [m["body"] for m in history["messages"]]
    assert bodies == ["start"] + [f"twice {i}" for i in range(6)]
    assert [m["seq"] for m in history["messages"]][1:] == sent
    await tab1.close()
    await tab2.close()


async def test_two_tabs_racing_open_one_conversation(live_papo):
    tab1, welcome = await live_papo.visitor()
    tab2, _ = await live_papo.visitor(token=welcome["token"])
    a, b = await asyncio.gather(
        tab1.request({"type": "send", "client_id": client_id(), "body": "tab one"}),
        tab2.request({"type": "send", "client_id": client_id(), "body": "tab two"}),
    )
    assert a["type"] == b["type"] == "ack"
    assert a["conversation"] == b["conversation"]
    assert {a["seq"], b["seq"]} == {1, 2}
    await tab1.close()
    await tab2.close()


@pytest.mark.security
async def test_identity_verification_links_devices_and_refuses_forgery(live_papo):
    site = live_papo.new_site("Verified", verified_only=True)

    def user_hash(user_id):
        return hmac.new(site["secret"].encode(), user_id.encode(), hashlib.sha256).hexdigest()

    async def hello(identify=None):
        peer = await live_papo.widget(site["key"])
        await peer.send({"type": "hello", "v": 1, **({"identify": identify} if identify else {})})
        return peer

    # anonymous visitors are refused on a verified-only site
    anon = await hello()
    assert (await anon.expect("error"))["code"] == "identity_required"
    assert await anon.closed() == 4403
    # a forged hash is refused
    forged = await hello({"user_id": "u-1", "user_hash": user_hash("u-2")})
    assert (await forged.expect("error"))["code"] == "identity_invalid"
    assert await forged.closed() == 4403
    # the real one: verified, and the same visitor (and chat) on a second device
    laptop = await hello({"user_id": "u-1", "user_hash": user_hash("u-1"), "name": "Rita"})
    w1 = await laptop.expect("welcome")
    assert w1["visitor"]["verified"] is True and w1["visitor"]["name"] == "Rita"
    ack = await laptop.request({"type": "send", "client_id": client_id(), "body": "from laptop"})
    phone = await hello({"user_id": "u-1", "user_hash": user_hash("u-1").upper()})
    w2 = await phone.expect("welcome")
    assert w2["visitor"]["id"] == w1["visitor"]["id"]
    assert w2["conversation"]["id"] == ack["conversation"]
    assert [m["body"] for m in w2["messages"]] == ["from laptop"]
    await laptop.close()
    await phone.close()


async def test_a_console_resuming_many_chats_keeps_each_chats_order(live_papo):
    """A console back after a drop resumes its chats (``open`` each) and resends its
    replies at once. Opens and sends of different chats are handled side by side;
    within a chat a send still waits for the history before it, and any other
    frame waits for all of them."""
    team = live_papo.team("ana", max_concurrent=10)
    ana = await live_papo.console(team.agents["ana"])
    chats = {}
    for i in range(4):
        tab, _ = await live_papo.visitor(team.site_key)
        acks = [await tab.request({"type": "send", "client_id": client_id(), "body": f"v{i}-{n}"})
                for n in range(3)]
        chats[acks[0]["conversation"]] = acks[-1]["seq"]
        await tab.close()
    await ana.close()

    back = await live_papo.console(team.agents["ana"])
    for conv in chats:
        await back.send({"type": "open", "ref": f"o{conv}", "conversation": conv,
                         "after_seq": 0, "limit": 50})
        await back.send({"type": "send", "ref": f"s{conv}", "conversation": conv,
                         "client_id": client_id(), "body": "sorry, I was away"})
    await back.send({"type": "list", "ref": "L", "box": "mine"})
    order: list[str] = []
    replies: dict[str, dict] = {}
    while "L" not in replies:
        frame = await back.next(timeout=10)
        if frame.get("ref"):
            order.append(frame["ref"])
            replies[frame["ref"]] = frame
    for conv, last in chats.items():
        history, ack = replies[f"o{conv}"], replies[f"s{conv}"]
        assert history["type"] == "history" and ack["type"] == "ack", (history, ack)
        visitor_said = [m["body"] for m in history["messages"] if m["author"] == "visitor"]
        assert len(visitor_said) == 3 and visitor_said[0].endswith("-0")
        assert order.index(f"o{conv}") < order.index(f"s{conv}")  # the history came first
        assert ack["seq"] > last  # the reply after everything the history showed
    assert order[-1] == "L" and len(order) == 2 * len(chats) + 1
    assert {c["id"] for c in replies["L"]["conversations"]} >= set(chats)
    await back.close()
