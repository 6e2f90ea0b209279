"""Web-facing attacks on a real daphne over real TCP, on both stacks.

What the older suites (test_live_chat, test_live_console, test_live_limits)
do not already try: an agent's session cookie on the widget route, look-alike
origins on both sockets, visitor tokens that are expired, wrongly salted or
carry the wrong payload, ids of every wrong JSON type on every frame that
takes one, one site's agent reaching for another site over HTTP and the
socket, payloads that must cross as plain text, the security headers as daphne
sends them, and ``X-Forwarded-For`` from untrusted and trusted peers.

Each refusal is checked where it matters: what the attacker got back (an
error, a closed socket, a 403/404, never another tenant's data) and what the
database holds afterwards (read with ``manage.py shell`` in the server's own
environment), so "refused" also means "nothing written".
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import re
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from websockets.exceptions import ConnectionClosed

from papo.testing.client import Refused, client_id
from papo.testing.server import Daphne

pytestmark = [pytest.mark.live, pytest.mark.security]
LIVE_ENV = {
    # The wrong-type sweeps send a few hundred frames on one socket; the frame
    # limits have their own suite (test_live_limits).
    "PAPO_FRAME_BURST": "1000",
    "PAPO_FRAME_RATE": "200",
    "PAPO_CONSOLE_FRAME_BURST": "1000",
    "PAPO_CONSOLE_FRAME_RATE": "200",
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "100000",
    "PAPO_HELLO_TIMEOUT": "30",  # a socket trying 50 bad hellos in a row, on a busy machine
}


# --- helpers ----------------------------------------------------------------------------------
SNAPSHOT = """
import json
from console.models import CannedResponse
from conversations.models import Conversation, Message
from sites.models import Site
from visitors.models import Visitor
print(json.dumps({
    "visitors": sorted([v.public_id, v.site_id, v.name, v.email, v.page_url, v.page_title]
                       for v in Visitor.objects.all()),
    "messages": sorted([m.conversation_id, m.seq, m.author, m.body]
                       for m in Message.objects.all()),
    "conversations": sorted([c.pk, c.site_id, c.status, c.assignee_id, c.last_seq,
                             c.visitor_read_seq, c.agent_read_seq]
                            for c in Conversation.objects.all()),
    "canned": sorted([c.pk, c.site_id, c.shortcut, c.body] for c in CannedResponse.objects.all()),
    "sites": sorted([s.pk, s.allowed_origins, s.color, s.greeting, s.offline_message,
                     s.prechat_form, s.default_locale] for s in Site.objects.all()),
}))
"""


async def snapshot(live) -> dict:
    """Everything an attack could have written, read in the server's environment."""
    out = await asyncio.to_thread(live.stack.manage, "shell", "-c", SNAPSHOT)
    return json.loads(out.strip().splitlines()[-1])


