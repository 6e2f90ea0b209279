"""The widget in Debian's chromium, against a real daphne on another origin.

A visitor on the customer's page (the host page server) talks to an agent
driven over the console WebSocket. What the visitor sees is read from the
widget's shadow DOM; what the server holds is read back through the console
(history is the database).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, expect

from papo.testing.client import client_id
from papo.testing.live import start_live, stop_live
from papo.testing.server import Daphne

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Selectors pierce the widget's open shadow root.
AGENT_BUBBLES = "papo-chat li.a .bb"
VISITOR_BUBBLES = "papo-chat ol:not(.ob) li.v .bb"
PENDING = "papo-chat ol.ob li"
SHADOW = "document.querySelector('papo-chat').shadowRoot"


def launcher(page: Page):
    return page.locator("papo-chat button.l")


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile("Write a message|Escreva uma mensagem"))


async def until(check, timeout: float = 10) -> None:
    """Polls a plain condition (for what Playwright's expect cannot watch)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def say(page: Page, text: str) -> None:
    box = composer(page)
    await box.fill(text)
    await box.press("Enter")


async def agent_reply(console, conversation: int, body: str) -> dict:
    ack = await console.request(
        {"type": "send", "conversation": conversation, "client_id": client_id(), "body": body}
    )
    assert ack["type"] == "ack", ack
    return ack


async def stored_bodies(live, agent: dict, conversation: int) -> list[str]:
    """The conversation as the database holds it, through a fresh console socket."""
    console = await live.console(agent)
    try:
        reply = await console.request({"type": "open", "conversation": conversation, "limit": 100})
        assert reply["type"] == "history", reply
        return [m["body"] for m in reply["messages"] if m["author"] != "system"]
    finally:
        await console.close()


async def test_visitor_and_agent_chat_across_origins(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        sockets: list[str] = []
        requests: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.on("request", lambda r: requests.append(r.url))
        noise: list[str] = []
        page.on("console", lambda m: m.type in ("warning", "error") and noise.append(m.text))
        page.on("pageerror", lambda e: noise.append(str(e)))
        url = shop.page_url()
        assert urlsplit(url).netloc != urlsplit(live_papo.server.http).netloc
        await page.goto(url)
        await expect(launcher(page)).to_be_visible()
        await page.wait_for_timeout(400)
        # Lazy: the launcher alone costs one small script, no socket, no UI chunk.
        assert sockets == []
        assert [u for u in requests if live_papo.server.http in u] == [
            f"{live_papo.server.http}/static/papo/widget.js"
        ]

        await launcher(page).hover()  # intent: the UI chunk loads, still no socket
        await until(lambda: any("/static/papo/ui-" in u for u in requests))
        await page.wait_for_timeout(300)
        assert sockets == []

        await page.evaluate(
            "window.seen = []; Papo.on('message', m => seen.push(m.author + ':' + m.body))"
        )
        await launcher(page).click()
        await expect(composer(page)).to_be_focused()
        await until(lambda: len(sockets) == 1)
        await say(page, "Where is my order?")
        frame = await console.expect("message", timeout=10, body="Where is my order?")
        conv = frame["message"]["conversation"]

        await agent_reply(console, conv, "Hi! It ships today.")
        await expect(page.locator(AGENT_BUBBLES).last).to_have_text("Hi! It ships today.")
        await expect(page.locator("papo-chat li.a .nm").last).to_have_text(agent_name(agent))

        # Shift+Enter is a new line, Enter sends.
        box = composer(page)
        await box.press_sequentially("line one")
        await box.press("Shift+Enter")
        await box.press_sequentially("line two")
        await box.press("Enter")
        frame = await console.expect("message", timeout=10, body="line one\nline two")
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(
            ["Where is my order?", "line one\nline two"]
        )

        # The agent reads: the visitor's last message says so.
        await console.send({"type": "read", "conversation": conv, "seq": frame["message"]["seq"]})
        await expect(page.locator("papo-chat li.v .mt").last).to_contain_text("Read")
        # Agent typing shows, in words.
        await console.send({"type": "typing", "conversation": conv, "state": "start"})
        await expect(page.locator("papo-chat .ty")).to_have_text(f"{agent_name(agent)} is typing…")
        await agent_reply(console, conv, "Anything else?")
        await expect(page.locator("papo-chat .ty")).to_have_text("")
        await expect(page.locator("papo-chat [aria-live=polite]")).to_contain_text("Anything else?")

        seen = await page.evaluate("seen")
        assert seen == [
            "visitor:Where is my order?",
            "system:",
            "agent:Hi! It ships today.",
            "visitor:line one\nline two",
            "agent:Anything else?",
        ]
        assert len(sockets) == 1
        assert [n for n in noise if "favicon" not in n and "404" not in n] == []
    finally:
        await console.close()


def agent_name(agent: dict) -> str:
    return agent["username"].split("-")[0].capitalize()


async def test_reload_and_navigation_keep_the_conversation(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(shop.page_url())
        await launcher(page).click()
        await say(page, "first")
        conv = (await console.expect("message", timeout=10, body="first"))["message"][
            "conversation"
        ]
        await agent_reply(console, conv, "second")
        await say(page, "third")
        await console.expect("message", timeout=10, body="third")
        await expect(page.locator("papo-chat .sc li:not(.sy) .bb")).to_have_text(
            ["first", "second", "third"]
        )

        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        await page.reload()
        # An ongoing conversation reconnects without any click…
        await until(lambda: len(sockets) == 1)
        # …so an agent message that arrives while the panel is closed shows as unread.
        await agent_reply(console, conv, "fourth")
        await expect(page.get_by_role("button", name="Open chat, 1 unread")).to_be_visible()
        await launcher(page).click()
        await expect(page.locator("papo-chat .sc li:not(.sy) .bb")).to_have_text(
            ["first", "second", "third", "fourth"]
        )
        await expect(launcher(page)).to_have_attribute("aria-expanded", "true")

        # Full navigation to another page of the shop: same conversation, the agent sees the page.
        await page.locator("a", has_text="Another page of the shop").click()
        await page.wait_for_url(re.compile("page=2"))
        await launcher(page).click()
        await expect(page.locator("papo-chat .sc li:not(.sy) .bb")).to_have_count(4)
        await say(page, "fifth")
        await console.expect("message", timeout=10, body="fifth")
        assert await stored_bodies(live_papo, agent, conv) == [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
        ]

        # A second tab of the same visitor shows the same conversation, live.
        tab2 = await context.new_page()
        await tab2.goto(shop.page_url())
        await launcher(tab2).click()
        await expect(tab2.locator("papo-chat .sc li:not(.sy) .bb")).to_have_count(5)
        await agent_reply(console, conv, "to both tabs")
        for p in (page, tab2):
            await expect(p.locator(AGENT_BUBBLES).last).to_have_text("to both tabs")
            await expect(p.locator("papo-chat .sc li:not(.sy) .bb")).to_have_count(6)
        await context.close()
    finally:
        await console.close()


async def test_backend_killed_and_restarted_delivers_pending_messages_once(
    live_papo, shop, browser
):
    agent = shop.agent()
    console = await live_papo.console(agent)
    page = await browser.new_page()
    warnings: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(shop.page_url())
    await launcher(page).click()
    await say(page, "before the crash")
    conv = (await console.expect("message", timeout=10, body="before the crash"))["message"][
        "conversation"
    ]
    await console.close()

    old = live_papo.servers[0]
    # Race the kill against a send: the message may or may not have been stored.
    await say(page, "racing the crash")
    old.stop("kill")
    await say(page, "while the server is down")
    await expect(page.locator(PENDING).filter(has_text="while the server is down")).to_contain_text(
        "Sending…"
    )
    await expect(page.locator("papo-chat .bn[role=status]")).to_contain_text("Reconnecting")

    await asyncio.sleep(1)
    restarted = Daphne(live_papo.stack, port=old.port)
    live_papo.servers[0] = await asyncio.to_thread(restarted.start)

    await expect(page.locator(PENDING)).to_have_count(0, timeout=30_000)
    await expect(page.locator("papo-chat .bn[role=status]")).to_be_hidden()
    expected = ["before the crash", "racing the crash", "while the server is down"]
    await expect(page.locator(VISITOR_BUBBLES)).to_have_text(expected)
    assert await stored_bodies(live_papo, agent, conv) == expected
    # The server being away is no error of the page's: one warning, nothing thrown.
    assert errors == []
    assert [w for w in warnings if w.startswith("Papo:")] == [
        f"Papo: lost the connection to {live_papo.server.http} - retrying"
    ]

    # Reloading afterwards shows the same, exactly once.
    await page.reload()
    await launcher(page).click()
    await expect(page.locator(VISITOR_BUBBLES)).to_have_text(expected)


WIDGET_STYLE_PROBE = f"""() => {{
  const root = {SHADOW};
  const pick = (el) => {{
    if (!el) return null;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return {{font: s.font, color: s.color, background: s.backgroundColor, display: s.display,
             position: s.position, radius: s.borderRadius, border: s.border,
             outline: s.outlineStyle,
             letterSpacing: s.letterSpacing, transform: s.transform,
             rect: [r.x, r.y, r.width, r.height].map(Math.round)}};
  }};
  const host = getComputedStyle(root.host);
  return {{
    host: [host.position, host.width, host.height, host.zIndex, host.transform],
    launcher: pick(root.querySelector('.l')), icon: pick(root.querySelector('.l svg')),
    panel: pick(root.querySelector('.p')), header: pick(root.querySelector('.hd h2')),
    greeting: pick(root.querySelector('.bb')), input: pick(root.querySelector('textarea')),
    send: pick(root.querySelector('.sb')),
  }};
}}"""


async def test_hostile_page_css_does_not_touch_the_widget(live_papo, shop, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    looks = {}
    shots = {}
    for hostile in (False, True):
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(shop.page_url(hostile=hostile))
        await expect(launcher(page)).to_be_visible()
        closed = await page.evaluate(WIDGET_STYLE_PROBE)
        await launcher(page).click()
        await expect(composer(page)).to_be_focused()
        await page.wait_for_timeout(300)  # the opening animation
        opened = await page.evaluate(WIDGET_STYLE_PROBE)
        looks[hostile] = (closed, opened)
        name = "hostile" if hostile else "clean"
        await page.screenshot(path=str(ARTIFACTS / f"widget-{name}-page.png"))
        x, y, w, h = opened["panel"]["rect"]
        # The panel's inside (its rounded corners show the page behind them).
        shots[hostile] = await page.screenshot(
            clip={"x": x + 16, "y": y + 16, "width": w - 32, "height": h - 32}
        )
        (ARTIFACTS / f"widget-{name}-panel.png").write_bytes(shots[hostile])
        await page.close()

    assert looks[True] == looks[False]
    closed, opened = looks[True]
    assert closed["launcher"]["display"] == "flex" and closed["launcher"]["rect"][2:] == [56, 56]
    assert closed["icon"]["display"] == "block"
    assert closed["host"][:3] == ["fixed", "0px", "0px"]
    assert opened["input"]["font"].startswith("15px") or "15px" in opened["input"]["font"]
    assert shots[True] == shots[False], "the panel renders differently on the hostile page"


async def test_widget_never_blocks_the_page_outside_launcher_and_panel(live_papo, shop, browser):
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(shop.page_url())
    await expect(launcher(page)).to_be_visible()

    probe = """() => {
      const root = document.querySelector('papo-chat').shadowRoot, hits = [];
      for (let x = 5; x < innerWidth; x += 40) for (let y = 5; y < innerHeight; y += 40) {
        const el = document.elementFromPoint(x, y);
        if (el && el.tagName === 'PAPO-CHAT') hits.push([x, y]);
      }
      const box = (sel) => {
        const e = root.querySelector(sel);
        if (!e || e.hidden) return null;
        const b = e.getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom];
      };
      return {hits, boxes: [box('.l'), box('.p')].filter(Boolean)};
    }"""
    for state in ("closed", "open"):
        if state == "open":
            await launcher(page).click()
            await expect(composer(page)).to_be_visible()
        found = await page.evaluate(probe)
        assert found["hits"], "the probe should at least hit the launcher"
        for x, y in found["hits"]:
            inside = [x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in found["boxes"]]
            assert any(inside), (state, x, y)

    # A host link right next to the launcher still takes the click.
    await page.evaluate("""() => {
      const a = document.createElement('a');
      a.id = 'near';
      a.href = '#clicked';
      a.textContent = 'near';
      a.style.cssText = 'position:fixed;right:90px;bottom:20px;width:60px;height:40px';
      document.body.append(a);
    }""")
    await page.locator("#near").click()
    assert page.url.endswith("#clicked")


XSS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '<a href="javascript:window.__xss=3">click me</a> javascript:window.__xss=4',
    '"><svg onload="window.__xss=5"></svg><iframe src="javascript:parent.__xss=6"></iframe>',
]


@pytest.mark.security
async def test_xss_payloads_arrive_as_text_and_run_nothing(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: dialogs.append(d))
        await page.goto(shop.page_url())
        await launcher(page).click()
        await say(page, XSS[0])
        conv = (await console.expect("message", timeout=10, body=XSS[0]))["message"]["conversation"]
        for body in XSS[1:]:
            await agent_reply(console, conv, body)
        await agent_reply(console, conv, "safe link: https://example.com/help?a=1&b=<2>")
        await expect(page.locator(AGENT_BUBBLES)).to_have_count(len(XSS))
        await page.wait_for_timeout(500)

        assert await page.evaluate("window.__xss") is None
        assert dialogs == []
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text([XSS[0]])
        await expect(page.locator(AGENT_BUBBLES)).to_have_text(
            [*XSS[1:], "safe link: https://example.com/help?a=1&b=<2>"]
        )
        # The UI's own elements only (the ended chat's card and a "New conversation"
        # heading add section and h3); nothing made from what anyone wrote.
        ours = "ol li div span bdi time a button p section h3"
        made = await page.evaluate(f"""() => [...{SHADOW}.querySelectorAll('.sc *')]
            .map(e => e.tagName.toLowerCase())
            .filter(t => !'{ours}'.split(' ').includes(t))""")
        assert made == []
        links = await page.evaluate(f"""() => [...{SHADOW}.querySelectorAll('.sc a')]
            .map(a => [a.getAttribute('href'), a.target, a.rel])""")
        assert links == [["https://example.com/help?a=1&b=", "_blank", "noopener noreferrer"]]
    finally:
        await console.close()


async def test_keyboard_only_in_portuguese(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        await page.goto(shop.page_url(locale="pt-BR"))
        button = page.get_by_role("button", name="Abrir chat")
        await button.focus()
        await page.keyboard.press("Enter")
        box = page.get_by_role("textbox", name="Escreva uma mensagem…")
        await expect(box).to_be_focused()
        await page.keyboard.type("Olá")
        await page.keyboard.press("Enter")
        frame = await console.expect("message", timeout=10, body="Olá")
        # The conversation was routed to the agent: a system message, worded in Portuguese.
        await expect(page.locator("papo-chat li.sy")).to_have_text(
            [f"{agent_name(agent)} entrou na conversa"], timeout=10_000
        )
        await agent_reply(console, frame["message"]["conversation"], "Oi!")
        await expect(page.locator("papo-chat [aria-live=polite]")).to_have_text(
            f"Nova mensagem de {agent_name(agent)}: Oi!"
        )
        await page.keyboard.press("Escape")
        await expect(page.locator("papo-chat section[role=dialog]")).to_be_hidden()
        assert await page.evaluate(f"{SHADOW}.activeElement.className") == "l"
        await page.keyboard.press("Enter")
        await expect(box).to_be_focused()
    finally:
        await console.close()


async def test_offline_leave_a_message_with_email(live_papo, shop, browser):
    page = await browser.new_page()
    await page.goto(shop.page_url())
    await launcher(page).click()
    await expect(page.locator("papo-chat .a .bb").first).to_contain_text("Leave a message")
    email = page.get_by_role("textbox", name=re.compile("Your email"))
    await email.fill("not-an-email")
    await say(page, "Please call me back")
    await expect(page.get_by_role("alert")).to_have_text("Enter a valid email address")
    await expect(composer(page)).to_have_value("Please call me back")
    await email.fill("rita@example.com")
    await composer(page).press("Enter")
    await expect(page.locator(VISITOR_BUBBLES)).to_have_text(
        ["Please call me back"], timeout=10_000
    )
    await expect(page.locator("papo-chat .ft > p.ct")).to_have_text(
        "We'll e-mail you at rita@example.com.")

    # The message landed in the queue with the email, for the first agent who comes online.
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        listing = await console.request({"type": "list", "box": "queue"})
        mine = await console.request({"type": "list", "box": "mine"})
        convs = listing["conversations"] + mine["conversations"]
        assert [c["visitor"]["email"] for c in convs] == ["rita@example.com"]
    finally:
        await console.close()
    assert await stored_bodies(live_papo, agent, convs[0]["id"]) == ["Please call me back"]


@pytest.fixture(scope="module")
def strict_papo(widget_dist):
    """A live backend with a tiny per-socket frame budget, to be rate-limited for real."""
    live = start_live("embedded", env={"PAPO_FRAME_BURST": "4", "PAPO_FRAME_RATE": "1"})
    yield live
    stop_live(live)


async def test_rate_limited_visitor_is_told_and_everything_arrives_once(
    strict_papo, browser, make_shop
):
    shop = make_shop(strict_papo)
    page = await browser.new_page()
    await page.goto(shop.page_url())
    await launcher(page).click()
    bodies = [f"message {i}" for i in range(1, 7)]
    for body in bodies:
        await say(page, body)
    await expect(page.locator("papo-chat .bn[role=status]")).to_contain_text(
        "You're sending messages too fast. Trying again in"
    )
    await expect(page.locator(PENDING)).to_have_count(0, timeout=30_000)
    await expect(page.locator(VISITOR_BUBBLES)).to_have_text(bodies)
    await expect(page.locator("papo-chat .bn[role=status]")).to_be_hidden(timeout=10_000)
    conv = await page.evaluate(f"JSON.parse(localStorage.getItem('papo:{shop.key}')).c")
    assert await stored_bodies(strict_papo, shop.agent(), conv) == bodies


async def test_queued_api_identify_and_in_page_navigation(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        user_hash = hmac.new(shop.secret.encode(), b"u-42", hashlib.sha256).hexdigest()
        # Calls made before widget.js arrives are queued by the snippet's stub and replayed.
        url = shop.page_url(
            before_load=(
                f"Papo.identify({{userId: 'u-42', userHash: '{user_hash}', name: 'Rita',"
                " email: 'rita@example.com'});"
                " window.seen = [];"
                " Papo.on('message', function (m) { m.author != 'system' && seen.push(m.body) });"
                " Papo.open();"
            )
        )
        page = await browser.new_page()
        await page.goto(url)
        await expect(composer(page)).to_be_visible()
        # Opened by the page, not by the visitor: focus stays where the page had it.
        assert await page.evaluate("document.activeElement === document.body")
        await say(page, "hello, it's Rita")
        created = await console.expect("conversation", timeout=10)
        visitor = created["conversation"]["visitor"]
        assert (visitor["name"], visitor["email"], visitor["verified"]) == (
            "Rita",
            "rita@example.com",
            True,
        )
        conv = created["conversation"]["id"]
        await console.expect("message", timeout=10, body="hello, it's Rita")

        # A single-page app changes the URL without loading a page: the agent still sees it.
        await page.evaluate("history.pushState({}, '', '?step=checkout')")
        updated = await console.expect("conversation", timeout=10, event="updated")
        assert updated["conversation"]["visitor"]["page_url"].endswith("?step=checkout")

        await agent_reply(console, conv, "Hi Rita!")
        await expect(page.locator(AGENT_BUBBLES).last).to_have_text("Hi Rita!")
        assert await page.evaluate("window.seen") == ["hello, it's Rita", "Hi Rita!"]
    finally:
        await console.close()


async def test_prechat_form_asks_name_and_email_first(live_papo, shop, browser):
    shop.configure(prechat_form=True)
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        await page.goto(shop.page_url())
        await launcher(page).click()
        name = page.get_by_role("textbox", name="Your name")
        await expect(name).to_be_focused()
        await expect(composer(page)).to_be_hidden()
        await name.fill("Rita")
        await page.get_by_role("button", name="Start chat").click()
        await expect(page.get_by_role("alert")).to_have_text("Enter a valid email address")
        await page.get_by_role("textbox", name="Your email").fill("rita@example.com")
        await page.get_by_role("button", name="Start chat").click()
        await expect(composer(page)).to_be_focused()
        await say(page, "I filled the form")
        created = await console.expect("conversation", timeout=10)
        visitor = created["conversation"]["visitor"]
        assert (visitor["name"], visitor["email"]) == ("Rita", "rita@example.com")
        # Known now: the form does not come back on the next page.
        await page.reload()
        await launcher(page).click()
        await expect(composer(page)).to_be_focused()
        await expect(page.get_by_role("button", name="Start chat")).to_be_hidden()
    finally:
        await console.close()


async def test_full_screen_on_narrow_screens(live_papo, shop, browser):
    page = await browser.new_page(viewport={"width": 400, "height": 700})
    await page.goto(shop.page_url())
    await launcher(page).click()
    await expect(composer(page)).to_be_focused()
    await page.wait_for_timeout(300)
    rect = await page.evaluate(
        "(() => { const b = document.querySelector('papo-chat').shadowRoot"
        ".querySelector('.p').getBoundingClientRect(); return [b.x, b.y, b.width, b.height] })()"
    )
    assert [round(v) for v in rect] == [0, 0, 400, 700]
    await expect(launcher(page)).to_be_hidden()
    await page.get_by_role("button", name="Close chat").click()
    await expect(launcher(page)).to_be_focused()
