"""``X-Forwarded-Proto`` on a real daphne in production settings (issue #19, point 6).

The server runs as in production (``DEBUG`` off: HTTPS redirect, secure cookies,
``SECURE_PROXY_SSL_HEADER``) with ``PAPO_TRUSTED_PROXIES=127.0.0.2``. Loopback
answers all of 127/8, so the same test plays the trusted proxy (its sockets bound
to 127.0.0.2) and a client on plain http that claims https itself (127.0.0.1).
Only the proxy's claim counts: for Django's ``request.is_secure()`` (the HTTPS
redirect) and for the console socket's origin rule.
"""

from __future__ import annotations

import asyncio
import http.client
import secrets
import time
from dataclasses import dataclass

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from papo.testing.client import Peer, Refused
from papo.testing.live import make_stack
from papo.testing.server import Daphne, Stack

pytestmark = [pytest.mark.live, pytest.mark.security]
PROXY = "127.0.0.2"
STRANGER = "127.0.0.1"
TLS = {"X-Forwarded-Proto": "https"}


@dataclass
class Production:
    stack: Stack
    server: Daphne
    session: str  # an agent's session cookie

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.port}"


def get(server: Daphne, path: str, source: str, headers: dict) -> tuple[int, str]:
    """One request from ``source``: the status and the Location header."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10,
                                      source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers)
        res = conn.getresponse()
        res.read()
        return res.status, res.getheader("Location") or ""
    finally:
        conn.close()


def wait_served(server: Daphne) -> None:
    """daphne is up: /healthz answers the proxy's https request (plain http would be
    redirected, so Daphne.wait_healthy's plain GET cannot tell)."""
    deadline = time.monotonic() + 30
    while True:
        assert server.proc is not None and server.proc.poll() is None, server.log()
        try:
            if get(server, "/healthz", PROXY, TLS)[0] == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"daphne did not start: {server.log()}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def production():
    stack = make_stack("embedded")
    # the seeder signs the session with the key the server reads it with
    stack.env["SECRET_KEY"] = secrets.token_urlsafe(50)
    server = None
    try:
        stack.migrate()
        out = stack.seed({"sites": [{"name": "Shop", "origins": ["https://shop.example"]}],
                          "agents": [{"username": "ana", "name": "Ana", "sites": ["Shop"]}]})
        server = Daphne(stack, {"DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
                                "PAPO_TRUSTED_PROXIES": PROXY}).launch()
        wait_served(server)
        yield Production(stack, server, out["agents"]["ana"]["session"])
    finally:
        if server is not None:
            server.stop()
        stack.close()


def test_https_claimed_by_a_client_itself_is_redirected_to_https(production):
    """SECURE_SSL_REDIRECT asks ``request.is_secure()``: a stranger's own
    ``X-Forwarded-Proto: https`` does not make plain http secure, the proxy's does."""
    server, https = production.server, f"https://{production.host}/healthz"
    assert get(server, "/healthz", STRANGER, TLS) == (301, https)
    assert get(server, "/healthz", STRANGER, {}) == (301, https)
    assert get(server, "/healthz", PROXY, TLS) == (200, "")
    # the proxy saying "http" is believed too: that client came over plain http
    assert get(server, "/healthz", PROXY, {"X-Forwarded-Proto": "http"}) == (301, https)


async def console(production: Production, source: str, origin: str, headers: dict) -> Peer:
    """The agent's console socket, opened from ``source`` (Peer.open, bound there)."""
    try:
        conn = await websockets.connect(
            f"ws://{production.host}/ws/console/", origin=origin, open_timeout=10,
            additional_headers={**headers, "Cookie": f"sessionid={production.session}"},
            local_addr=(source, 0), ping_interval=None)
    except InvalidStatus as exc:
        raise Refused(exc.response.status_code) from exc
    return Peer(conn)


async def welcomed(peer: Peer) -> dict:
    await peer.send({"type": "hello", "v": 1})
    welcome = await peer.expect("welcome")
    await peer.close()
    return welcome


async def test_the_console_socket_believes_https_only_from_the_proxy(production):
    """A page on ``http://`` of the host (which anyone on the network path can forge)
    claiming an ``https://`` Origin and ``X-Forwarded-Proto: https`` over plain http
    is refused; the same from the trusted proxy is the agent's console over TLS."""
    https_page, http_page = f"https://{production.host}", f"http://{production.host}"
    with pytest.raises(Refused) as refused:
        await console(production, STRANGER, https_page, TLS)
    assert refused.value.status == 403
    # the header is ignored, not punished: over plain http the http page is the console's
    assert (await welcomed(await console(production, STRANGER, http_page, TLS)))["type"] == (
        "welcome")
    # from the proxy: https is believed, and then only the https page is the console's
    assert (await welcomed(await console(production, PROXY, https_page, TLS)))["type"] == (
        "welcome")
    with pytest.raises(Refused) as refused:
        await console(production, PROXY, http_page, TLS)
    assert refused.value.status == 403
    log = await asyncio.to_thread(production.server.log, None)
    assert log.count("refused (refused.origin): console origin") == 2, log[-2000:]