def fetch(url: str, method: str = "GET", headers: dict | None = None,
          body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    """One plain request (no redirects followed): status, headers (lower-case names,
    repeated ones joined with a newline), body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                     body=body, headers=headers or {})
        res = conn.getresponse()
        got: dict[str, str] = {}
        for name, value in res.getheaders():
            got[name.lower()] = f"{got[name.lower()]}\n{value}" if name.lower() in got else value
        return res.status, got, res.read().decode("utf-8", "replace")
    finally:
        conn.close()


async def aget(url: str, **headers) -> tuple[int, dict[str, str], str]:
    return await asyncio.to_thread(fetch, url, "GET", headers)


async def refused_with(peer) -> tuple[str, int]:
    """The error code a socket got first, and the code it was then closed with."""
    first = await peer.next()
    assert first["type"] == "error", f"not refused: {first}"
    return first["code"], await peer.closed()


# --- the widget route never reads a session ---------------------------------------------------
async def test_the_widget_route_ignores_an_agents_session_cookie(live_papo):
    """A logged-in agent's cookie rides along on the widget socket (same browser,
    same Papo host): it must buy nothing. The socket is an anonymous visitor."""
    team = live_papo.team("ana", role="admin")
    ana = team.agents["ana"]
    console = await live_papo.console(ana)
    cookie = {"Cookie": f"sessionid={ana['session']}"}

    tab1 = await live_papo.widget(team.site_key, **cookie)
    await tab1.send({"type": "hello", "v": 1})
    w1 = await tab1.expect("welcome")
    tab2 = await live_papo.widget(team.site_key, **cookie)
    await tab2.send({"type": "hello", "v": 1})
    w2 = await tab2.expect("welcome")
    # two strangers: the cookie is not an identity, and nothing about Ana shows
    assert w1["visitor"]["id"] != w2["visitor"]["id"]
    for w in (w1, w2):
        assert w["visitor"] == {"id": w["visitor"]["id"], "name": "", "email": "",
                                "verified": False}
        assert w["conversation"] is None
    assert ana["username"] not in json.dumps([w1, w2])

    # console frames do not exist on this route, whoever's cookie came along
    for frame in ({"type": "list", "box": "queue"}, {"type": "claim", "conversation": 1},
                  {"type": "agents"}, {"type": "presence", "status": "away"},
                  {"type": "canned_save", "site": team.site_key, "shortcut": "x", "body": "y"}):
        reply = await tab1.request(frame)
        assert reply["code"] == "unknown_type", frame

    # what the tab writes is a visitor's message, in a new visitor's chat
    ack = await tab1.request({"type": "send", "client_id": client_id(), "body": "who am I?"})
    got = await console.expect("message", body="who am I?")
    assert got["message"]["author"] == "visitor" and got["message"]["agent"] is None
    assigned = await console.expect("conversation",
                                    where=lambda f: f["conversation"]["id"] == ack["conversation"])
    assert assigned["conversation"]["visitor"]["id"] == w1["visitor"]["id"]
    assert assigned["conversation"]["visitor"]["verified"] is False

    # and with a foreign Origin the cookie does not open the door either
    with pytest.raises(Refused) as refused:
        await live_papo.widget(team.site_key, origin="https://evil.example", **cookie)
    assert refused.value.status == 403
    for peer in (tab1, tab2, console):
        await peer.close()


# --- look-alike origins -----------------------------------------------------------------------
WIDGET_LOOK_ALIKES = [
    "http://shop.example",                     # scheme
    "https://shop.example:8443",               # port
    "https://shop.example:80",                 # another default port, wrong scheme for it
    "https://www.shop.example",                # subdomain
    "https://evil.shop.example",
    "https://shop.example.evil.example",       # suffix
    "https://shop.example.",                   # trailing dot: another host name to a browser
    "https://evilshop.example",
    "https://shop.examplee",
    "https://shop-example.com",
    "https://xn--shp-ced.example",             # punycode of a homoglyph (Cyrillic o)
    "https://shop.example@evil.example",       # credentials trick
    "https://evil.example#https://shop.example",
    "https://evil.example/https://shop.example",
    "https://shop.example, https://evil.example",  # a list in one header
    "https://shop.example https://evil.example",
    "https://other.example",                   # the other tenant's own origin
    "null", "", None,
]


async def test_widget_socket_refuses_look_alike_origins(live_papo):
    site = live_papo.new_site("Look-alike " + uuid.uuid4().hex[:6],
                              origins=["https://shop.example"])
    # the exact origin, in any case and with its default port spelled out, gets in
    for origin in ("https://shop.example", "HTTPS://SHOP.EXAMPLE", "https://shop.example:443"):
        peer = await live_papo.widget(site["key"], origin=origin)
        await peer.send({"type": "hello", "v": 1})
        assert (await peer.expect("welcome"))["type"] == "welcome", origin
        await peer.close()
    refused = []
    for origin in WIDGET_LOOK_ALIKES:
        try:
            peer = await live_papo.widget(site["key"], origin=origin)
        except Refused as exc:
            refused.append(exc.status)
            continue
        await peer.close()
        pytest.fail(f"origin {origin!r} was let in")
    assert all(status in (400, 403) for status in refused)
    # a site's own origin is no key to another tenant's widget
    with pytest.raises(Refused):
        await live_papo.widget(live_papo.other_site_key, origin="https://shop.example")


async def test_console_socket_refuses_foreign_origins_even_with_a_valid_session(live_papo):
    """Cross-site WebSocket hijacking: the browser sends the agent's cookie from any page."""
    agent = live_papo.new_agents("ana")["ana"]
    port = live_papo.server.port
    foreign = [
        live_papo.host.origin,                    # a customer's page
        "https://evil.example",
        f"https://127.0.0.1:{port}",              # same host and port, other scheme
        f"http://127.0.0.1:{port + 1}",           # other port
        "http://127.0.0.1",                       # port dropped
        f"http://localhost:{port}",               # another allowed host name
        f"http://127.0.0.1:{port}.evil.example",  # suffix
        f"http://evil.127.0.0.1:{port}",          # subdomain
        f"http://evil.example/http://127.0.0.1:{port}",
        f"http://127.0.0.1:{port}@evil.example",
        "null", "", None,
    ]
    for origin in foreign:
        try:
            peer = await live_papo.console(agent, origin=origin, hello=False)
        except Refused as exc:
            assert exc.status in (400, 403), origin
            continue
        await peer.close()
        pytest.fail(f"console origin {origin!r} was let in")
    ok = await live_papo.console(agent)  # the console's own origin, same session: fine
    await ok.close()


