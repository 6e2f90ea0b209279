"""Tags over a real daphne and real TCP, on both stacks: who keeps a site's tags, who
puts them on chats, who hears of it, and what raw clients are refused.

Each test has sites of its own (an admin and an agent on one, an admin of another),
so nothing another test does reaches these consoles.
"""

from __future__ import annotations

import uuid

import pytest

from papo.testing.client import client_id

pytestmark = pytest.mark.live


def desk(live, **roles: str) -> tuple[str, dict[str, dict]]:
    """A fresh site with these agents ({name: role}): its key and {name: agent}."""
    tag = uuid.uuid4().hex[:6]
    site = f"Desk {tag}"
    out = live.seed({"sites": [{"name": site, "origins": [live.host.origin]}],
                     "agents": [{"username": f"{n}-{tag}", "name": n.capitalize(),
                                 "sites": [site], "role": role} for n, role in roles.items()]})
    return out["sites"][site]["key"], {n: out["agents"][f"{n}-{tag}"] for n in roles}


def refused(frame: dict, code: str) -> bool:
    return (frame["type"], frame.get("code")) == ("error", code)


async def test_admins_keep_the_tags_and_every_console_of_the_site_hears(live_papo):
    site, people = desk(live_papo, boss="admin", ana="agent")
    other_site, others = desk(live_papo, olga="admin")
    boss = await live_papo.console(people["boss"])
    ana = await live_papo.console(people["ana"])
    olga = await live_papo.console(others["olga"])
    assert boss.welcome["tags"] == [] and olga.welcome["tags"] == []

    saved = await boss.request({"type": "tag_save", "site": site, "name": "  Billing  issue ",
                                "color": "#AA3300"})
    tag = saved["tag"]
    assert saved["type"] == "ok"
    assert tag == {"id": tag["id"], "site": site, "name": "Billing issue", "color": "#aa3300"}
    for peer in (boss, ana):
        heard = await peer.expect("tags", site=site)
        assert heard["tags"] == [tag]

    # Raw clients: an agent, another site's admin, and nonsense, all changing nothing.
    assert refused(await ana.request({"type": "tag_save", "site": site, "name": "Mine",
                                      "color": "#000000"}), "forbidden")
    assert refused(await olga.request({"type": "tag_save", "site": site, "name": "Theirs",
                                       "color": "#000000"}), "not_found")
    for bad in ({"name": "BILLING ISSUE", "color": "#123456"},  # the same, case aside
                {"name": "x", "color": "red"}, {"name": "   ", "color": "#123456"},
                {"name": "y" * 41, "color": "#123456"}, {"name": "z\u202e", "color": "#1234567"}):
        assert refused(await boss.request({"type": "tag_save", "site": site, **bad}),
                       "invalid"), bad
    assert refused(await olga.request({"type": "tag_save", "site": other_site, "id": tag["id"],
                                       "name": "Stolen", "color": "#000000"}), "not_found")
    assert refused(await olga.request({"type": "tag_delete", "id": tag["id"]}), "not_found")
    assert refused(await ana.request({"type": "tag_delete", "id": tag["id"]}), "forbidden")

    renamed = await boss.request({"type": "tag_save", "site": site, "id": tag["id"],
                                  "name": "Billing", "color": "#0055aa"})
    assert renamed["tag"] == {**tag, "name": "Billing", "color": "#0055aa"}
    assert (await ana.expect("tags", site=site))["tags"] == [renamed["tag"]]
    second = (await boss.request({"type": "tag_save", "site": site, "name": "Bug",
                                  "color": "#10b981"}))["tag"]
    assert [t["name"] for t in (await ana.expect("tags", site=site))["tags"]] == [
        "Billing", "Bug"]

    again = await live_papo.console(people["ana"])  # a reconnect is welcomed with them
    assert again.welcome["tags"] == [renamed["tag"], second]
    deleted = await boss.request({"type": "tag_delete", "id": second["id"]})
    assert deleted == {"type": "ok", "ref": deleted["ref"], "deleted": second["id"]}
    assert (await again.expect("tags", site=site))["tags"] == [renamed["tag"]]

    # Another site's admin heard nothing of any of it.
    assert not [f for f in await olga.quiet() if f["type"] == "tags"]
    for peer in (boss, ana, again, olga):
        await peer.close()


