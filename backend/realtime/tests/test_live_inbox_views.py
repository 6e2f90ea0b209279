"""The console's ``filter`` and ``search`` requests over a real daphne, on both stacks:
what an agent finds, in which order, page by page, and that it is only ever theirs.

Search runs on each stack's own index (PostgreSQL's GIN over a tsvector, SQLite's
FTS5): the same words must find the same messages on both.
"""

from __future__ import annotations

import uuid

import pytest

from papo.testing.client import client_id

pytestmark = pytest.mark.live


def desk(live, **roles: str) -> tuple[str, dict[str, dict]]:
    """A fresh site with these agents ({name: role}): its key and {name: agent}."""
    tag = uuid.uuid4().hex[:6]
    site = f"Views {tag}"
    out = live.seed({"sites": [{"name": site, "origins": [live.host.origin]}],
                     "agents": [{"username": f"{n}-{tag}", "name": n.capitalize(),
                                 "sites": [site], "role": role} for n, role in roles.items()]})
    return out["sites"][site]["key"], {n: out["agents"][f"{n}-{tag}"] for n in roles}


async def chat(live, site: str, *bodies: str, **profile) -> tuple[object, int, list[int]]:
    """A visitor who writes ``bodies``: their socket, the conversation and the seqs."""
    peer, _ = await live.visitor(site)
    if profile:
        await peer.request({"type": "profile", **profile})
    seqs, conv = [], 0
    for body in bodies:
        ack = await peer.request({"type": "send", "client_id": client_id(), "body": body})
        conv = ack["conversation"]
        seqs.append(ack["seq"])
    return peer, conv, seqs


def about(frame: dict, conv: int) -> bool:
    return frame["conversation"]["id"] == conv


def ids(reply: dict) -> list[int]:
    assert reply["type"] in ("filter", "search"), reply
    return [c["id"] for c in reply["conversations"]]


def code(reply: dict) -> str | None:
    return reply.get("code") if reply["type"] == "error" else None


async def test_filter_by_status_assignee_tag_and_days_newest_activity_first(live_papo):
    site, people = desk(live_papo, ana="agent", bruno="agent")
    other_site, others = desk(live_papo, olga="admin")
    ana = await live_papo.console(people["ana"])
    olga = await live_papo.console(others["olga"])
    v1, old, _ = await chat(live_papo, site, "first")
    await ana.expect("conversation", event="assigned", where=lambda f: about(f, old))
    v2, done, _ = await chat(live_papo, site, "second")
    await ana.expect("conversation", event="assigned", where=lambda f: about(f, done))
    await ana.request({"type": "resolve", "conversation": done})
    await ana.request({"type": "presence", "status": "away"})
    v3, waiting, _ = await chat(live_papo, site, "third")
    v4, elsewhere, _ = await chat(live_papo, other_site, "not yours")
    live_papo.backdate(old, minutes=3 * 24 * 60)
    vip = (await olga.request({"type": "tag_save", "site": other_site, "name": "Theirs",
                               "color": "#000000"}))["tag"]

    async def view(**fields) -> dict:
        return await ana.request({"type": "filter", **fields})

    everything = await view()
    assert ids(everything) == [waiting, done, old] and everything["cursor"] is None
    assert all(c["site"] == site for c in everything["conversations"])
    assert ids(await view(status="open")) == [old]
    assert ids(await view(status="waiting")) == [waiting]
    assert ids(await view(status="resolved", site=site)) == [done]
    assert ids(await view(assignee="me")) == [done, old]
    assert ids(await view(assignee=people["ana"]["id"])) == [done, old]
    assert ids(await view(assignee=people["bruno"]["id"])) == []
    assert ids(await view(assignee="unassigned")) == [waiting]
    assert ids(await view(assignee="anyone", status=None, tag=None)) == [waiting, done, old]

    own = (await ana.request({"type": "tag_save", "site": site, "name": "x",
                              "color": "#000000"}))
    assert code(own) == "forbidden"  # an agent: tags come from the site's admins
    mine = (await olga.request({"type": "tag_save", "site": other_site, "name": "Mine",
                                "color": "#000000"}))["tag"]
    assert code(await view(tag=mine["id"])) == "not_found"  # another site's tag
    olgas = await olga.request({"type": "filter", "tag": vip["id"]})
    assert ids(olgas) == []
    await olga.request({"type": "tag_add", "conversation": elsewhere, "tag": vip["id"]})
    assert ids(await olga.request({"type": "filter", "tag": vip["id"]})) == [elsewhere]

    # Days: bound by when each chat started, both ends included, in the given zone.
    day = {c["id"]: c["created_at"][:10] for c in everything["conversations"]}
    assert ids(await view(to=day[old], tz="UTC")) == [old]
    assert ids(await view(**{"from": day[done], "to": day[waiting]})) == [waiting, done]
    assert ids(await view(**{"from": "0001-01-01", "to": "9999-12-31"})) == [waiting, done, old]

    # Pages: the cursor carries on where the last page stopped.
    first = await view(limit=2)
    assert ids(first) == [waiting, done] and first["cursor"]
    rest = await view(limit=2, cursor=first["cursor"])
    assert ids(rest) == [old] and rest["cursor"] is None

    for bad, expected in (({"site": other_site}, "not_found"), ({"tag": 2**40}, "not_found"),
                          ({"from": "2026-13-01"}, "invalid"),
                          ({"from": "2026-02-02", "to": "2026-02-01"}, "invalid"),
                          ({"tz": "Mars/Olympus"}, "invalid"), ({"cursor": "junk"}, "invalid"),
                          ({"assignee": "someone"}, "invalid"), ({"status": "lost"}, "invalid"),
                          ({"limit": 0}, "invalid")):
        assert code(await view(**bad)) == expected, bad
    for peer in (ana, olga, v1, v2, v3, v4):
        await peer.close()