# --- visitor tokens ---------------------------------------------------------------------------
MINT = """
import json, time
from django.conf import settings
from django.core import signing
from visitors.tokens import SALT

SITE, OTHER, VISITOR = {site}, {other}, {visitor!r}
MAX_AGE = settings.PAPO["VISITOR_TOKEN_MAX_AGE"]


class Aged(signing.TimestampSigner):
    age = 0

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.age)


def mint(payload=None, *, age=0, salt=SALT, key=None):
    signer = Aged(key=key, salt=salt)
    signer.age = age
    return signer.sign_object({{"s": SITE, "v": VISITOR}} if payload is None else payload)


print(json.dumps({{
    "max_age": MAX_AGE,
    "nearly_expired": mint(age=MAX_AGE - 3600),
    "expired": mint(age=MAX_AGE + 60),
    "expired_long_ago": mint(age=MAX_AGE * 10),
    "wrong_salt": mint(salt="papo.visitor-token.v2"),
    "default_salt": signing.dumps({{"s": SITE, "v": VISITOR}}),
    "session_salt": mint(salt="django.contrib.sessions.backends.signed_cookies"),
    "other_secret": mint(key="not-this-servers-secret-key-" * 2),
    "other_site": mint({{"s": OTHER, "v": VISITOR}}),
    "site_as_string": mint({{"s": str(SITE), "v": VISITOR}}),
    "site_as_float": mint({{"s": float(SITE), "v": VISITOR}}),
    "site_as_bool": mint({{"s": True, "v": VISITOR}}),
    "visitor_as_int": mint({{"s": SITE, "v": 12345}}),
    "visitor_as_list": mint({{"s": SITE, "v": [VISITOR]}}),
    "payload_as_list": mint([SITE, VISITOR]),
    "payload_as_string": mint(VISITOR),
}}))
"""


async def test_expired_wrongly_salted_and_malformed_tokens_are_refused(live_papo):
    """Tokens signed with this server's own key, except for what each one gets wrong."""
    name = "Tokens " + uuid.uuid4().hex[:6]
    site = live_papo.new_site(name)
    other = live_papo.new_site(name + " other")
    agent = live_papo.new_agents("ana", site=name)["ana"]
    console = await live_papo.console(agent)
    visitor, welcome = await live_papo.visitor(site["key"])
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "MY-SECRET"})
    await console.expect("message", body="MY-SECRET")
    await visitor.close()
    out = await asyncio.to_thread(live_papo.stack.manage, "shell", "-c", MINT.format(
        site=site["id"], other=other["id"], visitor=welcome["visitor"]["id"]))
    tokens = json.loads(out.strip().splitlines()[-1])
    assert tokens.pop("max_age") == 180 * 24 * 3600  # the documented default

    # control: a token a day short of the maximum age is still the visitor
    back, again = await live_papo.visitor(site["key"], token=tokens.pop("nearly_expired"))
    assert again["visitor"]["id"] == welcome["visitor"]["id"]
    assert again["conversation"]["id"] == ack["conversation"]
    await back.close()

    before = await snapshot(live_papo)
    expected = {k: "token_expired" if k.startswith("expired") else "token_invalid"
                for k in tokens}
    got = {}
    for label, token in tokens.items():
        peer = await live_papo.widget(site["key"])
        await peer.send({"type": "hello", "v": 1, "token": token,
                         "resume": {"conversation": ack["conversation"], "last_seq": 0}})
        code, close = await refused_with(peer)
        got[label] = code
        assert close == 4401, label
        assert "MY-SECRET" not in json.dumps(peer.frames), label
        assert not [f for f in peer.frames if f["type"] != "error"], label
    assert got == expected
    assert await snapshot(live_papo) == before  # no visitor made, nothing touched
    await console.close()


# --- ids of the wrong JSON type ---------------------------------------------------------------
def wrong_ints(real: int) -> list:
    """Every JSON shape an integer id must not take, built around a real id, so a
    parser that coerced any of them would act on a real row. (json.dumps writes
    inf and nan as Infinity and NaN: not JSON, but what an attacker can send.)"""
    return [str(real), f" {real}", float(real), real + 0.5, True, False, None, [real],
            {"id": real}, -real, 0, 2**53 + 1, 2**64, 10**30, float("inf"), float("nan"),
            "", "1; DROP TABLE papo_sites_site"]


# What a string field must not take.
NON_STRINGS = [5, 5.5, True, False, None, ["x"], {"x": "y"}]


def expected_code(frame: dict, field: str) -> str:
    """``invalid``, except that a wrong but integer ``hello.v`` is a version we do not speak."""
    v = frame.get("v")
    if field == "hello.v" and isinstance(v, int) and not isinstance(v, bool):
        return "unsupported_version"
    return "invalid"


async def sweep(peer, frames: list[tuple[dict, str]]) -> list[str]:
    """Send each (frame, field name); returns every reply that was not the expected
    error naming the field (a frame accepted without a reply shows as a timeout)."""
    problems = []
    for frame, field in frames:
        text = json.dumps(frame)
        try:
            if "Infinity" in text or "NaN" in text:
                # not JSON at all: refused as bad_json, before any ref could be read
                await peer.send(text)
                reply = await peer.expect("error")
                if reply["code"] not in ("bad_json", "invalid"):
                    problems.append(f"{text} -> {reply}")
                continue
            reply = await peer.request(frame)
        except TimeoutError:
            problems.append(f"{text} -> no reply (accepted?)")
            continue
        code = expected_code(frame, field)
        if reply.get("code") != code or (code == "invalid" and field not in reply["message"]):
            problems.append(f"{text} -> {reply}")
    return problems


