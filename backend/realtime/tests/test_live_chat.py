"""The protocol end to end over a real daphne and real TCP, on both stacks.

What a visitor and an agent observe, frame by frame, and what the server
then holds (read back through the protocol: history is the database).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from papo.testing.client import Refused, client_id

pytestmark = pytest.mark.live
LIVE_ENV = {"PAPO_HELLO_TIMEOUT": "1"}


async def online_agent(live, name="ana"):
    """A site of its own with one online agent: (site key, agent, console socket)."""
    team = live.team(name)
    return team.site_key, team.agents[name], await live.console(team.agents[name])


# --- handshake: origins, site keys, sessions ----------------------------------------------
async def test_allowed_origin_gets_welcome(live_papo):
    peer, welcome = await live_papo.visitor()
    assert welcome["v"] == 2 and welcome["token"] and welcome["conversation"] is None
    assert welcome["config"]["greeting"] and welcome["more_after"] is False
    await peer.close()


async def test_a_version_1_client_is_still_served_as_version_1(live_papo):
    peer, welcome = await live_papo.visitor(v=1)
    assert welcome["v"] == 1 and "more_after" not in welcome
    refused = await live_papo.widget()
    await refused.send({"type": "hello", "v": 3})
    error = await refused.expect("error")
    assert error["code"] == "unsupported_version" and "1, 2" in error["message"]
    for s in (peer, refused):
        await s.close()


@pytest.mark.parametrize("origin", [
    None, "", "null", "https://evil.example",
    "https://other.example",          # another tenant's origin
    "https://127.0.0.1:{port}",       # scheme changed
    "http://127.0.0.1:{port2}",       # port changed
    "http://127.0.0.1",               # port dropped
    "http://127.0.0.1:{port}.evil.example",
    "http://evil.example/http://127.0.0.1:{port}",
])
@pytest.mark.security
async def test_foreign_or_missing_origin_is_refused(live_papo, origin):
    if origin:
        origin = origin.format(port=live_papo.host.port, port2=live_papo.host.port + 1)
    with pytest.raises(Refused) as refused:
        await live_papo.widget(origin=origin)
    # malformed origins are already rejected by daphne's handshake parser (400)
    assert refused.value.status in (400, 403)


@pytest.mark.security
async def test_unknown_site_key_is_refused(live_papo):
    with pytest.raises(Refused) as refused:
        await live_papo.widget("pk_no_such_site")
    assert refused.value.status == 403


@pytest.mark.security
async def test_console_needs_session_and_own_origin(live_papo):
    agents = live_papo.new_agents("ana")
    # a valid session from a foreign page: cross-site WebSocket hijacking
    with pytest.raises(Refused):
        await live_papo.console(agents["ana"], origin=live_papo.host.origin)
    with pytest.raises(Refused):
        await live_papo.console(agents["ana"], origin=None)
    # no session at all, or a visitor token where the session should be
    _, welcome = await live_papo.visitor()
    for cookie in ("", welcome["token"]):
        with pytest.raises(Refused):
            await live_papo.console({"session": cookie})
    peer = await live_papo.console(agents["ana"])
    await peer.close()


# --- chatting ------------------------------------------------------------------------------
async def test_visitor_and_agent_chat_both_ways(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, _ = await live_papo.visitor(key, page={"url": "https://shop.example/cart",
                                                    "title": "Cart"},
                                         timezone="America/Sao_Paulo")
    ack = await visitor.request({"type": "send", "client_id": client_id(),
                                 "body": "Where is my order?"})
    assert ack["type"] == "ack" and ack["seq"] == 1 and ack["duplicate"] is False
    conv = ack["conversation"]

    assigned = await console.expect("conversation", event="assigned")
    assert assigned["conversation"]["assignee"]["id"] == agent["id"]
    assert assigned["conversation"]["visitor"]["page_title"] == "Cart"
    assert assigned["conversation"]["visitor"]["timezone"] == "America/Sao_Paulo"
    got = await console.expect("message")
    assert got["message"]["body"] == "Where is my order?"

    reply = await console.request({"type": "send", "conversation": conv,
                                   "client_id": client_id(), "body": "On its way!"})
    assert reply["type"] == "ack"
    shown = await visitor.expect("message", timeout=5)
    while shown["message"]["author"] != "agent":
        shown = await visitor.expect("message")
    assert shown["message"]["body"] == "On its way!"
    assert shown["message"]["agent"] == {"name": "Ana"}  # no agent ids leak to visitors

    history = await console.request({"type": "open", "conversation": conv})
    seqs = [m["seq"] for m in history["messages"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [m["author"] for m in history["messages"]] == ["visitor", "system", "agent"]
    assert history["messages"][1]["event"] == "assigned"
    await visitor.close()
    await console.close()


async def test_resume_replays_what_was_missed_once(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, welcome = await live_papo.visitor(key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    conv = ack["conversation"]
    await console.expect("message")
    await visitor.expect("message", seq=2)  # the "assigned" system message
    await visitor.close()

    for text in ("first while away", "second while away"):
        await console.request({"type": "send", "conversation": conv,
                               "client_id": client_id(), "body": text})
    back, welcome2 = await live_papo.visitor(key, token=welcome["token"],
                                             resume={"conversation": conv, "last_seq": 2})
    assert [m["body"] for m in welcome2["messages"]] == ["first while away", "second while away"]
    assert [m["seq"] for m in welcome2["messages"]] == [3, 4]
    # nothing is sent twice on this connection afterwards
    await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                           "body": "third"})
    await back.expect("message", seq=5)
    assert [m["seq"] for m in back.messages(conv)] == [3, 4, 5]
    await back.close()
    await console.close()


async def test_a_long_chat_is_replayed_whole_past_the_frame_cap(live_papo):
    """The 64 KiB cap is on what clients send: a resume that replays a long chat
    (here ~120 KB of agent replies) still arrives, in one welcome."""
    key, agent, console = await online_agent(live_papo)
    visitor, welcome = await live_papo.visitor(key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    conv = ack["conversation"]
    await visitor.expect("message", seq=2)
    await visitor.close()
    long_reply = "é" * 4000  # the longest body, and two bytes a character in UTF-8
    for _ in range(15):
        await console.request({"type": "send", "conversation": conv,
                               "client_id": client_id(), "body": long_reply})
    back, welcome2 = await live_papo.visitor(key, token=welcome["token"],
                                             resume={"conversation": conv, "last_seq": 2})
    assert [m["seq"] for m in welcome2["messages"]] == list(range(3, 18))
    assert all(m["body"] == long_reply for m in welcome2["messages"])
    history = await console.request({"type": "open", "conversation": conv})
    assert len(history["messages"]) == 17
    await back.close()
    await console.close()


async def test_an_unknown_time_zone_is_dropped_not_stored(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, welcome = await live_papo.visitor(key, timezone="Mars/Olympus_Mons")
    assert welcome["type"] == "welcome"
    await visitor.request({"type": "send", "client_id": client_id(), "body": "hi"})
    assigned = await console.expect("conversation", event="assigned")
    assert assigned["conversation"]["visitor"]["timezone"] == ""
    await visitor.close()
    await console.close()


async def test_resending_a_client_id_stores_nothing_new(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, _ = await live_papo.visitor(key)
    cid = client_id()
    first = await visitor.request({"type": "send", "client_id": cid, "body": "once"})
    again = await visitor.request({"type": "send", "client_id": cid, "body": "once"})
    assert again["seq"] == first["seq"] and again["duplicate"] is True
    history = await console.request({"type": "open", "conversation": first["conversation"]})
    assert [m["body"] for m in history["messages"] if m["author"] == "visitor"] == ["once"]
    await visitor.close()
    await console.close()


async def test_every_tab_of_a_visitor_gets_every_message(live_papo):
    key, agent, console = await online_agent(live_papo)
    tab1, welcome = await live_papo.visitor(key)
    tab2, _ = await live_papo.visitor(key, token=welcome["token"])
    ack = await tab1.request({"type": "send", "client_id": client_id(), "body": "from tab 1"})
    conv = ack["conversation"]
    await tab2.expect("message", timeout=5)
    await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                           "body": "to both tabs"})
    for tab in (tab1, tab2):
        msg = await tab.expect("message", timeout=5)
        while msg["message"]["body"] != "to both tabs":
            msg = await tab.expect("message")
    assert [m["seq"] for m in tab2.messages(conv)] == sorted({m["seq"]
                                                              for m in tab2.messages(conv)})
    await tab1.close()
    await tab2.close()
    await console.close()


async def test_typing_and_read_markers_cross_over(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, _ = await live_papo.visitor(key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hi"})
    conv = ack["conversation"]
    await console.expect("conversation", event="assigned")  # now the console watches it
    await visitor.send({"type": "typing", "state": "start"})
    typing = await console.expect("typing")
    assert typing == {"type": "typing", "conversation": conv, "author": "visitor",
                      "name": typing["name"], "state": "start"}
    await console.send({"type": "typing", "conversation": conv, "state": "start"})
    assert (await visitor.expect("typing"))["name"] == "Ana"
    await console.send({"type": "read", "conversation": conv, "seq": 1})
    read = await visitor.expect("read")
    assert read["side"] == "agent" and read["seq"] == 1
    await visitor.send({"type": "read", "seq": 2})
    assert (await console.expect("read", side="visitor"))["seq"] == 2
    await visitor.close()
    await console.close()


async def test_transfer_and_resolve_reach_visitor_and_agents(live_papo):
    team = live_papo.team("ana", "bruno")
    agents = team.agents
    ana = await live_papo.console(agents["ana"])
    visitor, _ = await live_papo.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "help"})
    conv = ack["conversation"]
    await ana.expect("conversation", event="assigned")
    # transfer needs the target online
    refused = await ana.request({"type": "transfer", "conversation": conv,
                                 "to": agents["bruno"]["id"]})
    assert refused["code"] == "agent_unavailable"
    bruno = await live_papo.console(agents["bruno"])
    ok = await ana.request({"type": "transfer", "conversation": conv,
                            "to": agents["bruno"]["id"]})
    assert ok["type"] == "ok" and ok["conversation"]["assignee"]["id"] == agents["bruno"]["id"]
    await bruno.expect("conversation", event="transferred")
    moved = await visitor.expect("message", seq=3)
    assert moved["message"]["event"] == "transferred"
    assert moved["message"]["data"] == {"from": "Ana", "to": "Bruno"}
    # only the assignee (or an admin) may resolve
    denied = await ana.request({"type": "resolve", "conversation": conv})
    assert denied["code"] == "forbidden"
    done = await bruno.request({"type": "resolve", "conversation": conv})
    assert done["conversation"]["status"] == "resolved"
    assert (await visitor.expect("conversation", event="resolved"))["conversation"][
        "status"] == "resolved"
    late = await bruno.request({"type": "send", "conversation": conv,
                                "client_id": client_id(), "body": "too late"})
    assert late["code"] == "invalid_state"
    again = await ana.request({"type": "reopen", "conversation": conv})
    assert again["conversation"]["status"] == "open"
    assert again["conversation"]["assignee"]["id"] == agents["ana"]["id"]
    for peer in (visitor, ana, bruno):
        await peer.close()


async def test_claim_race_has_exactly_one_winner(live_papo):
    team = live_papo.team("ana", "bruno")
    agents = team.agents
    ana = await live_papo.console(agents["ana"])
    bruno = await live_papo.console(agents["bruno"])
    for peer in (ana, bruno):  # away: nothing is routed to them, but they can claim
        assert (await peer.request({"type": "presence", "status": "away"}))["status"] == "away"
    visitor, _ = await live_papo.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "anyone?"})
    conv = ack["conversation"]
    queued = await ana.expect("conversation", event="created")
    assert queued["conversation"]["status"] == "waiting"
    results = await asyncio.gather(
        ana.request({"type": "claim", "conversation": conv}),
        bruno.request({"type": "claim", "conversation": conv}),
    )
    kinds = sorted(r["type"] for r in results)
    assert kinds == ["error", "ok"]
    loser = next(r for r in results if r["type"] == "error")
    assert loser["code"] == "already_assigned"
    winner = next(r for r in results if r["type"] == "ok")
    history = await ana.request({"type": "open", "conversation": conv})
    assert history["conversation"]["assignee"]["id"] == winner["conversation"]["assignee"]["id"]
    assert [m["event"] for m in history["messages"]].count("assigned") == 1
    for peer in (visitor, ana, bruno):
        await peer.close()


# --- identity and tenancy -----------------------------------------------------------------
@pytest.mark.security
async def test_tampered_and_foreign_tokens_are_refused(live_papo):
    _, welcome = await live_papo.visitor()
    token = welcome["token"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "not-a-token", token + "x"):
        peer = await live_papo.widget()
        await peer.send({"type": "hello", "v": 1, "token": bad})
        err = await peer.expect("error")
        assert err["code"] == "token_invalid"
        assert await peer.closed() == 4401
    # a valid token of the Shop site, replayed on the Other site
    other = await live_papo.widget(live_papo.other_site_key, origin="https://other.example")
    await other.send({"type": "hello", "v": 1, "token": token})
    assert (await other.expect("error"))["code"] == "token_invalid"
    assert await other.closed() == 4401


@pytest.mark.security
async def test_a_visitor_never_reaches_another_visitors_conversation(live_papo):
    key, agent, console = await online_agent(live_papo)
    alice, alice_welcome = await live_papo.visitor(key)
    ack = await alice.request({"type": "send", "client_id": client_id(), "body": "alice secret"})
    alice_conv = ack["conversation"]
    mallory, _ = await live_papo.visitor(key, resume={"conversation": alice_conv, "last_seq": 0})
    welcome = mallory.frames[0]
    assert welcome["conversation"] is None and welcome["messages"] == []
    # ids smuggled into frames are ignored: mallory's message lands in her own chat
    mine = await mallory.request({"type": "send", "client_id": client_id(), "body": "mine",
                                  "conversation": alice_conv})
    assert mine["conversation"] != alice_conv
    history = await mallory.request({"type": "history", "conversation": alice_conv})
    assert all(m["conversation"] == mine["conversation"] for m in history["messages"])
    assert "alice secret" not in str(mallory.frames)
    for peer in (alice, mallory, console):
        await peer.close()


@pytest.mark.security
async def test_an_agent_of_another_site_sees_nothing(live_papo):
    key, _shop_agent, shop_console = await online_agent(live_papo)
    carla = live_papo.new_agents("carla", site="Other")["carla"]
    other = await live_papo.console(carla)
    visitor, _ = await live_papo.visitor(key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "shop only"})
    conv = ack["conversation"]
    for frame in ({"type": "open", "conversation": conv},
                  {"type": "claim", "conversation": conv},
                  {"type": "resolve", "conversation": conv},
                  {"type": "send", "conversation": conv, "client_id": client_id(), "body": "x"},
                  {"type": "read", "conversation": conv, "seq": 1},
                  {"type": "typing", "conversation": conv, "state": "start"},
                  {"type": "list", "box": "open", "site": key}):
        reply = await other.request(frame)
        assert reply["type"] == "error" and reply["code"] == "not_found", frame
    listed = await other.request({"type": "list", "box": "open"})
    assert conv not in [c["id"] for c in listed["conversations"]]
    assert "shop only" not in str(other.frames)
    for peer in (visitor, shop_console, other):
        await peer.close()


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.security
async def test_bad_input_gets_a_clear_error_and_changes_nothing(live_papo):
    key, agent, console = await online_agent(live_papo)
    visitor, _ = await live_papo.visitor(key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "real"})
    conv = ack["conversation"]
    cases = [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"no": "type"}', "unknown_type"),
        ('{"type": "explode"}', "unknown_type"),
        ('{"type": "send", "ref": "r", "body": "x"}', "invalid"),
        ('{"type": "send", "ref": "r", "client_id": 5, "body": "x"}', "invalid"),
        ('{"type": "send", "ref": "r", "client_id": "c", "body": ["x"]}', "invalid"),
        ('{"type": "send", "ref": "r", "client_id": "c", "body": "   "}', "body_empty"),
        ('{"type": "send", "ref": "r", "client_id": "c", "body": "' + "x" * 4001 + '"}',
         "body_too_long"),
        ('{"type": "read", "ref": "r", "seq": -1}', "invalid"),
        ('{"type": "read", "ref": "r", "seq": true}', "invalid"),
        ('{"type": "hello", "ref": "r", "v": 1}', "invalid"),
        ("[" * 5000 + "]" * 5000, "bad_json"),
    ]
    for raw, code in cases:
        await visitor.send(raw)
        err = await visitor.expect("error")
        assert err["code"] == code, raw[:60]
        assert err["message"]
    await visitor.send(b"\x00\x01binary")
    assert (await visitor.expect("error"))["code"] == "binary_not_supported"
    history = await console.request({"type": "open", "conversation": conv})
    assert [m["body"] for m in history["messages"] if m["author"] == "visitor"] == ["real"]
    # still chatting after all that
    ok = await visitor.request({"type": "send", "client_id": client_id(), "body": "still here"})
    assert ok["type"] == "ack"
    for peer in (visitor, console):
        await peer.close()


@pytest.mark.security
async def test_frames_over_64k_close_with_1009(live_papo):
    visitor, _ = await live_papo.visitor()
    await visitor.send('{"type": "ping", "pad": "' + "x" * 70_000 + '"}')
    assert await visitor.closed() == 1009


@pytest.mark.security
async def test_frames_before_hello_and_a_silent_client(live_papo):
    peer = await live_papo.widget()
    err = await peer.request({"type": "send", "client_id": "c", "body": "x"})
    assert err["code"] == "hello_required"
    wrong = await peer.request({"type": "hello", "v": 99})
    assert wrong["code"] == "unsupported_version"
    assert await peer.closed(timeout=5) == 4001  # no hello within the 1 s deadline


# --- the widget's HTTP API through daphne ---------------------------------------------------
@pytest.mark.security
async def test_config_over_http_serves_the_site_origin_and_tells_others_why(live_papo):
    import urllib.error
    import urllib.request

    def get(origin):
        req = urllib.request.Request(
            f"{live_papo.server.http}/api/widget/{live_papo.site_key}/config",
            headers={"Origin": origin})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Access-Control-Allow-Origin"), r.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers.get("Access-Control-Allow-Origin"), refused.read()

    status, allow, body = await asyncio.to_thread(get, live_papo.host.origin)
    assert status == 200 and allow == live_papo.host.origin and b"greeting" in body
    # Another origin may read why it is refused, and nothing of the site.
    status, allow, body = await asyncio.to_thread(get, "https://evil.example")
    assert status == 403 and allow == "https://evil.example"
    assert json.loads(body) == {"error": "origin_not_allowed", "origin": "https://evil.example",
                                "message": "this page's origin is not one of the site's allowed "
                                           "origins"}


@pytest.mark.security
async def test_refusals_are_counted_for_the_operator(live_papo):
    """What the sockets refused shows in `manage.py papo_stats` (counters in the cache)."""
    if live_papo.stack.name != "scaled":
        pytest.skip("without Redis the counters live in the server process's local memory")
    out = await asyncio.to_thread(live_papo.stack.manage, "papo_stats")
    before = dict(line.split() for line in out.strip().splitlines())
    with pytest.raises(Refused):
        await live_papo.widget(origin="https://evil.example")
    out = await asyncio.to_thread(live_papo.stack.manage, "papo_stats")
    after = dict(line.split() for line in out.strip().splitlines())
    assert int(after["refused.origin"]) == int(before["refused.origin"]) + 1