async def test_any_agent_tags_a_chat_live_for_the_site_never_for_the_visitor(live_papo):
    site, people = desk(live_papo, boss="admin", ana="agent")
    other_site, others = desk(live_papo, olga="admin")
    boss = await live_papo.console(people["boss"])
    olga = await live_papo.console(others["olga"])
    vip = (await boss.request({"type": "tag_save", "site": site, "name": "VIP",
                               "color": "#7c3aed"}))["tag"]
    theirs = (await olga.request({"type": "tag_save", "site": other_site, "name": "Theirs",
                                  "color": "#000000"}))["tag"]
    # Boss is away: the chat waits in the site's queue, nobody's yet.
    await boss.request({"type": "presence", "status": "away"})
    ana = await live_papo.console(people["ana"])
    await ana.request({"type": "presence", "status": "away"})
    visitor, _ = await live_papo.visitor(site)
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "my invoice is wrong"}))["conversation"]
    await boss.expect("conversation", event="created")

    added = await ana.request({"type": "tag_add", "conversation": conv, "tag": vip["id"]})
    assert added["type"] == "ok" and added["conversation"]["tags"] == [vip["id"]]
    for peer in (boss, ana):  # neither watches the chat: the site's consoles all hear it
        heard = await peer.expect("conversation", event="tagged")
        assert heard["conversation"]["id"] == conv
        assert heard["conversation"]["tags"] == [vip["id"]]
    same = await boss.request({"type": "tag_add", "conversation": conv, "tag": vip["id"]})
    assert same["conversation"]["tags"] == [vip["id"]]  # twice is once, and told nobody

    # Raw clients: other sites' tags and conversations look missing; nothing changes.
    assert refused(await ana.request({"type": "tag_add", "conversation": conv,
                                      "tag": theirs["id"]}), "not_found")
    assert refused(await olga.request({"type": "tag_add", "conversation": conv,
                                       "tag": vip["id"]}), "not_found")
    assert refused(await olga.request({"type": "tag_add", "conversation": conv,
                                       "tag": theirs["id"]}), "not_found")
    assert refused(await olga.request({"type": "tag_remove", "conversation": conv,
                                       "tag": vip["id"]}), "not_found")
    assert refused(await ana.request({"type": "tag_add", "conversation": 2**40,
                                      "tag": vip["id"]}), "not_found")
    assert refused(await ana.request({"type": "tag_add", "conversation": conv,
                                      "tag": "VIP"}), "invalid")
    queue = await ana.request({"type": "list", "box": "queue", "site": site})
    assert [(c["id"], c["tags"]) for c in queue["conversations"]] == [(conv, [vip["id"]])]

    removed = await boss.request({"type": "tag_remove", "conversation": conv, "tag": vip["id"]})
    assert removed["conversation"]["tags"] == []
    assert (await ana.expect("conversation", event="tagged"))["conversation"]["tags"] == []
    await ana.request({"type": "tag_add", "conversation": conv, "tag": vip["id"]})
    await boss.expect("conversation", event="tagged")
    await boss.request({"type": "tag_delete", "id": vip["id"]})
    assert (await ana.expect("tags", site=site))["tags"] == []
    thread = await ana.request({"type": "open", "conversation": conv})
    assert thread["conversation"]["tags"] == []  # a deleted tag is off every chat

    # The visitor never heard of tags, and the other site's admin of this chat.
    widget_frames = visitor.frames + await visitor.quiet()
    assert not [f for f in widget_frames if f.get("event") == "tagged" or "tags" in str(f)]
    assert not [f for f in await olga.quiet() if f["type"] == "conversation"]
    for peer in (boss, ana, olga, visitor):
        await peer.close()