async def test_search_finds_words_accents_aside_on_the_agents_sites_only(live_papo):
    site, people = desk(live_papo, ana="agent")
    other_site, others = desk(live_papo, olga="admin")
    ana = await live_papo.console(people["ana"])
    olga = await live_papo.console(others["olga"])
    rita, resolved, seqs = await chat(live_papo, site,
                                      "Olá! Meu pedido não chegou. Ação urgente, por favor.",
                                      name="Rita Souza", email="rsouza@example.com.br")
    await ana.expect("conversation", event="assigned", where=lambda f: about(f, resolved))
    reply = await ana.request({"type": "send", "conversation": resolved, "client_id": client_id(),
                               "body": "Vou verificar a informação do seu pedido."})
    note = await ana.request({"type": "send", "conversation": resolved, "client_id": client_id(),
                              "body": "Cliente VIP: reembolso aprovado.", "internal": True})
    await ana.request({"type": "resolve", "conversation": resolved})
    bob, open_, _ = await chat(live_papo, site, "Quero cancelar o pedido 4471")
    stranger, theirs, _ = await chat(live_papo, other_site,
                                     "pedido secreto da outra loja, reembolso")

    async def find(q: str, **fields) -> dict:
        return await ana.request({"type": "search", "q": q, **fields})

    found = await find("acao")
    assert [(h["conversation"], h["seq"]) for h in found["hits"]] == [(resolved, seqs[0])]
    parts = found["hits"][0]["snippet"]
    assert [p["text"] for p in parts if p["match"]] == ["Ação"]
    assert "".join(p["text"] for p in parts) == (
        "Olá! Meu pedido não chegou. Ação urgente, por favor.")
    assert ids(found) == [resolved] and found["conversations"][0]["status"] == "resolved"
    thread = await ana.request({"type": "open", "conversation": resolved})
    at = next(m for m in thread["messages"] if m["seq"] == found["hits"][0]["seq"])
    assert "Ação" in at["body"]  # the hit's seq is the message to jump to

    every = await find("PEDI")  # a prefix, case aside: both chats, newest first, no other site
    assert [(h["conversation"], h["seq"]) for h in every["hits"]] == [
        (open_, 1), (resolved, reply["seq"]), (resolved, seqs[0])]
    assert set(ids(every)) == {open_, resolved}
    assert [p["text"] for p in every["hits"][1]["snippet"] if p["match"]] == ["pedido"]
    notes = await find("reembolso")  # notes are for agents: found, and said to be notes
    assert [(h["conversation"], h["seq"], h["internal"]) for h in notes["hits"]] == [
        (resolved, note["seq"], True)]
    assert [(h["conversation"], h["seq"]) for h in (await find("pedido 4471"))["hits"]] == [
        (open_, 1)]
    assert {h["conversation"] for h in (await find("pedido", status="resolved"))["hits"]} == {
        resolved}

    by_name = await find("rita")
    assert by_name["hits"] == [] and ids(by_name) == [resolved]
    assert by_name["visitors"] == [{"conversation": resolved, "field": "name", "snippet": [
        {"text": "Rita", "match": True}, {"text": " Souza", "match": False}]}]
    by_mail = await find("rsouza@example")
    assert [(v["conversation"], v["field"]) for v in by_mail["visitors"]] == [
        (resolved, "email")]

    page = await find("pedido", limit=2)
    assert len(page["hits"]) == 2 and page["cursor"]
    more = await find("pedido", limit=2, cursor=page["cursor"])
    assert [(h["conversation"], h["seq"]) for h in more["hits"]] == [(resolved, seqs[0])]
    assert more["cursor"] is None and more["visitors"] == []

    # The other site's agent finds theirs, never ana's; odd text is only text.
    olgas = await olga.request({"type": "search", "q": "reembolso pedido"})
    assert [h["conversation"] for h in olgas["hits"]] == [theirs] and ids(olgas) == [theirs]
    assert (await olga.request({"type": "search", "q": "rita"}))["visitors"] == []
    for odd in ("'\\\" & | ! :* ( ) <b>", "...", "a"):
        assert (await find(odd))["type"] == "search", odd
    for bad, expected in (({"q": ""}, "invalid"), ({"q": "x" * 201}, "invalid"),
                          ({"q": "pedido", "site": other_site}, "not_found"),
                          ({"q": "pedido", "cursor": "12"}, "invalid")):
        assert code(await ana.request({"type": "search", **bad})) == expected, bad
    for peer in (ana, olga, rita, bob, stranger):
        await peer.close()
