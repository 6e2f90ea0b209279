"""The console's additions over a real daphne, on both stacks: internal notes never
reach the visitor (live, replay, history, no gap fill), search, visitor history,
canned responses, and site isolation."""

from __future__ import annotations

import pytest

from papo.testing.client import Refused, client_id

pytestmark = pytest.mark.live


async def chat(live, team, name="ana"):
    console = await live.console(team.agents[name])
    visitor, welcome = await live.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    await console.expect("conversation", event="assigned")
    await visitor.expect("message", seq=2)  # "assigned"
    return console, visitor, welcome, ack["conversation"]


@pytest.mark.security
async def test_visitor_token_cannot_open_the_console(live_papo):
    _, welcome = await live_papo.visitor()
    for cookie in (welcome["token"], f"sessionid={welcome['token']}"):
        with pytest.raises(Refused):
            await live_papo.console({"session": cookie})
    # nor can a widget socket speak console frames
    peer, _ = await live_papo.visitor()
    for frame in ({"type": "claim", "conversation": 1}, {"type": "list", "box": "queue"},
                  {"type": "canned_save", "site": live_papo.site_key, "shortcut": "x",
                   "body": "y"}):
        await peer.send(frame)
        assert (await peer.expect("error"))["code"] == "unknown_type"
    await peer.close()


@pytest.mark.security
async def test_internal_note_never_reaches_the_visitor(live_papo):
    team = live_papo.team("ana")
    console, visitor, welcome, conv = await chat(live_papo, team)
    tab2, _ = await live_papo.visitor(team.site_key, token=welcome["token"])
    note = await console.request({"type": "send", "conversation": conv, "internal": True,
                                  "client_id": client_id(), "body": "SECRET-NOTE fraud risk"})
    assert note["type"] == "ack" and note["seq"] == 3
    shown = await console.expect("message", seq=3)
    assert shown["message"]["internal"] is True
    reply = await console.request({"type": "send", "conversation": conv,
                                   "client_id": client_id(), "body": "How can I help?"})
    assert reply["seq"] == 4
    for tab in (visitor, tab2):
        got = await tab.expect("message", seq=4)
        assert got["message"]["body"] == "How can I help?" and "internal" not in got["message"]
    await visitor.request({"type": "ping"})
    frames = visitor.frames + tab2.frames + await visitor.quiet(0.3) + await tab2.quiet(0.1)
    assert "SECRET-NOTE" not in str(frames)
    assert [m["seq"] for m in visitor.messages(conv)] == [1, 2, 4]  # the seq skips the note
    # no gap fill was triggered on the widget sockets by the skipped seq
    logs = "".join(s.log() for s in live_papo.servers).splitlines()
    assert not [line for line in logs if "seq gap" in line and "for widget" in line]
    # replay on reconnect, with and without resume, and widget history
    back, again = await live_papo.visitor(team.site_key, token=welcome["token"],
                                          resume={"conversation": conv, "last_seq": 2})
    assert [m["seq"] for m in again["messages"]] == [4]
    assert again["conversation"]["last_seq"] == 4
    fresh, latest = await live_papo.visitor(team.site_key, token=welcome["token"])
    history = await fresh.request({"type": "history"})
    for frame in (again, latest, history):
        assert "SECRET-NOTE" not in str(frame)
    # the console's history has it, marked internal
    full = await console.request({"type": "open", "conversation": conv})
    assert [m["internal"] for m in full["messages"]] == [False, False, True, False]
    # the agent's read marker never tells the visitor a note's seq
    await console.send({"type": "read", "conversation": conv, "seq": 5})
    note2 = await console.request({"type": "send", "conversation": conv, "internal": True,
                                   "client_id": client_id(), "body": "SECRET-2"})
    await console.send({"type": "read", "conversation": conv, "seq": note2["seq"]})
    read = await back.expect("read")
    assert read["seq"] == 4
    assert "SECRET" not in str(back.frames + await back.quiet(0.3))
    for peer in (console, visitor, tab2, back, fresh):
        await peer.close()


async def test_search_and_visitor_history(live_papo):
    team = live_papo.team("ana")
    console, visitor, welcome, first = await chat(live_papo, team)
    await visitor.request({"type": "profile", "name": "Zélia Duncan",
                           "email": "zelia@example.com"})
    await console.request({"type": "send", "conversation": first, "client_id": client_id(),
                           "body": "your parcel ZX-981 left today"})
    assert (await console.request({"type": "resolve", "conversation": first}))["type"] == "ok"
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "again"})
    second = ack["conversation"]
    assert second != first
    for q in ("zélia", "ZELIA@", "zx-981"):
        found = await console.request({"type": "list", "box": "resolved", "q": q})
        assert [c["id"] for c in found["conversations"]] == [first], q
    none = await console.request({"type": "list", "box": "resolved", "q": "no-such-words"})
    assert none["conversations"] == []
    past = await console.request({"type": "visitor_history", "conversation": second})
    assert past["type"] == "visitor_history"
    assert [c["id"] for c in past["conversations"]] == [first]
    await console.close()
    await visitor.close()