async def test_wrong_json_types_on_the_widget_socket_change_nothing(live_papo):
    team = live_papo.team("ana")
    console = await live_papo.console(team.agents["ana"])
    visitor, welcome = await live_papo.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "real"})
    conv, seq = ack["conversation"], ack["seq"]
    await console.expect("conversation", event="assigned")
    await visitor.expect("message", seq=2)
    before = await snapshot(live_papo)

    frames = []
    for bad in wrong_ints(seq):
        if bad != 0:  # a read marker or page bound of 0 is allowed
            frames += [({"type": "read", "seq": bad}, "read.seq"),
                       ({"type": "history", "before_seq": bad}, "history.before_seq")]
        frames.append(({"type": "history", "limit": bad}, "history.limit"))
    for bad in NON_STRINGS:
        frames += [({"type": "send", "client_id": bad, "body": "x"}, "send.client_id"),
                   ({"type": "send", "client_id": client_id(), "body": bad}, "send.body"),
                   ({"type": "typing", "state": bad}, "typing.state")]
        if bad is not None:  # null means "leave the name as it is"
            frames.append(({"type": "profile", "name": bad}, "profile.name"))
    problems = await sweep(visitor, frames)

    # hello's ids, on a fresh socket (each refusal leaves it open for the next try)
    fresh = await live_papo.widget(team.site_key)
    hellos = []
    for bad in wrong_ints(conv):
        hello = {"type": "hello", "v": 1, "token": welcome["token"]}
        hellos += [({**hello, "resume": {"conversation": bad, "last_seq": 0}}, "hello.resume"),
                   ({**hello, "v": bad}, "hello.v")]
        if bad != 0:
            hellos.append(({**hello, "resume": {"conversation": conv, "last_seq": bad}},
                           "hello.resume"))
    problems += await sweep(fresh, hellos)
    assert problems == [], f"{len(problems)} of {len(frames) + len(hellos)}: {problems[:5]}"
    assert not [f for f in fresh.frames if f["type"] != "error"]  # no welcome, no history
    # both sockets still work, and nothing was written or marked read
    assert (await visitor.request({"type": "ping"}))["type"] == "pong"
    await fresh.send({"type": "hello", "v": 1, "token": welcome["token"]})
    assert (await fresh.expect("welcome"))["conversation"]["id"] == conv
    assert await snapshot(live_papo) == before
    for peer in (visitor, fresh, console):
        await peer.close()


CONSOLE_ID_FIELDS = [
    ({"type": "open"}, "conversation"), ({"type": "close"}, "conversation"),
    ({"type": "send", "client_id": "c-x", "body": "x"}, "conversation"),
    ({"type": "typing", "state": "start"}, "conversation"),
    ({"type": "read", "seq": 1}, "conversation"), ({"type": "claim"}, "conversation"),
    ({"type": "transfer", "to": 1}, "conversation"), ({"type": "resolve"}, "conversation"),
    ({"type": "reopen"}, "conversation"), ({"type": "visitor_history"}, "conversation"),
]


async def test_wrong_json_types_on_the_console_socket_change_nothing(live_papo):
    team = live_papo.team("ana", "bob", role="admin")
    ana = await live_papo.console(team.agents["ana"])
    bob = await live_papo.console(team.agents["bob"])
    visitor, _ = await live_papo.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "real"})
    conv = ack["conversation"]
    assigned = await ana.expect("conversation", event="assigned",
                                where=lambda f: f["conversation"]["id"] == conv)
    owner = ana if assigned["conversation"]["assignee"]["id"] == team.agents["ana"]["id"] else bob
    other_id = team.agents["bob" if owner is ana else "ana"]["id"]
    canned = await ana.request({"type": "canned_save", "site": team.site_key,
                                "shortcut": "hi", "body": "Hello"})
    canned_id = canned["canned"]["id"]
    before = await snapshot(live_papo)

    frames = []
    for base, field in CONSOLE_ID_FIELDS:
        frames += [({**base, field: bad}, f"{base['type']}.{field}") for bad in wrong_ints(conv)]
    for bad in wrong_ints(1):
        if bad != 0:  # seq bounds of 0 are allowed
            frames += [
                ({"type": "read", "conversation": conv, "seq": bad}, "read.seq"),
                ({"type": "open", "conversation": conv, "before_seq": bad}, "open.before_seq"),
                ({"type": "open", "conversation": conv, "after_seq": bad}, "open.after_seq"),
            ]
        frames += [
            ({"type": "open", "conversation": conv, "limit": bad}, "open.limit"),
            ({"type": "list", "box": "open", "before": bad}, "list.before"),
            ({"type": "list", "box": "open", "limit": bad}, "list.limit"),
            ({"type": "list", "box": bad}, "list.box"),
        ]
        if not isinstance(bad, bool):
            frames.append(({"type": "send", "conversation": conv, "client_id": "c-y",
                            "body": "x", "internal": bad}, "send.internal"))
    for bad in wrong_ints(other_id):
        frames.append(({"type": "transfer", "conversation": conv, "to": bad}, "transfer.to"))
    for bad in wrong_ints(canned_id):
        frames.append(({"type": "canned_delete", "id": bad}, "canned_delete.id"))
        if bad is not None:  # no id means "a new one"
            frames.append(({"type": "canned_save", "site": team.site_key, "id": bad,
                            "shortcut": "hi", "body": "changed"}, "canned_save.id"))
    for bad in NON_STRINGS:
        frames += [({"type": "canned_save", "site": bad, "shortcut": "x", "body": "y"},
                    "canned_save.site"),
                   ({"type": "list", "box": "open", "site": bad}, "list.site")]
    problems = await sweep(owner, frames)
    assert problems == [], f"{len(problems)} of {len(frames)}: {problems[:5]}"
    assert len(frames) > 250

    assert (await owner.request({"type": "ping"}))["type"] == "pong"
    history = await owner.request({"type": "open", "conversation": conv})
    assert history["conversation"]["status"] == "open"
    assert await snapshot(live_papo) == before
    for peer in (ana, bob, visitor):
        await peer.close()


