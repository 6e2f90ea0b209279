"""Running Papo for tests: stacks, daphne processes, the host page, seeded data."""

from __future__ import annotations

import functools
import http.server
import os
import threading
import uuid
from dataclasses import dataclass, field

import pytest

from .client import Peer
from .server import BACKEND, Daphne, Stack, free_port, services_missing

PROTOCOL = 2  # the version these test clients speak unless a test asks for another

REPO = BACKEND.parent


def require_services() -> None:
    reason = services_missing()
    if reason:
        if os.environ.get("PAPO_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PAPO_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(f"scaled stack skipped: {reason}")


def make_stack(name: str) -> Stack:
    if name == "scaled":
        require_services()
        return Stack.scaled()
    return Stack.embedded()


class HostPage:
    """The customer's website: a static server on another port (another origin)."""

    def __init__(self) -> None:
        self.port = free_port()
        handler = functools.partial(_QuietHandler, directory=str(REPO))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Team:
    site_key: str
    agents: dict[str, dict]


@dataclass
class LivePapo:
    """A running Papo: its stack, daphne processes, the host page and seeded data."""

    stack: Stack
    host: HostPage
    servers: list[Daphne] = field(default_factory=list)
    site_key: str = ""
    other_site_key: str = ""
    heartbeat: float | None = None  # console pings, when the presence TTL is short

    @property
    def server(self) -> Daphne:
        return self.servers[0]

    def seed(self, spec: dict) -> dict:
        return self.stack.seed(spec)

    def team(self, *names: str, site_fields: dict | None = None, **opts) -> Team:
        """A fresh site of its own with these agents, so tests never share routing
        (``site_fields``: other Site fields, e.g. its notification address)."""
        tag = uuid.uuid4().hex[:6]
        site_name = f"Team {tag}"
        spec = {"sites": [{"name": site_name, "origins": [self.host.origin],
                           "fields": site_fields or {}}],
                "agents": [{"username": f"{n}-{tag}", "name": n.capitalize(),
                            "sites": [site_name], **opts} for n in names]}
        out = self.seed(spec)
        return Team(out["sites"][site_name]["key"],
                    {n: {**out["agents"][f"{n}-{tag}"], "username": f"{n}-{tag}"}
                     for n in names})

    def new_agents(self, *names: str, site: str = "Shop", **opts) -> dict[str, dict]:
        """Fresh agents (unique usernames) on a site: {name: {id, session, username}}."""
        tag = uuid.uuid4().hex[:6]
        spec = {"agents": [{"username": f"{n}-{tag}", "name": n.capitalize(), "sites": [site],
                            **opts} for n in names]}
        spec["sites"] = [{"name": site, "origins": self._origins(site)}]
        out = self.seed(spec)["agents"]
        return {n: {**out[f"{n}-{tag}"], "username": f"{n}-{tag}"} for n in names}

    def _origins(self, site: str) -> list[str]:
        return {"Shop": [self.host.origin], "Other": ["https://other.example"]}.get(
            site, [self.host.origin])

    def shell(self, code: str) -> str:
        """Run ``code`` in the server's own environment (its database); its last line."""
        return self.stack.manage("shell", "-c", code).strip().splitlines()[-1]

    def backdate(self, conversation: int, minutes: int) -> None:
        """Move a chat ``minutes`` into the past: its rows, as if that time had gone by
        (the tests of timed rules never sleep for minutes)."""
        self.shell(f"""
from datetime import timedelta
from conversations.models import Conversation, Message
d = timedelta(minutes={minutes})
c = Conversation.objects.get(pk={conversation})
Conversation.objects.filter(pk=c.pk).update(created_at=c.created_at - d,
                                            updated_at=c.updated_at - d)
for m in Message.objects.filter(conversation=c):
    Message.objects.filter(pk=m.pk).update(created_at=m.created_at - d)
print("ok")""")

    def new_site(self, name: str, **opts) -> dict:
        spec = {"sites": [{"name": name, "origins": opts.pop("origins", [self.host.origin]),
                           **opts}]}
        return self.seed(spec)["sites"][name]

    async def widget(self, site_key: str | None = None, *, origin: str | None = "default",
                     server: Daphne | None = None, **headers) -> Peer:
        origin = self.host.origin if origin == "default" else origin
        url = f"{(server or self.server).ws}/ws/widget/{site_key or self.site_key}/"
        return await Peer.open(url, origin=origin, headers=headers)

    async def visitor(self, site_key: str | None = None, **hello) -> tuple[Peer, dict]:
        """A widget socket that said hello (protocol version ``v``, the current one
        unless given); returns it and the welcome."""
        peer = await self.widget(site_key, server=hello.pop("server", None))
        await peer.send({"type": "hello", "v": hello.pop("v", PROTOCOL), **hello})
        return peer, await peer.expect("welcome")

    async def console(self, agent: dict, *, origin: str | None = "default",
                      server: Daphne | None = None, hello: bool = True,
                      v: int | None = None) -> Peer:
        server = server or self.server
        origin = server.http if origin == "default" else origin
        peer = await Peer.open(f"{server.ws}/ws/console/", origin=origin,
                               cookie=f"sessionid={agent['session']}")
        if hello:
            await peer.send({"type": "hello", "v": v or PROTOCOL})
            peer.welcome = await peer.expect("welcome")
        if self.heartbeat:
            peer.start_heartbeat(self.heartbeat)
        return peer


def start_live(stack_name: str, *, processes: int = 1, env: dict | None = None) -> LivePapo:
    stack = make_stack(stack_name)
    stack.migrate()
    host = HostPage()
    live = LivePapo(stack=stack, host=host)
    if env and "PAPO_PRESENCE_TTL" in env:
        live.heartbeat = float(env["PAPO_PRESENCE_TTL"]) / 6
    seeded = stack.seed({"sites": [
        {"name": "Shop", "origins": [host.origin]},
        {"name": "Other", "origins": ["https://other.example"]},
    ]})
    live.site_key = seeded["sites"]["Shop"]["key"]
    live.other_site_key = seeded["sites"]["Other"]["key"]
    for _ in range(processes):
        live.servers.append(Daphne(stack, env).start())
    return live


def stop_live(live: LivePapo) -> None:
    for server in live.servers:
        server.stop()
    live.host.close()
    live.stack.close()
