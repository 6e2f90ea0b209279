"""The documented deployment: nginx (deploy/nginx.conf.template) in front of two daphnes."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
import websockets

from papo.testing.client import Peer, Refused, client_id
from papo.testing.floods import close_all, half_open, still_open
from papo.testing.live import REPO, start_live, stop_live
from papo.testing.server import free_port

pytestmark = [pytest.mark.live, pytest.mark.services]


def load_cluster():
    spec = importlib.util.spec_from_file_location("cluster", REPO / "deploy" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def behind_nginx():
    if not shutil.which("nginx"):
        if os.environ.get("PAPO_REQUIRE_SERVICES") == "1":
            pytest.fail("nginx is not installed (./papo test installs it as root)")
        pytest.skip("nginx is not installed")
    # Papo's own open-socket limit above the proxy's per-client one, to see the proxy's
    live = start_live("scaled", processes=2, env={"PAPO_TRUSTED_PROXIES": "127.0.0.1",
                                                  "PAPO_CONNECTIONS_PER_IP": "1000"})
    run_dir = tempfile.mkdtemp(prefix="papo-nginx-")
    port = free_port()
    cluster = load_cluster()
    # nginx's workers run as an unprivileged user: give them a readable copy of the
    # built static files (a checkout may sit in a private directory).
    static = tempfile.mkdtemp(prefix="papo-static-")
    os.chmod(static, 0o755)
    dist = REPO / "widget" / "dist"
    if not (dist / "papo").is_dir():
        subprocess.run(["npm", "run", "-s", "build"], cwd=REPO, check=True)
    shutil.copytree(dist, static, dirs_exist_ok=True)
    for folder, dirs, files in os.walk(static):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    conf = cluster.render(port, [f"127.0.0.1:{s.port}" for s in live.servers], static, run_dir)
    nginx = cluster.start_nginx(conf, run_dir)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    live.nginx_port = port
    live.static_dir = static
    yield live
    nginx.terminate()
    nginx.wait(10)
    stop_live(live)


async def test_widget_and_console_chat_through_nginx(behind_nginx):
    live = behind_nginx
    port = live.nginx_port
    team = live.team("ana", "bruno")
    base = f"ws://127.0.0.1:{port}"
    consoles = []
    for name in ("ana", "bruno"):  # least_conn spreads them over both processes
        peer = await Peer.open(f"{base}/ws/console/", origin=f"http://127.0.0.1:{port}",
                               cookie=f"sessionid={team.agents[name]['session']}")
        await peer.send({"type": "hello", "v": 1})
        await peer.expect("welcome")
        consoles.append(peer)
    visitor = await Peer.open(f"{base}/ws/widget/{team.site_key}/", origin=live.host.origin)
    await visitor.send({"type": "hello", "v": 1})
    await visitor.expect("welcome")
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "via nginx"})
    conv = ack["conversation"]
    assigned = await consoles[0].expect("conversation", event="assigned")
    owner = next(c for c, name in zip(consoles, ("ana", "bruno"), strict=True)
                 if team.agents[name]["id"] == assigned["conversation"]["assignee"]["id"])
    await owner.expect("message", body="via nginx")
    await owner.request({"type": "send", "conversation": conv, "client_id": client_id(),
                         "body": "answered behind nginx"})
    await visitor.expect("message", body="answered behind nginx")
    # the per-site origin rule still holds behind the proxy
    with pytest.raises(Refused):
        await Peer.open(f"{base}/ws/widget/{team.site_key}/", origin="https://evil.example")
    for peer in [visitor, *consoles]:
        await peer.close()


async def test_nginx_serves_the_widget_with_long_cache_for_the_hashed_chunk(behind_nginx):
    port = behind_nginx.nginx_port
    chunk = next(p.name for p in (REPO / "widget" / "dist" / "papo").glob("ui-*.js"))

    def head(path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.headers.get("Cache-Control", "")

    status, cache = await asyncio.to_thread(head, "/static/papo/widget.js")
    assert status == 200 and "immutable" not in cache
    status, cache = await asyncio.to_thread(head, f"/static/papo/{chunk}")
    assert status == 200 and "immutable" in cache


# --- one client's share, at the proxy (docs/security.md) --------------------------------------
PER_CLIENT = 100  # limit_conn papo_per_client in deploy/nginx.conf.template


async def test_half_open_handshakes_stay_in_nginx_and_do_not_delay_a_visitor(behind_nginx):
    """The flood of issue #19 (3,500 half-sent upgrade requests from one address)
    aimed at the documented deployment: nginx holds them itself, daphne never sees
    them (every connection reaches it from nginx, exempt from its per-address cap),
    and a visitor from another address is welcomed within the second."""
    live, port = behind_nginx, behind_nginx.nginx_port
    team = live.team("ana")
    flood = await asyncio.to_thread(half_open, port, f"/ws/widget/{team.site_key}/", 3_500,
                                    "127.0.0.2")
    try:
        started = time.monotonic()
        visitor = await Peer.open(f"ws://127.0.0.1:{port}/ws/widget/{team.site_key}/",
                                  origin=live.host.origin)
        await visitor.send({"type": "hello", "v": 1})
        await visitor.expect("welcome")
        took = time.monotonic() - started
        assert took < 1.0, f"welcome after {took:.2f} s behind 3,500 half-open"
        await visitor.close()
        assert all(await asyncio.to_thread(lambda: [still_open(s) for s in flood]))
    finally:
        await asyncio.to_thread(close_all, flood)


async def test_nginx_caps_what_one_client_holds_open(behind_nginx):
    """Behind the proxy Papo sees one address; the proxy counts each client's:
    past PER_CLIENT sockets from one address, nginx answers 429 itself."""
    live, port = behind_nginx, behind_nginx.nginx_port
    team = live.team("ana")
    url = f"ws://127.0.0.1:{port}/ws/widget/{team.site_key}/"
    held = []
    try:
        for _ in range(PER_CLIENT):
            peer = await Peer.open(url, origin=live.host.origin)
            await peer.send({"type": "hello", "v": 1})
            await peer.expect("welcome")
            held.append(peer)
        with pytest.raises(Refused) as refused:
            await Peer.open(url, origin=live.host.origin)
        assert refused.value.status == 429
        # another client of the same proxy is not affected
        other = Peer(await websockets.connect(url, origin=live.host.origin, open_timeout=10,
                                              ping_interval=None, local_addr=("127.0.0.3", 0)))
        held.append(other)
        await other.send({"type": "hello", "v": 1})
        await other.expect("welcome")
    finally:
        for peer in held:
            await peer.close()