# --- tenancy: one site's agent against another site -------------------------------------------
async def test_an_agent_of_site_a_cannot_reach_site_b_over_http(live_papo):
    a = live_papo.team("ana", role="admin")
    b = live_papo.team("eve", role="admin")
    ana = a.agents["ana"]
    base = live_papo.server.http
    cookie = f"sessionid={ana['session']}"
    # Ana's own settings page gives her a CSRF token: the requests below are
    # refused for who she is, not for a missing token.
    status, headers, page = await aget(f"{base}/console/sites/{a.site_key}/settings/",
                                       Cookie=cookie)
    assert status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["set-cookie"])[1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    cookies = f"{cookie}; csrftoken={csrf_cookie}"
    form = {"csrfmiddlewaretoken": csrf, "allowed_origins": "https://evil.example",
            "color": "#000000", "greeting": "HIJACKED", "offline_message": "HIJACKED",
            "default_locale": "en"}
    post_headers = {"Cookie": cookies, "Origin": base, "Referer": base + "/console/",
                    "Content-Type": "application/x-www-form-urlencoded"}
    before = await snapshot(live_papo)

    status, _, body = await aget(f"{base}/console/sites/{b.site_key}/settings/", Cookie=cookie)
    assert status == 404 and 'name="allowed_origins"' not in body
    status, _, body = await asyncio.to_thread(
        fetch, f"{base}/console/sites/{b.site_key}/settings/", "POST", post_headers,
        urlencode(form).encode())
    assert status == 404 and "HIJACKED" not in body and 'name="allowed_origins"' not in body
    # an agent is not staff: the Django admin is not theirs to use
    for path in ("/admin/", "/admin/papo_sites/site/", "/admin/visitors/visitor/"):
        status, headers, _ = await aget(base + path, Cookie=cookie)
        assert status == 302 and headers["location"].startswith("/admin/login/"), path
    assert await snapshot(live_papo) == before

    # control: the same request against her own site is accepted
    status, headers, _ = await asyncio.to_thread(
        fetch, f"{base}/console/sites/{a.site_key}/settings/", "POST", post_headers,
        urlencode({**form, "allowed_origins": live_papo.host.origin,
                   "greeting": "Olá", "offline_message": "Volto já", "time_zone": "UTC",
                   "queue_hold_minutes": "30", "followup_minutes": "10"}).encode())
    assert status == 302
    after = await snapshot(live_papo)
    assert [s for s in after["sites"] if "HIJACKED" in json.dumps(s)] == []
    assert [s for s in after["sites"] if s[3] == "Olá"]


async def test_an_agent_of_site_a_cannot_reach_site_b_over_the_socket(live_papo):
    """What test_live_chat/test_live_console leave out: transfers across sites,
    reopening, and the agent directory and welcome of a two-site world."""
    a = live_papo.team("ana", role="admin")
    b = live_papo.team("eve", role="admin")
    ana = await live_papo.console(a.agents["ana"])
    eve = await live_papo.console(b.agents["eve"], hello=False)
    await eve.send({"type": "hello", "v": 1})
    eve_welcome = await eve.expect("welcome")
    assert [s["key"] for s in eve_welcome["sites"]] == [b.site_key]
    assert {ag["id"] for ag in eve_welcome["agents"]} == {b.agents["eve"]["id"]}

    va, _ = await live_papo.visitor(a.site_key)
    conv_a = (await va.request({"type": "send", "client_id": client_id(),
                                "body": "A-ONLY"}))["conversation"]
    await ana.expect("conversation", event="assigned",
                     where=lambda f: f["conversation"]["id"] == conv_a)
    vb, _ = await live_papo.visitor(b.site_key)
    conv_b = (await vb.request({"type": "send", "client_id": client_id(),
                                "body": "B-ONLY"}))["conversation"]
    await eve.expect("conversation", event="assigned",
                     where=lambda f: f["conversation"]["id"] == conv_b)
    done = await eve.request({"type": "resolve", "conversation": conv_b})
    assert done["conversation"]["status"] == "resolved"
    before = await snapshot(live_papo)

    # Ana may not hand her chat to Eve (online, but not an agent of site A) ...
    refused = await ana.request({"type": "transfer", "conversation": conv_a,
                                 "to": b.agents["eve"]["id"]})
    assert refused["code"] == "agent_unavailable"
    # ... nor take, reopen, read or page through Eve's
    for frame in ({"type": "transfer", "conversation": conv_b, "to": a.agents["ana"]["id"]},
                  {"type": "reopen", "conversation": conv_b},
                  {"type": "open", "conversation": conv_b, "after_seq": 0},
                  {"type": "read", "conversation": conv_b, "seq": 1},
                  {"type": "list", "box": "resolved", "site": b.site_key},
                  {"type": "canned_save", "site": b.site_key, "shortcut": "x", "body": "y"}):
        reply = await ana.request(frame)
        assert reply["type"] == "error" and reply["code"] == "not_found", (frame, reply)
    directory = await ana.request({"type": "agents"})
    assert b.agents["eve"]["id"] not in [ag["id"] for ag in directory["agents"]]
    resolved = await ana.request({"type": "list", "box": "resolved", "q": "B-ONL"})
    assert resolved["conversations"] == []
    await ana.request({"type": "ping"})
    assert "B-ONLY" not in json.dumps(ana.frames + await ana.quiet(0.2))
    assert "A-ONLY" not in json.dumps(eve.frames + await eve.quiet(0.2))
    assert await snapshot(live_papo) == before
    for peer in (ana, eve, va, vb):
        await peer.close()


async def test_opening_another_sites_conversation_hears_nothing_of_it(live_papo):
    """An agent of site A who keeps asking to ``open`` a conversation of site B (ids
    are sequential) while B's visitor and agent type and write: every open is
    ``not_found`` and not one of B's frames (typing with B's names, messages,
    read markers) reaches A's socket, not even for a moment."""
    a = live_papo.team("ana")
    b = live_papo.team("eve")
    ana = await live_papo.console(a.agents["ana"])
    eve = await live_papo.console(b.agents["eve"])
    vb, _ = await live_papo.visitor(b.site_key)
    await vb.request({"type": "profile", "name": "Bianca-of-B"})
    conv_b = (await vb.request({"type": "send", "client_id": client_id(),
                                "body": "B-SECRET-0"}))["conversation"]
    await eve.expect("conversation", event="assigned",
                     where=lambda f: f["conversation"]["id"] == conv_b)
    await eve.request({"type": "open", "conversation": conv_b})

    async def b_chatters() -> None:
        for i in range(40):
            await vb.send({"type": "typing", "state": "start" if i % 2 else "stop"})
            await eve.send({"type": "typing", "conversation": conv_b, "state": "start"})
            if i % 8 == 0:
                await vb.send({"type": "send", "client_id": client_id(),
                               "body": f"B-SECRET-{i}"})
                await eve.send({"type": "read", "conversation": conv_b, "seq": 1})
            await asyncio.sleep(0.005)

    async def a_probes() -> list[dict]:
        replies = []
        for _ in range(40):
            replies.append(await ana.request({"type": "open", "conversation": conv_b}))
        return replies

    replies, _ = await asyncio.gather(a_probes(), b_chatters())
    assert {(r["type"], r.get("code")) for r in replies} == {("error", "not_found")}
    heard = json.dumps(ana.frames + await ana.quiet(0.5))
    for secret in ("Bianca-of-B", "B-SECRET", "Eve", f'"conversation": {conv_b},'):
        assert secret not in heard, secret
    for peer in (ana, eve, vb):
        await peer.close()


async def test_only_the_assignee_answers_the_visitor(live_papo):
    """The console turns a reply to someone else's chat into a note; the server holds
    the same rule for any client: a visible reply from a colleague is refused
    (``forbidden``), nothing is stored and the visitor hears nothing; the note goes."""
    team = live_papo.team("ana", "bruno")
    ana = await live_papo.console(team.agents["ana"])
    bruno = await live_papo.console(team.agents["bruno"])
    visitor, _ = await live_papo.visitor(team.site_key)
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "hello?"}))["conversation"]
    assigned = await ana.expect("conversation", event="assigned",
                                where=lambda f: f["conversation"]["id"] == conv)
    assert assigned["conversation"]["assignee"]["id"] == team.agents["ana"]["id"]
    before = await snapshot(live_papo)
    for frame in ({"type": "send", "conversation": conv, "client_id": client_id(),
                   "body": "BRUNO-VISIBLE"},
                  {"type": "send", "conversation": conv, "client_id": client_id(),
                   "body": "BRUNO-VISIBLE", "internal": False}):
        refused = await bruno.request(frame)
        assert (refused["type"], refused["code"]) == ("error", "forbidden"), refused
        assert "note" in refused["message"]
    assert await snapshot(live_papo) == before
    note = await bruno.request({"type": "send", "conversation": conv, "client_id": client_id(),
                                "body": "BRUNO-NOTE", "internal": True})
    assert note["type"] == "ack"
    reply = await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                               "body": "ANA-REPLY"})
    await visitor.expect("message", seq=reply["seq"], body="ANA-REPLY")
    heard = json.dumps(visitor.frames + await visitor.quiet(0.3))
    assert "BRUNO" not in heard
    for peer in (ana, bruno, visitor):
        await peer.close()


