"""States a visitor must be able to read (issue #20), in Debian's chromium.

Offline, a message that did not go, a socket that died without a word, a page
the site does not allow, a phone on a page wider than its screen, consent-free
mode before the click, and the events a site hears through ``Papo.on``. Each
test asserts what the visitor sees (or, for a refused page, what the site
owner reads in the console) and saves a picture of it in docs/screenshots/.

Where the bar is a time (banner within 2 s, "Not sent yet" at 15 s, a dead
socket found within 30 s) the page runs on Playwright's clock: the test moves
time on by exactly that much and looks, instead of sleeping. The 2 s banner is
wall-clock: it answers the browser's ``offline`` event, not a timer.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from test_browser_widget import (
    AGENT_BUBBLES,
    PENDING,
    SHADOW,
    VISITOR_BUBBLES,
    agent_reply,
    composer,
    launcher,
    say,
    stored_bodies,
    until,
)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 900, "height": 720}
OFFLINE = "You're offline. Your messages will be sent when you're back."
RECONNECTING = "Connection lost. Reconnecting…"


def banner(page: Page):
    return page.locator("papo-chat .bn[role=status]")


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"widget-{name}.png"))


async def paused(page: Page) -> None:
    """Stops the page's clock: from here on time moves only when the test says."""
    now = await page.evaluate("Date.now()")
    await page.clock.pause_at((now + 1000) / 1000)  # numbers are seconds to the Python API


def papo_lines(page: Page) -> list[str]:
    lines: list[str] = []
    page.on("console", lambda m: m.text.startswith("Papo:") and lines.append(m.text))
    return lines


