"""Access that ends closes the console socket; one visitor's tabs share one allowance.

Over a real daphne on both stacks (and two daphnes on the scaled one):

- an agent who logs out (a real login and logout over HTTP), whose session is
  deleted or expires, who is deactivated, or who is removed from a site (through
  the real admin) has their open console socket closed promptly with the
  documented error frame and close code, and their colleague sees them go offline;
- a visitor flooding from many tabs is limited with ``rate_limited`` across all
  of them to one shared allowance while another visitor keeps chatting, can chat
  again once it stops, has every tab that keeps going closed (4008), and leaves
  no counter or group behind.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid

import pytest

from papo.testing.client import Peer, Refused, client_id
from papo.testing.live import LivePapo, start_live, stop_live
from papo.testing.server import REDIS_URL
from papo.testing.web import Browser
from realtime.visitor_bucket import LINGER_MS

pytestmark = [pytest.mark.live, pytest.mark.security]

FRAME_BURST, FRAME_RATE, STRIKES, PER_IP = 5, 2, 4, 12
# One visitor's tabs together may send what one socket could: a bucket of 5 refilled
# at 2 a second, so at most 5 + 2t frames in any t seconds.
LIVE_ENV = {
    "PAPO_FRAME_BURST": str(FRAME_BURST),
    "PAPO_FRAME_RATE": str(FRAME_RATE),
    "PAPO_FRAME_STRIKES": str(STRIKES),
    "PAPO_VISITOR_FRAME_SOCKETS": "1",
    "PAPO_CONNECTIONS_PER_IP": str(PER_IP),
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "2000",
    "PAPO_SESSION_CHECK_SECONDS": "0.5",
}
PROMPT = 3.0  # seconds from the change to the close ("a second or two", on a loaded box)
HEARTBEAT = 0.3  # console pings, where the test relies on the periodic re-check


# --- helpers ------------------------------------------------------------------------------
def seed_agents(live: LivePapo, agents: dict[str, list[str]]) -> dict:
    """Fresh sites and agents: {name: [site names]}; returns the seed output (plus tags)."""
    tag = uuid.uuid4().hex[:6]
    site_names = sorted({s for sites in agents.values() for s in sites})
    spec = {"sites": [{"name": f"{s} {tag}", "origins": [live.host.origin]} for s in site_names],
            "agents": [{"username": f"{n}-{tag}", "name": n.capitalize(),
                        "sites": [f"{s} {tag}" for s in sites]} for n, sites in agents.items()]}
    out = live.seed(spec)
    return {"sites": {s: out["sites"][f"{s} {tag}"] for s in site_names},
            "agents": {n: {**out["agents"][f"{n}-{tag}"], "username": f"{n}-{tag}"}
                       for n in agents}}


async def shell(live: LivePapo, code: str) -> str:
    """Run Python in ``manage.py shell`` against the stack: another process, as an
    operator's command would be (its signals reach daphne only through Redis)."""
    return await asyncio.to_thread(live.stack.manage, "shell", "-c", code)


async def ended(peer: Peer, error_code: str, close_code: int, since: float) -> float:
    """Wait for the server to close ``peer`` after an ``error`` with ``error_code``;
    returns the seconds from ``since`` to the close."""
    # a deadline for the whole wait: a heartbeat's pongs would keep closed() waiting
    code = await asyncio.wait_for(peer.closed(), PROMPT + 5)
    elapsed = time.monotonic() - since
    errors = [f["code"] for f in peer.frames if f.get("type") == "error"]
    assert (code, errors[-1:]) == (close_code, [error_code]), (code, errors)
    return elapsed


async def sees_offline(peer: Peer, agent_id: int) -> dict:
    return await peer.expect("presence", timeout=PROMPT + 2, where=lambda f: (
        f["agent"]["id"] == agent_id and f["agent"]["status"] == "offline"))


async def refused_console(live: LivePapo, session: str, server=None) -> int:
    server = server or live.server
    with pytest.raises(Refused) as refused:
        await Peer.open(f"{server.ws}/ws/console/", origin=server.http,
                        cookie=f"sessionid={session}")
    return refused.value.status