# --- payloads cross as text -------------------------------------------------------------------
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>alert(1)</script>&amp;\u202e'


async def test_html_payloads_cross_the_protocol_verbatim_and_urls_stay_http(live_papo):
    """The server neither escapes nor strips markup (both clients render text, so
    escaping would show ``&lt;`` to people), but it never forwards a non-http(s)
    URL a client might turn into a link."""
    team = live_papo.team("ana")
    console = await live_papo.console(team.agents["ana"])
    visitor, _ = await live_papo.visitor(team.site_key)
    email = '"><svg/onload=alert(1)>@x.example'
    await visitor.request({"type": "profile", "name": PAYLOAD, "email": email, "page": {
        "url": "javascript:alert(document.cookie)", "title": PAYLOAD,
        "referrer": "data:text/html,<script>alert(1)</script>"}})
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": PAYLOAD})
    assigned = await console.expect("conversation", event="assigned",
                                    where=lambda f: f["conversation"]["id"] == ack["conversation"])
    v = assigned["conversation"]["visitor"]
    # Markup stays; the override goes (identity strings: the bidi test below).
    label = PAYLOAD.replace("\u202e", "")
    assert (v["name"], v["email"], v["page_title"]) == (label, email, label)
    assert v["page_url"] == "" and v["referrer"] == ""
    assert (await console.expect("message", author="visitor"))["message"]["body"] == PAYLOAD
    for url in ("vbscript:x", " javascript:alert(1)", "JAVASCRIPT:alert(1)", "//evil.example/x"):
        await visitor.request({"type": "profile", "page": {"url": url, "title": "t"}})
    await visitor.request({"type": "profile", "page": {"url": "https://shop.example/?q=<b>",
                                                       "title": "ok"}})
    updated = await console.expect("conversation", event="updated",
                                   where=lambda f: f["conversation"]["visitor"]["page_title"]
                                   == "ok")
    assert updated["conversation"]["visitor"]["page_url"] == "https://shop.example/?q=<b>"
    urls = {f["conversation"]["visitor"]["page_url"] for f in console.frames
            if f["type"] == "conversation"}
    assert urls <= {"", "https://shop.example/?q=<b>"}
    await console.request({"type": "send", "conversation": ack["conversation"],
                           "client_id": client_id(), "body": PAYLOAD})
    assert (await visitor.expect("message", author="agent"))["message"]["body"] == PAYLOAD
    for peer in (console, visitor):
        await peer.close()


