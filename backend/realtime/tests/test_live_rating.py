"""Ending a chat and rating it, over a real daphne and real TCP, on both stacks.

The visitor's ``end`` and ``rate`` frames, what their socket and the agent's
console are then sent, the refusals, and what the server holds afterwards
(read back through the protocol: a new welcome, the console's lists).
"""

from __future__ import annotations

import pytest

from papo.testing.client import client_id

pytestmark = pytest.mark.live


async def chatting(live):
    """A site of its own, its agent's console, and a visitor whose chat she has."""
    team = live.team("ana")
    agent = team.agents["ana"]
    console = await live.console(agent)
    visitor, welcome = await live.visitor(team.site_key)
    await visitor.request({"type": "profile", "name": "Rita"})
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    conv = ack["conversation"]
    await console.expect("conversation", event="assigned")
    await console.request({"type": "open", "conversation": conv})
    return team, agent, console, visitor, welcome, conv


async def test_the_visitor_ends_then_rates_and_both_sides_see_it(live_papo):
    team, agent, console, visitor, welcome, conv = await chatting(live_papo)

    reply = await visitor.request({"type": "end", "conversation": conv})
    assert reply["type"] == "conversation" and reply["event"] == "resolved"
    assert reply["conversation"]["status"] == "resolved"
    assert reply["conversation"]["rating"] is None
    ended = await visitor.expect("message", event="ended")
    assert ended["message"]["data"] == {"by": "Rita"}

    seen = await console.expect("conversation", event="resolved")
    assert seen["conversation"]["ended_by"] == "visitor"
    assert (await console.expect("message", event="ended"))["message"]["data"] == {"by": "Rita"}
    directory = await console.request({"type": "agents"})
    me = next(a for a in directory["agents"] if a["id"] == agent["id"])
    assert me["open"] == 0 and me["rating"] is None

    rated = await visitor.request({"type": "rate", "conversation": conv, "score": 4,
                                   "comment": "Quick and kind"})
    assert rated["type"] == "conversation" and rated["event"] == "rated"
    assert rated["conversation"]["rating"] == 4
    shown = await visitor.expect("message", event="rated")
    assert shown["message"]["data"] == {"score": "4"}  # the comment is for the team

    update = await console.expect("conversation", event="rated")
    assert update["conversation"]["rating"]["score"] == 4
    assert update["conversation"]["rating"]["comment"] == "Quick and kind"
    note = await console.expect("message", event="rated")
    assert note["message"]["data"] == {"score": "4", "comment": "Quick and kind"}
    directory = await console.request({"type": "agents"})
    me = next(a for a in directory["agents"] if a["id"] == agent["id"])
    assert me["rating"] == {"average": 4, "count": 1}

    # The visitor's socket never carried the comment, in any frame.
    assert all("Quick and kind" not in str(f) for f in visitor.frames)
    # A reload knows it was rated: the widget does not ask again.
    again, welcome2 = await live_papo.visitor(team.site_key, token=welcome["token"])
    assert welcome2["conversation"]["id"] == conv
    assert welcome2["conversation"]["status"] == "resolved"
    assert welcome2["conversation"]["rating"] == 4
    assert [m["event"] for m in welcome2["messages"]][-2:] == ["ended", "rated"]
    resolved = await console.request({"type": "list", "box": "resolved"})
    row = next(c for c in resolved["conversations"] if c["id"] == conv)
    assert row["rating"]["score"] == 4 and row["ended_by"] == "visitor"
    for peer in (visitor, again, console):
        await peer.close()


async def test_refusals_change_nothing(live_papo):
    team, agent, console, visitor, welcome, conv = await chatting(live_papo)
    stranger, _ = await live_papo.visitor(team.site_key)
    await stranger.request({"type": "send", "client_id": client_id(), "body": "me too"})

    open_rating = await visitor.request({"type": "rate", "conversation": conv, "score": 5})
    assert (open_rating["type"], open_rating["code"]) == ("error", "invalid_state")
    for frame in ({"type": "end", "conversation": conv},
                  {"type": "rate", "conversation": conv, "score": 1}):
        theirs = await stranger.request(frame)  # someone else's chat: as if missing
        assert (theirs["type"], theirs["code"]) == ("error", "not_found")
    for bad in ({"score": 0}, {"score": 6}, {"score": "5"}, {"score": 3, "comment": "x" * 1001},
                {}):
        wrong = await visitor.request({"type": "rate", "conversation": conv, **bad})
        assert (wrong["type"], wrong["code"]) == ("error", "invalid")
    history = await console.request({"type": "open", "conversation": conv})
    assert history["conversation"]["status"] == "open"
    assert history["conversation"]["rating"] is None
    assert [m["event"] for m in history["messages"]] == ["", "assigned"]

    await visitor.request({"type": "end", "conversation": conv})
    twice = await visitor.request({"type": "end", "conversation": conv})
    assert (twice["type"], twice["code"]) == ("error", "invalid_state")
    first = await visitor.request({"type": "rate", "conversation": conv, "score": 2})
    assert first["conversation"]["rating"] == 2
    second = await visitor.request({"type": "rate", "conversation": conv, "score": 5,
                                    "comment": "changed my mind"})
    assert (second["type"], second["code"]) == ("error", "invalid_state")
    history = await console.request({"type": "open", "conversation": conv})
    assert history["conversation"]["rating"]["score"] == 2
    assert [m["event"] for m in history["messages"]].count("rated") == 1
    for peer in (visitor, stranger, console):
        await peer.close()


async def test_writing_again_starts_a_new_chat_that_follows_the_ended_one(live_papo):
    team, agent, console, visitor, welcome, conv = await chatting(live_papo)
    await visitor.request({"type": "end", "conversation": conv})
    await console.expect("conversation", event="resolved")

    ack = await visitor.request({"type": "send", "client_id": client_id(),
                                 "body": "one more thing"})
    assert ack["type"] == "ack" and ack["conversation"] != conv and ack["seq"] == 1
    new = ack["conversation"]
    created = await console.expect("conversation", event="created",
                                   where=lambda f: f["conversation"]["id"] == new)
    assert created["conversation"]["ended_by"] == ""
    await visitor.expect("conversation", event="created",
                         where=lambda f: f["conversation"]["id"] == new)
    past = await console.request({"type": "visitor_history", "conversation": new})
    assert [c["id"] for c in past["conversations"]] == [conv]
    assert past["conversations"][0]["ended_by"] == "visitor"
    # The ended chat can still be rated after the new one started.
    rated = await visitor.request({"type": "rate", "conversation": conv, "score": 5})
    assert rated["conversation"]["id"] == conv and rated["conversation"]["rating"] == 5
    for peer in (visitor, console):
        await peer.close()