async def test_offline_banner_and_a_message_not_sent_yet(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    context = await browser.new_context(viewport=DESKTOP)
    try:
        page = await context.new_page()
        await page.clock.install()
        await page.goto(shop.page_url(hostile=False))
        await launcher(page).click()
        await say(page, "hello")
        await console.expect("message", timeout=10, body="hello")
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(["hello"])
        await paused(page)

        # The browser goes offline: the visitor is told within 2 s (at once, in fact).
        start = asyncio.get_running_loop().time()
        await context.set_offline(True)
        await expect(banner(page)).to_have_text(OFFLINE, timeout=2000)
        assert asyncio.get_running_loop().time() - start < 2

        await say(page, "are you still there?")
        pending = page.locator(PENDING).filter(has_text="are you still there?")
        await expect(pending).to_contain_text("Sending…")
        await shot(page, "offline")
        await page.clock.run_for(14_000)
        await expect(pending).to_contain_text("Sending…")
        await page.clock.run_for(1_000)  # 15 s without an ack
        await expect(pending).to_contain_text("Not sent yet")
        retry = pending.get_by_role("button", name="Retry")
        await expect(retry).to_be_visible()
        await expect(banner(page)).to_have_text(OFFLINE)
        await shot(page, "not-sent-retry")

        await retry.click()  # still offline: it tries, and says so again in 15 s
        await expect(pending).to_contain_text("Sending…")
        await page.clock.run_for(15_000)
        await expect(pending).to_contain_text("Not sent yet")

        await page.clock.resume()
        await context.set_offline(False)
        await expect(page.locator(PENDING)).to_have_count(0, timeout=15_000)
        await expect(banner(page)).to_be_hidden()
        expected = ["hello", "are you still there?"]
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(expected)
        conv = (await console.expect("message", timeout=10, body="are you still there?"))[
            "message"
        ]["conversation"]
        assert await stored_bodies(live_papo, agent, conv) == expected
    finally:
        await context.close()
        await console.close()


async def test_a_socket_that_dies_silently_is_found_within_30_seconds(live_papo, shop, browser):
    """The server stops (SIGSTOP): the TCP connection stays up and says nothing, as a
    dead network path does. The heartbeat notices while the visitor looks."""
    agent = shop.agent()
    console = await live_papo.console(agent)
    context = await browser.new_context(viewport=DESKTOP)
    server = live_papo.server
    try:
        page = await context.new_page()
        await page.clock.install()
        await page.goto(shop.page_url(hostile=False))
        await launcher(page).click()
        await say(page, "first")
        conv = (await console.expect("message", timeout=10, body="first"))["message"][
            "conversation"
        ]
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(["first"])
        await paused(page)
        server.pause()
        try:
            await say(page, "into the void")
            pending = page.locator(PENDING).filter(has_text="into the void")
            await expect(pending).to_contain_text("Sending…")
            await page.clock.run_for(15_000)
            await expect(pending).to_contain_text("Not sent yet")
            await page.clock.run_for(15_000)  # 30 s since the last frame: found dead
            await expect(banner(page)).to_have_text(RECONNECTING)
            await shot(page, "reconnecting")
            await pending.get_by_role("button", name="Retry").click()
            await expect(pending).to_contain_text("Sending…")
        finally:
            server.resume()
        await page.clock.resume()
        await expect(page.locator(PENDING)).to_have_count(0, timeout=30_000)
        await expect(banner(page)).to_be_hidden()
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(["first", "into the void"])
        assert await stored_bodies(live_papo, agent, conv) == ["first", "into the void"]
    finally:
        await context.close()
        await console.close()


async def test_a_page_the_site_does_not_allow_hides_the_launcher_and_says_why_once(
    live_papo, make_shop, browser
):
    shop = make_shop(live_papo, origins=["https://shop.example"])
    page = await browser.new_page(viewport=DESKTOP)
    lines = papo_lines(page)
    everything: list[str] = []
    page.on("console", lambda m: everything.append(f"{m.type}: {m.text}"))
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await page.goto(shop.page_url(hostile=False))
    await expect(launcher(page)).to_be_visible()  # a first visit knows nothing yet
    await launcher(page).click()
    await expect(launcher(page)).to_be_hidden()
    await expect(page.locator("papo-chat section[role=dialog]")).to_be_hidden()
    origin = live_papo.host.origin
    told = (
        f"Papo: {origin} may not use site key {shop.key}: add {origin} to the site's "
        f"allowed origins in the Papo console, {live_papo.server.http}/console/"
    )
    assert lines == [told]
    assert sockets == [], "no socket is tried from a refused page"
    # The whole console: the browser's own note of the refused request, and ours.
    # (The host page server has no favicon: its 404 is the page's, not ours.)
    assert [m for m in everything if "(File not found)" not in m] == [
        "error: Failed to load resource: the server responded with a status of 403 (Forbidden)",
        f"warning: {told}",
    ]

    # The next page starts hidden, asks again, and says it once more.
    configs: list[int] = []
    page.on("response", lambda r: "/config" in r.url and configs.append(r.status))
    await page.reload()
    await until(lambda: configs == [403])
    await until(lambda: len(lines) == 2)
    await expect(launcher(page)).to_be_hidden()
    assert lines == [told, told] and sockets == []

    # The operator can see where the widget was seen (sites.seen, for the install check).
    out = await asyncio.to_thread(
        live_papo.stack.manage,
        "shell",
        "-c",
        "from sites.models import Site; from sites.seen import seen_origins; "
        f"print([(s.origin, s.allowed) for s in seen_origins(Site.objects.get(key={shop.key!r}))])",
    )
    assert f"('{origin}', False)" in out


async def test_an_unknown_site_key_hides_the_launcher_and_says_why(live_papo, shop, browser):
    page = await browser.new_page(viewport=DESKTOP)
    lines = papo_lines(page)
    await page.goto(shop.page_url(hostile=False, key="pk_no_such_site"))
    await launcher(page).hover()
    await expect(launcher(page)).to_be_hidden()
    assert lines == [
        f"Papo: unknown site key pk_no_such_site (on {live_papo.host.origin}): copy the embed "
        f"snippet from the Papo console, {live_papo.server.http}/console/"
    ]


async def test_a_refusal_remembered_from_an_earlier_page_is_asked_again(live_papo, shop, browser):
    """The owner fixed the allowed origins: the next page's check shows the launcher."""
    page = await browser.new_page(viewport=DESKTOP)
    lines = papo_lines(page)
    await page.add_init_script(
        f"localStorage.setItem('papo:{shop.key}:cfg', '{{\"refused\":\"origin_not_allowed\"}}')"
    )
    await page.goto(shop.page_url(hostile=False))
    await expect(launcher(page)).to_be_visible()
    await launcher(page).click()
    await expect(composer(page)).to_be_focused()
    assert lines == []


async def test_a_phone_on_a_page_wider_than_its_screen(live_papo, shop, browser):
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )
    try:
        page = await context.new_page()
        wide = '<table style="width:1400px"><tr><td>A price list wider than a phone</td></tr>'
        wide += "</table>"
        await page.goto(shop.page_url(hostile=False, body=wide))
        await expect(launcher(page)).to_be_visible()
        layout = await page.evaluate("innerWidth")
        assert layout > 1000, "the page is wider than the screen"
        screen = await page.evaluate(
            "[visualViewport.offsetLeft, visualViewport.offsetTop,"
            " visualViewport.width, visualViewport.height]"
        )
        assert screen == [0, 0, 390, 844]

        def rect(selector: str) -> str:
            return (
                f"(() => {{ const b = {SHADOW}.querySelector('{selector}').getBoundingClientRect();"
                " return [b.x, b.y, b.width, b.height].map(Math.round) })()"
            )

        # Bottom right of the screen, 20 px in, as on any page.
        assert await page.evaluate(rect(".l")) == [390 - 20 - 56, 844 - 20 - 56, 56, 56]
        await shot(page, "phone-wide-page")
        await launcher(page).tap()
        await expect(composer(page)).to_be_visible()
        await page.wait_for_timeout(300)  # the opening animation
        assert await page.evaluate(rect(".p")) == [0, 0, 390, 844]
        await shot(page, "phone-wide-page-open")
        await page.get_by_role("button", name="Close chat").tap()
        await expect(launcher(page)).to_be_visible()
        assert await page.evaluate(rect(".l")) == [314, 768, 56, 56]
    finally:
        await context.close()