async def test_bidi_controls_leave_identity_strings_and_stay_in_bodies(live_papo):
    """A name, e-mail, page title or agent name holding a bidi override could pose
    as another text ("\\u202eexe.live" shows as "evil.exe"): the server stores and
    sends them without bidi controls. Bodies are what people write, right-to-left
    scripts and all: they cross verbatim, and the clients isolate each one."""
    team = live_papo.team("ana")
    ana = team.agents["ana"]
    live_papo.stack.manage("shell", "-c", (
        "from django.contrib.auth.models import User; "
        f"User.objects.filter(pk={ana['id']}).update(first_name='\\u202eexe.live\\u200f', "
        "last_name='')"))
    console = await live_papo.console(ana)
    visitor, _ = await live_papo.visitor(team.site_key, locale="\u202ept-BR")
    body = "\u202eexe.live \u2067\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    await visitor.request({"type": "profile", "name": " \u202eexe.live\u202c ",
                           "email": "\u2067ana@x.example\u2069\u200e", "page": {
                               "url": "https://shop.example/", "title": "\u202aCart\u202e (3)"}})
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": body})
    assigned = await console.expect("conversation", event="assigned",
                                    where=lambda f: f["conversation"]["id"] == ack["conversation"])
    v = assigned["conversation"]["visitor"]
    assert (v["name"], v["display_name"], v["email"], v["page_title"], v["locale"]) == (
        "exe.live", "exe.live", "ana@x.example", "Cart (3)", "pt-BR")
    assert assigned["conversation"]["assignee"]["name"] == "exe.live"
    assert (await console.expect("message", author="visitor"))["message"]["body"] == body
    joined = await visitor.expect("message", author="system", event="assigned")
    assert joined["message"]["data"] == {"agent": "exe.live"}
    await console.request({"type": "send", "conversation": ack["conversation"],
                           "client_id": client_id(), "body": body})
    reply = (await visitor.expect("message", author="agent"))["message"]
    assert reply["agent"] == {"name": "exe.live"} and reply["body"] == body
    for peer in (console, visitor):
        await peer.close()