async def test_list_previews_name_who_said_what(live_papo):
    """A row's last message carries its author and a system event's names, so
    the console's preview reads "Ana: On its way" or "Ana took the conversation"."""
    team = live_papo.team("ana")
    ana = team.agents["ana"]
    console, visitor, _, conv = await chat(live_papo, team)

    async def last() -> dict:
        rows = (await console.request({"type": "list", "box": "mine"}))["conversations"]
        return next(c for c in rows if c["id"] == conv)["last_message"]

    took = await last()
    assert (took["author"], took["event"], took["agent"]) == ("system", "assigned", None)
    assert took["data"]["agent"] == "Ana"
    await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                           "body": "On its way"})
    said = await last()
    assert (said["author"], said["body"], said["data"]) == ("agent", "On its way", {})
    assert said["agent"] == {"id": ana["id"], "name": "Ana"}
    await visitor.request({"type": "send", "client_id": client_id(), "body": "Thanks!"})
    await console.expect("message", body="Thanks!")
    assert (await last())["agent"] is None
    resolved = await console.request({"type": "resolve", "conversation": conv})
    assert resolved["conversation"]["last_message"]["data"] == {"by": "Ana"}
    await console.close()
    await visitor.close()


@pytest.mark.security
async def test_canned_responses_live_and_scoped(live_papo):
    team = live_papo.team("ana", "bob", role="admin")
    other = live_papo.team("eve", role="admin")
    ana = await live_papo.console(team.agents["ana"])
    bob = await live_papo.console(team.agents["bob"])
    eve = await live_papo.console(other.agents["eve"])
    saved = await ana.request({"type": "canned_save", "site": team.site_key,
                               "shortcut": "hi", "body": "Hello! How can I help?"})
    assert saved["type"] == "ok" and saved["canned"]["shortcut"] == "hi"
    heard = await bob.expect("canned")
    assert heard["site"] == team.site_key and heard["responses"][0]["body"].startswith("Hello")
    # a fresh console gets them in its welcome
    again = await live_papo.console(team.agents["bob"], hello=False)
    await again.send({"type": "hello", "v": 1})
    welcome = await again.expect("welcome")
    assert [c["shortcut"] for c in welcome["canned"]] == ["hi"]
    # site B's admin can neither change, delete nor see them
    cid = saved["canned"]["id"]
    for frame in ({"type": "canned_save", "site": team.site_key, "shortcut": "x", "body": "y"},
                  {"type": "canned_save", "site": other.site_key, "id": cid,
                   "shortcut": "hi", "body": "hijack"},
                  {"type": "canned_delete", "id": cid}):
        assert (await eve.request(frame))["code"] == "not_found"
    assert "Hello! How can I help?" not in str(eve.frames + await eve.quiet(0.2))
    deleted = await bob.request({"type": "canned_delete", "id": cid})
    assert deleted["type"] == "ok"
    assert (await ana.expect("canned", responses=[]))["site"] == team.site_key
    for peer in (ana, bob, eve, again):
        await peer.close()


@pytest.mark.security
async def test_agent_of_one_site_cannot_touch_another_sites_chat(live_papo):
    team = live_papo.team("ana")
    other = live_papo.team("eve", role="admin")
    console, visitor, _, conv = await chat(live_papo, team)
    eve = await live_papo.console(other.agents["eve"])
    for frame in ({"type": "open", "conversation": conv},
                  {"type": "claim", "conversation": conv},
                  {"type": "send", "conversation": conv, "client_id": client_id(), "body": "x"},
                  {"type": "send", "conversation": conv, "client_id": client_id(), "body": "x",
                   "internal": True},
                  {"type": "resolve", "conversation": conv},
                  {"type": "visitor_history", "conversation": conv},
                  {"type": "list", "box": "open", "site": team.site_key}):
        assert (await eve.request(frame))["code"] == "not_found", frame
    for box in ("queue", "open", "resolved"):
        rows = await eve.request({"type": "list", "box": box, "q": "hello"})
        assert all(c["site"] == other.site_key for c in rows["conversations"])
    await eve.send({"type": "typing", "conversation": conv, "state": "start"})
    assert (await eve.expect("error"))["code"] == "not_found"
    assert not [f for f in eve.frames if f.get("type") in ("message", "history", "typing")]
    assert all(not f.get("conversations") for f in eve.frames if f.get("type") == "list")
    for peer in (console, visitor, eve):
        await peer.close()


async def test_a_new_console_socket_says_where_each_chats_live_stream_starts(live_papo):
    """The resume trap: on a new socket, live messages of the agent's chats can come
    before the client's ``open``. The welcome names, per assigned chat, the seq the
    live stream starts after; everything after it arrives live, in order, and what
    came before it is the client's to fetch (from its own last contiguous seq)."""
    team = live_papo.team("ana")
    visitor, _ = await live_papo.visitor(team.site_key)
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "first"}))["conversation"]
    ana = await live_papo.console(team.agents["ana"])
    held = [m["seq"] for m in (await ana.request({"type": "open",
                                                  "conversation": conv}))["messages"]]
    await ana.close()
    for i in range(3):  # while the console is away
        await visitor.request({"type": "send", "client_id": client_id(), "body": f"away {i}"})
    ana = await live_papo.console(team.agents["ana"])
    live_from = ana.welcome["live_from"][str(conv)]
    assert live_from == held[-1] + 3
    live = await visitor.request({"type": "send", "client_id": client_id(), "body": "now"})
    heard = await ana.expect("message", seq=live["seq"])
    assert heard["message"]["seq"] == live_from + 1  # live, before any open
    # A client that resumed from that seq would skip the three; from its own last
    # contiguous seq it gets them, and the live one once.
    page = await ana.request({"type": "open", "conversation": conv, "after_seq": held[-1]})
    assert [m["seq"] for m in page["messages"]] == list(range(held[-1] + 1, live["seq"] + 1))
    merged = {m["seq"] for m in ana.messages(conv)} | set(held)
    assert merged == set(range(1, live["seq"] + 1))  # merged by seq: nothing missing
    for peer in (ana, visitor):
        await peer.close()