async def test_the_site_hears_open_close_unread_and_ended(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page(viewport=DESKTOP)
        await page.goto(
            shop.page_url(
                hostile=False,
                before_load=(
                    "window.heard = [];"
                    " ['open', 'close', 'unread', 'ended'].forEach(function (t) {"
                    "   Papo.on(t, function (d) { heard.push(d === undefined ? [t] : [t, d]) }) });"
                    " Papo.on('message', function (m) { heard.push(['message', m.author]) });"
                ),
            )
        )
        heard = lambda: page.evaluate("heard")  # noqa: E731
        await launcher(page).click()
        await say(page, "hi")
        conv = (await console.expect("message", timeout=10, body="hi"))["message"]["conversation"]
        await expect(page.locator("papo-chat li.sy")).to_have_count(1)  # the agent joined
        await page.locator("papo-chat button.x").click()  # the panel's own close button
        await agent_reply(console, conv, "Hello! How can I help?")
        await expect(page.get_by_role("button", name="Open chat, 1 unread")).to_be_visible()
        await launcher(page).click()
        await expect(page.locator(AGENT_BUBBLES)).to_have_text(["Hello! How can I help?"])
        ok = await console.request({"type": "resolve", "conversation": conv})
        assert ok["type"] == "ok", ok
        await expect(page.locator("papo-chat li.sy")).to_have_count(2)
        await page.wait_for_function("heard.some(e => e[0] === 'ended')")
        events = await heard()
        assert events == [
            ["open"],
            ["message", "visitor"],
            ["message", "system"],
            ["close"],
            ["message", "agent"],
            ["unread", 1],
            ["open"],
            ["unread", 0],
            ["message", "system"],
            ["ended", {"conversation": conv, "by": "agent"}],
        ], events
    finally:
        await console.close()


STORAGE_SPY = """
window.__touched = [];
(() => {
  const note = (what) => window.__touched.push(what);
  for (const name of ['getItem', 'setItem', 'removeItem', 'key', 'clear']) {
    const real = Storage.prototype[name];
    Storage.prototype[name] = function (...args) { note(name); return real.apply(this, args); };
  }
  for (const target of [Window.prototype, window]) {
    for (const prop of ['localStorage', 'sessionStorage', 'indexedDB']) {
      const d = Object.getOwnPropertyDescriptor(target, prop);
      if (d && d.get) Object.defineProperty(target, prop, {
        ...d, get() { note(prop); return d.get.call(this); } });
    }
  }
  const c = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    ...c, get() { note('cookie'); return c.get.call(this); },
    set(v) { note('cookie='); c.set.call(this, v); } });
})();
"""


async def test_consent_free_mode_touches_nothing_before_the_click(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    context = await browser.new_context(viewport=DESKTOP)
    try:
        page = await context.new_page()
        await page.add_init_script(STORAGE_SPY)
        papo = live_papo.server.http
        requests: list[str] = []
        page.on("request", lambda r: r.url.startswith(papo) and requests.append(r.url))
        attrs = {"data-consent-free": "", "data-color": "#aa3300", "data-position": "left",
                 "data-label": "Chat with us"}
        await page.goto(shop.page_url(hostile=False, attrs=attrs))
        button = page.get_by_role("button", name="Chat with us")
        await expect(button).to_be_visible()
        await shot(page, "consent-free-launcher")
        await button.hover()  # intent loads nothing in this mode
        await button.focus()
        await page.wait_for_timeout(500)
        assert requests == [f"{papo}/static/papo/widget.js"]
        assert await page.evaluate("window.__touched") == []
        assert await context.cookies() == []
        look = await button.evaluate(
            "b => [getComputedStyle(b).backgroundColor, Math.round(b.getBoundingClientRect().x)]"
        )
        assert look == ["rgb(170, 51, 0)", 20], "drawn from the tag: colour, left"

        await button.click()  # the visitor's own choice: now the chat may work as usual
        await expect(composer(page)).to_be_focused()
        await say(page, "hola from a careful site")
        await console.expect("message", timeout=10, body="hola from a careful site")
        await expect(page.locator(VISITOR_BUBBLES)).to_have_text(["hola from a careful site"])
        assert any("/config" in u for u in requests)
        assert not any("/es-" in u for u in requests), "Spanish strings only for Spanish"
        stored = await page.evaluate("Object.keys(localStorage)")
        assert f"papo:{shop.key}" in stored
        assert f"papo:{shop.key}:cfg" not in stored, "consent-free pages cache no config"
        assert await context.cookies() == []
    finally:
        await context.close()
        await console.close()


async def test_spanish_comes_with_its_own_strings(live_papo, shop, browser):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page(viewport=DESKTOP, locale="es-ES")
        chunks: list[str] = []
        page.on("request", lambda r: "/static/papo/" in r.url and chunks.append(r.url))
        await page.goto(shop.page_url(hostile=False))
        await page.get_by_role("button", name="Abrir chat").click()
        box = page.get_by_role("textbox", name="Escribe un mensaje…")
        await expect(box).to_be_focused()
        assert any(re.search(r"/es-\w+\.js$", u) for u in chunks)
        await box.fill("¿Dónde está mi pedido?")
        await box.press("Enter")
        await console.expect("message", timeout=10, body="¿Dónde está mi pedido?")
        name = agent["username"].split("-")[0].capitalize()
        await expect(page.locator("papo-chat li.sy")).to_have_text(
            [f"{name} se unió a la conversación"]
        )
        await expect(page.get_by_role("button", name="Cerrar chat").first).to_be_visible()
    finally:
        await console.close()
