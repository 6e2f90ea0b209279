"""What an agent's open console hears of an edit made in the Django admin, over a
real daphne on both stacks. The admin is driven as an operator would: a
superuser logged in through /admin/login/, posting the admin's own forms.

- a chat sent back to the queue: it shows in Waiting with nobody assigned, the
  visitor hears it, and a second attempt is refused with the reason on the page;
- a membership added: the agent's console reconnects (4409) and is welcomed with
  the new site, whose colleague sees them and whose waiting chat they get;
- a capacity raised on the site's page: a waiting chat is routed to the agent.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from papo.testing.client import Peer, client_id
from papo.testing.live import LivePapo
from papo.testing.web import Browser, form_fields

pytestmark = pytest.mark.live


class Admin(Browser):
    """A superuser's browser, logged in to the admin."""

    def __init__(self, base: str, username: str) -> None:
        super().__init__(base)
        self.username = username
        self.login(username, "pw-root", "/admin/login/", "/admin/")


@pytest.fixture(scope="module")
def admin(live_papo) -> Admin:
    username = "root-" + uuid.uuid4().hex[:6]
    live_papo.stack.manage("shell", "-c", (
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser({username!r}, '', 'pw-root')"))
    return Admin(live_papo.server.http, username)


def seed(live: LivePapo, agents: dict[str, list[str]], **opts) -> dict:
    """Fresh sites and agents ({name: [site names]}): {"sites": …, "agents": …}."""
    tag = uuid.uuid4().hex[:6]
    names = sorted({s for sites in agents.values() for s in sites})
    out = live.seed({
        "sites": [{"name": f"{s} {tag}", "origins": [live.host.origin]} for s in names],
        "agents": [{"username": f"{n}-{tag}", "name": n.capitalize(),
                    "sites": [f"{s} {tag}" for s in sites], **opts}
                   for n, sites in agents.items()]})
    return {"sites": {s: out["sites"][f"{s} {tag}"] for s in names},
            "agents": {n: out["agents"][f"{n}-{tag}"] for n in agents}}


async def submit(admin: Browser, path: str, changes: dict) -> tuple[str, str]:
    """Load an admin form, change some fields, save it: (URL landed on, its page)."""
    fields = form_fields(await asyncio.to_thread(admin.page, path))
    return await asyncio.to_thread(admin.submit, path, {**fields, **changes, "_save": "Save"})


async def list_action(admin: Browser, action: str, conversation: int) -> str:
    """Run an action of the conversation list on one chat; the page landed on."""
    path = "/admin/conversations/conversation/"
    await asyncio.to_thread(admin.get, path)
    _, page = await asyncio.to_thread(admin.submit, path, [
        ("action", action), ("index", "0"), ("_selected_action", str(conversation))])
    return page


async def reconnect_asked(peer: Peer) -> None:
    """The server closed ``peer`` with 4409 after an ``access_changed`` error."""
    code = await asyncio.wait_for(peer.closed(), 10)
    errors = [f["code"] for f in peer.frames if f.get("type") == "error"]
    assert (code, errors) == (4409, ["access_changed"])


async def new_chat(live: LivePapo, site_key: str) -> tuple[Peer, int]:
    visitor, _ = await live.visitor(site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    return visitor, ack["conversation"]


async def test_a_chat_sent_back_to_the_queue_in_the_admin(live_papo, admin):
    team = live_papo.team("ana")
    ana = await live_papo.console(team.agents["ana"])
    visitor, conv = await new_chat(live_papo, team.site_key)
    await ana.expect("conversation", event="assigned",
                     where=lambda f: f["conversation"]["id"] == conv)
    page = await list_action(admin, "requeue", conv)
    assert "1 conversation(s) sent back to the queue." in page
    heard = await ana.expect("conversation", event="requeued")
    assert heard["conversation"]["id"] == conv
    assert (heard["conversation"]["status"], heard["conversation"]["assignee"]) == (
        "waiting", None)
    shown = await ana.expect("message", event="requeued")
    assert shown["message"]["data"] == {"agent": "Ana", "by": admin.username}
    told = await visitor.expect("conversation", event="requeued")
    assert told["conversation"]["status"] == "waiting" and told["conversation"]["agent"] is None
    # in Waiting, not back with Ana (she is the only one here: it waits)
    queue = await ana.request({"type": "list", "box": "queue", "site": team.site_key})
    assert [c["id"] for c in queue["conversations"]] == [conv]
    assert (await ana.request({"type": "list", "box": "mine"}))["conversations"] == []
    # a waiting chat cannot be sent back: the admin is told why, nothing is published
    seen = len(ana.frames)
    page = await list_action(admin, "requeue", conv)
    assert f"#{conv}: only an open conversation can go back to the queue" in page
    await ana.quiet(0.3)
    assert ana.frames[seen:] == []
    for peer in (ana, visitor):
        await peer.close()


async def test_a_membership_added_in_the_admin_brings_the_site_to_the_console(
        live_papo, admin):
    team = seed(live_papo, {"ana": ["Desk"], "bruno": ["Lab"]})
    ana, lab = team["agents"]["ana"], team["sites"]["Lab"]
    bruno = await live_papo.console(team["agents"]["bruno"])
    await bruno.request({"type": "presence", "status": "away"})  # Lab's chat will wait
    visitor, conv = await new_chat(live_papo, lab["key"])
    await bruno.expect("conversation", event="created")
    console = await live_papo.console(ana)
    assert [s["key"] for s in console.frames[0]["sites"]] == [team["sites"]["Desk"]["key"]]

    landed, page = await submit(admin, "/admin/agents/membership/add/", {
        "user": str(ana["id"]), "site": str(lab["id"]), "role": "agent",
        "max_concurrent": "5"})
    assert landed.endswith("/admin/agents/membership/"), landed
    # Lab's agent sees Ana arrive, online, and take the waiting chat
    await bruno.expect("presence", where=lambda f: f["agent"]["id"] == ana["id"]
                       and f["agent"]["status"] == "online")
    got = await bruno.expect("conversation", event="assigned")
    assert (got["conversation"]["id"], got["conversation"]["assignee"]["id"]) == (
        conv, ana["id"])
    await visitor.expect("conversation", event="assigned")
    # Ana's console is told to reconnect, and is welcomed with both sites
    await reconnect_asked(console)
    again = await live_papo.console(ana)
    assert sorted(s["key"] for s in again.frames[0]["sites"]) == sorted(
        s["key"] for s in team["sites"].values())
    mine = await again.request({"type": "list", "box": "mine"})
    assert [c["id"] for c in mine["conversations"]] == [conv]
    for peer in (again, bruno, visitor):
        await peer.close()


async def test_a_capacity_raised_on_the_sites_page_routes_a_waiting_chat(live_papo, admin):
    team = seed(live_papo, {"ana": ["Desk"]}, max_concurrent=1)
    ana, desk = team["agents"]["ana"], team["sites"]["Desk"]
    console = await live_papo.console(ana)
    first_visitor, first = await new_chat(live_papo, desk["key"])
    await console.expect("conversation", event="assigned")
    second_visitor, second = await new_chat(live_papo, desk["key"])
    created = await console.expect("conversation", event="created")
    assert created["conversation"]["status"] == "waiting"  # Ana is full

    landed, page = await submit(admin, f"/admin/papo_sites/site/{desk['id']}/change/",
                                {"members-0-max_concurrent": "2"})
    assert landed.endswith("/admin/papo_sites/site/"), landed
    got = await console.expect("conversation", event="assigned")
    assert (got["conversation"]["id"], got["conversation"]["assignee"]["id"]) == (
        second, ana["id"])
    await second_visitor.expect("conversation", event="assigned")
    await reconnect_asked(console)  # its welcome showed a capacity of 1
    again = await live_papo.console(ana)
    assert [s["max_concurrent"] for s in again.frames[0]["sites"]] == [2]
    mine = await again.request({"type": "list", "box": "mine"})
    assert sorted(c["id"] for c in mine["conversations"]) == sorted([first, second])
    for peer in (again, first_visitor, second_visitor):
        await peer.close()