# --- headers, as daphne sends them ------------------------------------------------------------
def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


async def test_console_and_admin_pages_send_the_security_headers(live_papo):
    agent = live_papo.new_agents("ana")["ana"]
    base = live_papo.server.http
    pages = [("/console/login/", {}), ("/console/", {"Cookie": f"sessionid={agent['session']}"}),
             ("/admin/login/", {})]
    for path, headers in pages:
        status, h, _ = await aget(base + path, **headers)
        assert status == 200, path
        csp = csp_directives(h["content-security-policy"])
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
        assert csp["connect-src"] == ["'self'", f"ws://127.0.0.1:{live_papo.server.port}"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin"
        assert h["cross-origin-opener-policy"] == "same-origin"
        assert "camera=()" in h["permissions-policy"] and "microphone=()" in h[
            "permissions-policy"]
    # the widget's own files and API stay usable from the customer's origin
    status, h, _ = await aget(f"{base}/api/widget/{live_papo.site_key}/config",
                              Origin=live_papo.host.origin)
    assert status == 200 and h["access-control-allow-origin"] == live_papo.host.origin
    assert "cross-origin-resource-policy" not in h


# --- X-Forwarded-For --------------------------------------------------------------------------
XFF_ENV = {"PAPO_CONNECTIONS_PER_IP": "3", "PAPO_HTTP_RATE": "4/h",
           "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "100000"}


async def _open_until_refused(live, server, forwarded: list[str]) -> tuple[list, int | None]:
    """Open widget sockets, one per X-Forwarded-For value; returns the open ones and
    the index of the first refused (4029), or None."""
    held = []
    for i, xff in enumerate(forwarded):
        peer = await live.widget(server=server, **{"X-Forwarded-For": xff})
        with contextlib.suppress(ConnectionClosed):  # a refused one is closed at once
            await peer.send({"type": "hello", "v": 1})
        first = await peer.next()  # the refusal stays readable after the close
        if first["type"] == "error":
            assert first["code"] == "rate_limited"
            assert await peer.closed() == 4029
            return held, i
        assert first["type"] == "welcome"
        held.append(peer)
    return held, None


async def _config_statuses(live, server, forwarded: list[str]) -> list[int]:
    url = f"{server.http}/api/widget/{live.site_key}/config"
    return [(await aget(url, **{"X-Forwarded-For": xff}))[0] for xff in forwarded]


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(live_papo):
    """Without PAPO_TRUSTED_PROXIES a client cannot pick the address it is counted as."""
    server = await asyncio.to_thread(Daphne(live_papo.stack, {**LIVE_ENV, **XFF_ENV}).start)
    try:
        await asyncio.sleep(0.3)  # sockets other tests closed are released by now
        forged = [f"198.51.100.{i}" for i in range(1, 6)]
        held, refused_at = await _open_until_refused(live_papo, server, forged)
        # every socket counted against 127.0.0.1: the 4th at the latest is refused
        assert refused_at is not None and refused_at <= 3, refused_at
        for peer in held:
            await peer.close()
        statuses = await _config_statuses(live_papo, server, [f"203.0.113.{i}" for i in range(6)])
        assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]
    finally:
        await asyncio.to_thread(server.stop)


async def test_forwarded_for_from_a_trusted_proxy_is_believed(live_papo):
    """With PAPO_TRUSTED_PROXIES=127.0.0.1 (we play the proxy), each forwarded
    client has its own limits, and the right-most untrusted hop is the client:
    what a client prepended itself cannot move it to another bucket."""
    env = {**LIVE_ENV, **XFF_ENV, "PAPO_TRUSTED_PROXIES": "127.0.0.1"}
    server = await asyncio.to_thread(Daphne(live_papo.stack, env).start)
    try:
        # six clients behind the proxy, twice the per-address cap: all get in
        clients = [f"192.0.2.{i}" for i in range(10, 16)]
        held, refused_at = await _open_until_refused(live_papo, server, clients)
        assert refused_at is None and len(held) == 6
        # one client, hiding behind forged hops of its own: capped at 3
        tag = uuid.uuid4().int % 200 + 20
        same = [f"10.9.9.{i}, 127.0.0.1, 192.0.2.{tag}" for i in range(5)]
        more, refused_at = await _open_until_refused(live_papo, server, same)
        assert refused_at == 3
        for peer in held + more:
            await peer.close()
        # the HTTP API's rate limit follows the same rule
        statuses = await _config_statuses(
            live_papo, server, [f"192.0.2.{tag}, 203.0.113.{200 + i}" for i in range(6)])
        assert statuses == [200] * 6  # six different clients
        statuses = await _config_statuses(
            live_papo, server, [f"203.0.113.{i}, 198.51.100.{tag}" for i in range(6)])
        assert statuses == [200] * 4 + [429, 429]  # one client, whatever it prepended
    finally:
        await asyncio.to_thread(server.stop)