# --- session end --------------------------------------------------------------------------
async def test_logout_closes_that_sessions_console_only(live_papo):
    team = seed_agents(live_papo, {"ana": ["Desk"], "bruno": ["Desk"]})
    ana, bruno_agent = team["agents"]["ana"], team["agents"]["bruno"]
    browser = Browser(live_papo.server.http)
    session = await asyncio.to_thread(browser.login, ana["username"], "pw-" + ana["username"])
    laptop = await live_papo.console({"session": session})  # the browser that logs out
    phone = await live_papo.console(ana)  # ana's other session, elsewhere
    bruno = await live_papo.console(bruno_agent)
    since = time.monotonic()
    landed = await asyncio.to_thread(browser.post, "/console/logout/", {})
    assert landed.endswith("/console/login/")
    assert await ended(laptop, "session_ended", 4401, since) < PROMPT
    # the same agent's other session is untouched, and she is still online
    assert (await phone.request({"type": "ping"}))["type"] == "pong"
    agents = (await bruno.request({"type": "agents"}))["agents"]
    assert {a["id"]: a["status"] for a in agents}[ana["id"]] == "online"
    assert await refused_console(live_papo, session) == 403  # the cookie is dead
    for peer in (phone, bruno):
        await peer.close()


async def ana_watched_by_bruno(live_papo):
    """Two agents of one site online: Ana, whose access is about to end, and Bruno,
    who watches her presence. Returns the seeded team, Bruno's console, Ana's console."""
    team = seed_agents(live_papo, {"ana": ["Desk"], "bruno": ["Desk"]})
    agents = team["agents"]
    return team, await live_papo.console(agents["bruno"]), await live_papo.console(agents["ana"])


@pytest.mark.parametrize("how", ["deleted", "expired"])
async def test_a_session_deleted_or_expired_in_the_store_is_noticed_on_the_heartbeat(
        live_papo, how):
    team, bruno, console = await ana_watched_by_bruno(live_papo)
    ana = team["agents"]["ana"]
    console.start_heartbeat(HEARTBEAT)
    await bruno.expect("presence", where=lambda f: f["agent"]["id"] == ana["id"])
    change = (".delete()" if how == "deleted"
              else ".update(expire_date=timezone.now() - timedelta(seconds=1))")
    await shell(live_papo, (
        "from datetime import timedelta; from django.utils import timezone; "
        "from django.contrib.sessions.models import Session; "
        f"print(Session.objects.filter(session_key={ana['session']!r}){change})"))
    since = time.monotonic()
    assert await ended(console, "session_ended", 4401, since) < PROMPT
    await sees_offline(bruno, ana["id"])
    assert await refused_console(live_papo, ana["session"]) == 403
    await bruno.close()


async def test_a_deactivated_agent_is_closed_and_goes_offline(live_papo):
    team, bruno, console = await ana_watched_by_bruno(live_papo)
    ana = team["agents"]["ana"]
    if live_papo.stack.name == "embedded":
        # The shell's in-memory layer cannot reach daphne: the socket's own re-check
        # finds it. On the scaled stack the signal alone must do it (no heartbeat).
        console.start_heartbeat(HEARTBEAT)
    await shell(live_papo, (
        "from django.contrib.auth.models import User; "
        f"u = User.objects.get(pk={ana['id']}); u.is_active = False; u.save()"))
    since = time.monotonic()
    assert await ended(console, "access_revoked", 4403, since) < PROMPT
    await sees_offline(bruno, ana["id"])
    assert await refused_console(live_papo, ana["session"]) == 403
    await bruno.close()


@pytest.fixture(scope="module")
def admin(live_papo):
    """A superuser, for the admin's own delete view."""
    username = "root-" + uuid.uuid4().hex[:6]
    live_papo.stack.manage("shell", "-c", (
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser({username!r}, '', 'pw-root')"))
    return username


async def admin_removes_membership(live: LivePapo, admin: str, agent_id: int,
                                   site_id: int) -> float:
    """Delete the membership through /admin/, as a site owner would; returns when."""
    pk = int((await shell(live, (
        "from agents.models import Membership; "
        f"print(Membership.objects.get(user_id={agent_id}, site_id={site_id}).pk)"))).split()[-1])
    browser = Browser(live.server.http)
    await asyncio.to_thread(browser.login, admin, "pw-root", "/admin/login/", "/admin/")
    path = f"/admin/agents/membership/{pk}/delete/"
    await asyncio.to_thread(browser.get, path)
    landed = await asyncio.to_thread(browser.post, path, {"post": "yes"})
    assert landed.endswith("/admin/agents/membership/"), landed
    return time.monotonic()


async def test_removed_from_the_only_site_closes_with_4403(live_papo, admin):
    team, bruno, console = await ana_watched_by_bruno(live_papo)
    ana, bruno_agent = team["agents"]["ana"], team["agents"]["bruno"]
    since = await admin_removes_membership(live_papo, admin, ana["id"],
                                           team["sites"]["Desk"]["id"])
    assert await ended(console, "access_revoked", 4403, since) < PROMPT
    await sees_offline(bruno, ana["id"])
    agents = (await bruno.request({"type": "agents"}))["agents"]
    assert [a["id"] for a in agents] == [bruno_agent["id"]]
    await bruno.close()


async def test_removed_from_one_of_two_sites_reconnects_with_the_other(live_papo, admin):
    team = seed_agents(live_papo, {"ana": ["Desk", "Lab"], "bruno": ["Desk"], "caio": ["Lab"]})
    ana, desk, lab = team["agents"]["ana"], team["sites"]["Desk"], team["sites"]["Lab"]
    bruno = await live_papo.console(team["agents"]["bruno"])
    caio = await live_papo.console(team["agents"]["caio"])
    console = await live_papo.console(ana)
    assert sorted(s["key"] for s in console.frames[0]["sites"]) == sorted(
        [desk["key"], lab["key"]])
    since = await admin_removes_membership(live_papo, admin, ana["id"], desk["id"])
    assert await ended(console, "access_changed", 4409, since) < PROMPT
    await sees_offline(bruno, ana["id"])  # gone from Desk...
    again = await live_papo.console(ana)  # ...what the console does after 4409
    assert [s["key"] for s in again.frames[0]["sites"]] == [lab["key"]]
    # ...and online again for Lab once reconnected (a reconnect is a disconnect first)
    await caio.expect("presence", where=lambda f: (
        f["agent"]["id"] == ana["id"] and f["agent"]["status"] == "online"))
    agents = (await caio.request({"type": "agents"}))["agents"]
    assert {a["id"]: a["status"] for a in agents}[ana["id"]] == "online"
    for peer in (again, bruno, caio):
        await peer.close()


# --- one visitor, many tabs ----------------------------------------------------------------
async def open_tabs(live: LivePapo, n: int, servers=None, site_key: str | None = None,
                    ) -> tuple[list[Peer], str]:
    """``n`` widget sockets of one visitor (the first one's token), spread over ``servers``."""
    servers = servers or [live.server]
    first, welcome = await live.visitor(site_key, server=servers[0])
    tabs = [first]
    for i in range(1, n):
        tab, _ = await live.visitor(site_key, token=welcome["token"],
                                    server=servers[i % len(servers)])
        tabs.append(tab)
    return tabs, welcome["visitor"]["id"]


async def burst(tab: Peer, n: int) -> list[dict]:
    """Send ``n`` messages back to back on one socket; the replies to them."""
    refs = [f"b{uuid.uuid4().hex[:8]}" for _ in range(n)]
    for ref in refs:
        await tab.send({"type": "send", "ref": ref, "client_id": client_id(), "body": ref})
    got: dict[str, dict] = {}
    while len(got) < n:
        frame = await tab.next(timeout=10)
        if frame.get("ref") in refs:
            got[frame["ref"]] = frame
    return list(got.values())


async def flood(tabs: list[Peer], per_tab: int) -> tuple[list[dict], list[dict]]:
    """Every tab sends ``per_tab`` messages at once (within its own bucket); acks, refusals."""
    replies = [r for rs in await asyncio.gather(*(burst(tab, per_tab) for tab in tabs))
               for r in rs]
    acks = [r for r in replies if r["type"] == "ack"]
    limited = [r for r in replies if r.get("code") == "rate_limited"]
    assert len(acks) + len(limited) == len(replies), replies
    return acks, limited


async def test_a_flood_spread_over_tabs_is_limited_per_visitor(live_papo):
    tabs, _ = await open_tabs(live_papo, 6)
    began = time.time()
    # the first message opens the conversation; then all six tabs at once
    first = await tabs[0].request({"type": "send", "client_id": client_id(), "body": "hi"})
    assert first["type"] == "ack"
    calm, _ = await live_papo.visitor()
    calm_send = calm.request({"type": "send", "client_id": client_id(), "body": "calm"})
    # Hello took one token of each tab's burst of 5: four more each stay within every
    # socket's own bucket (24 in all); only the visitor's shared limit can refuse.
    (acks, limited), calm_ack = await asyncio.gather(
        flood(tabs, FRAME_BURST - 1), calm_send)
    took = time.time() - began
    assert calm_ack["type"] == "ack"  # another visitor on the same server keeps chatting
    sent = 1 + len(acks)
    # all of the bucket and what refilled while they sent, not one frame more
    assert FRAME_BURST <= sent <= FRAME_BURST + FRAME_RATE * (took + 1e-6), (sent, took)
    assert len(limited) == 24 - len(acks)
    # at most one frame's refill (0.5 s), to the hundredth, rounded up
    assert all(0 < r["retry_after"] <= 1 / FRAME_RATE + 0.01 for r in limited)
    stored = {a["seq"] for a in acks} | {first["seq"]}
    assert len(stored) == sent  # every ack is a stored message, nothing else was
    # after a frame's refill, the most any of them was told to wait, the same
    # visitor chats again (from any tab)
    await asyncio.sleep(1 / FRAME_RATE + 0.1)
    again = await tabs[3].request({"type": "send", "client_id": client_id(), "body": "back"})
    assert again["type"] == "ack" and again["seq"] == max(stored) + 1
    assert (await calm.request({"type": "send", "client_id": client_id(),
                                "body": "still calm"}))["type"] == "ack"
    for peer in [*tabs, calm]:
        await peer.close()


SLOW_BURST, SLOW_RATE = 8, 0.1  # a site whose bucket refills a frame in 10 s


async def test_tabs_that_keep_sending_past_the_visitors_allowance_are_closed(live_papo):
    """On a site with a slow bucket nothing refills during the test: two tabs spend
    the visitor's whole allowance, then every tab that sends past ``rate_limited``
    is closed (4008) on its fifth refusal in a row, and one that stopped is not."""
    site = live_papo.new_site(f"Slow {uuid.uuid4().hex[:6]}", frame_burst=SLOW_BURST,
                              frame_rate=SLOW_RATE)
    tabs, public_id = await open_tabs(live_papo, 6, site_key=site["key"])
    calm, _ = await live_papo.visitor()
    # Hello took one token of each tab's own burst of 8; the visitor's bucket is full.
    # The first tab keeps one token of its own; the second keeps 5, as the others have 7.
    spender = tabs[0]
    for tab, sends in ((spender, SLOW_BURST - 2), (tabs[1], 2)):
        for _ in range(sends):
            reply = await tab.request({"type": "send", "client_id": client_id(), "body": "x"})
            assert reply["type"] == "ack", reply
    for tab in tabs[1:]:  # within each one's own bucket, past the visitor's
        for _ in range(STRIKES + 1):
            await tab.send({"type": "typing", "state": "start"})
    codes = await asyncio.gather(*(tab.closed(timeout=PROMPT + 5) for tab in tabs[1:]))
    assert codes == [4008] * 5
    for tab in tabs[1:]:  # each was told, then kept going
        assert sum(f.get("message") == "too many frames from this visitor; slow down"
                   for f in tab.frames) >= STRIKES
    assert (await spender.request({"type": "ping"}))["type"] == "pong"  # it stopped: open
    assert (await calm.request({"type": "send", "client_id": client_id(),
                                "body": "unbothered"}))["type"] == "ack"
    await spender.close()
    await calm.close()
    await released(live_papo, public_id, SLOW_BURST / SLOW_RATE)


async def released(live: LivePapo, public_id: str, refill: float) -> None:
    """Counters and groups of closed sockets are gone: the address's connection
    count is back to zero (exactly ``PER_IP`` sockets fit again, one more does not);
    on Redis the count key, the visitor's group subscription and its frame bucket
    (which expires a minute after ``refill`` seconds, when it is full again) are
    read directly."""
    if live.stack.name == "scaled":
        import redis

        r = redis.Redis.from_url(REDIS_URL)
        prefix = live.stack.env["PAPO_CACHE_PREFIX"]
        deadline = time.monotonic() + 5
        while int(r.get(f"{prefix}:1:papo:conn:127.0.0.1") or 0) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert int(r.get(f"{prefix}:1:papo:conn:127.0.0.1") or 0) == 0
        assert r.pubsub_channels(f"*__group__papo.v.{public_id}") == []  # nobody holds it
        bucket = f"{prefix}:1:papo:vb:{public_id}"
        assert 0 < r.pttl(bucket) <= math.ceil(refill * 1000) + LINGER_MS + 1
    await asyncio.sleep(0.3)  # the last disconnects release their counts
    held = [(await live.visitor())[0] for _ in range(PER_IP)]
    extra = await live.widget()
    assert (await extra.expect("error"))["code"] == "rate_limited"
    assert await extra.closed() == 4029
    for peer in held:
        await peer.close()


# --- across processes (scaled stack, two daphnes) ----------------------------------------
@pytest.fixture(scope="module")
def pair():
    live = start_live("scaled", processes=2, env=LIVE_ENV)
    yield live
    stop_live(live)


@pytest.mark.services
async def test_across_processes_logout_closes_and_tabs_share_one_allowance(pair):
    a, b = pair.servers
    team = seed_agents(pair, {"ana": ["Desk"], "bruno": ["Desk"]})
    ana = team["agents"]["ana"]
    browser = Browser(a.http)  # logs in and out on A...
    session = await asyncio.to_thread(browser.login, ana["username"], "pw-" + ana["username"])
    console = await pair.console({"session": session}, server=b)  # ...the socket is on B
    bruno = await pair.console(team["agents"]["bruno"], server=a)
    since = time.monotonic()
    await asyncio.to_thread(browser.post, "/console/logout/", {})
    assert await ended(console, "session_ended", 4401, since) < PROMPT
    await sees_offline(bruno, ana["id"])  # B's disconnect, seen on A
    await bruno.close()
    # One visitor's tabs on both processes draw on one allowance: 4 tabs on each send
    # 2 messages (A also the first), so each process alone would let 5 through.
    tabs, public_id = await open_tabs(pair, 8, servers=[a, b])
    began = time.time()
    first = await tabs[0].request({"type": "send", "client_id": client_id(), "body": "hi"})
    assert first["type"] == "ack"
    acks, limited = await flood(tabs, 2)
    took = time.time() - began
    assert FRAME_BURST <= 1 + len(acks) <= FRAME_BURST + FRAME_RATE * (took + 1e-6), (
        len(acks), len(limited), took)
    # Every tab is shown every stored message, in spite of the two processes publishing
    # out of order (gaps are filled from the database, also for tabs that said hello
    # before the visitor was stored).
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    group = f"*__group__papo.v.{public_id}"  # whatever the deployment's prefix
    assert len(r.pubsub_channels(group)) == 1  # held while the tabs are open
    stored = {first["seq"], *(a["seq"] for a in acks)}
    for tab in tabs:
        while not stored <= {m["seq"] for m in tab.messages(first["conversation"])}:
            await tab.next(timeout=5)
        await tab.close()
    deadline = time.monotonic() + 5
    while r.pubsub_channels(group) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert r.pubsub_channels(group) == []  # neither process holds it
