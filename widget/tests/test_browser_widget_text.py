"""What the visitor reads, in Debian's chromium: text from other people that
cannot rearrange the widget around it, and every system event in words.

Bidi checks read the screen, not the DOM: ``seen()`` gives an element's glyphs
in the order they stand left to right, ``bidi()`` how the element takes part
in the Unicode bidi algorithm.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect
from test_browser_widget import VISITOR_BUBBLES, agent_name, launcher, say

from papo.testing.browser import bidi, seen
from papo.testing.client import client_id

pytestmark = pytest.mark.browser
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "\u202eexe.live" shows as "evil.exe"


@pytest.mark.security
async def test_bidi_overrides_stay_inside_the_text_that_holds_them(live_papo, shop, browser):
    username = "rlo-" + uuid.uuid4().hex[:6]
    agent = live_papo.seed({
        "sites": [{"name": shop.name, "origins": [live_papo.host.origin]}],
        "agents": [{"username": username, "name": RLO + "exe.live", "sites": [shop.name]}],
    })["agents"][username]
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        await page.goto(shop.page_url())
        await launcher(page).click()
        await say(page, "مرحبا، أين طلبي؟")
        frame = await console.expect("message", timeout=10, author="visitor")
        conv = frame["message"]["conversation"]

        # The agent's name: its own isolate, controls gone, and the sentence after it
        # still reads left to right after it.
        joined = page.locator("papo-chat li.sy").first
        await expect(joined).to_have_text("exe.live joined the conversation", timeout=10_000)
        assert await seen(joined) == "exe.live joined the conversation"
        assert await bidi(joined.locator("bdi")) == {
            "tag": "bdi", "dir": None, "unicode_bidi": "isolate", "direction": "ltr"}

        # Arabic from the visitor reads right to left, in its own isolated bubble.
        assert await bidi(page.locator(VISITOR_BUBBLES).last) == {
            "tag": "div", "dir": "auto", "unicode_bidi": "plaintext", "direction": "rtl"}

        # An override in a body turns that body's own line only; a link in it still
        # reads as the address it opens.
        ack = await console.request({
            "type": "send", "conversation": conv, "client_id": client_id(),
            "body": RLO + "exe.live https://a.example"})
        assert ack["type"] == "ack", ack
        reply = page.locator("papo-chat li.a").last
        await expect(reply.locator(".bb")).to_have_text(RLO + "exe.live https://a.example")
        assert await seen(reply.locator(".bb")) == "https://a.example evil.exe"
        assert await bidi(reply.locator(".bb a")) == {
            "tag": "a", "dir": "ltr", "unicode_bidi": "isolate", "direction": "ltr"}
        assert await seen(reply.locator(".nm")) == "exe.live"

        # Typing: the name, then the words, in that order on screen.
        await console.send({"type": "typing", "conversation": conv, "state": "start"})
        typing = page.locator("papo-chat .ty")
        await expect(typing).to_have_text("exe.live is typing…")
        assert await seen(typing) == "exe.live is typing…"
        assert await typing.locator("bdi").count() == 1

        # A row stored before names lost their controls on the server: the widget
        # takes them out itself.
        live_papo.stack.manage("shell", "-c", (
            "from conversations.models import Message; "
            f"Message.objects.filter(conversation_id={conv}, event='assigned')"
            ".update(data={'agent': '\\u202eexe.live'})"))
        await page.reload()
        await launcher(page).click()
        await expect(joined).to_have_text("exe.live joined the conversation")
        assert await seen(joined) == "exe.live joined the conversation"
    finally:
        await console.close()


async def test_a_chat_back_in_the_queue_says_so_in_the_visitors_language(
    live_papo, shop, browser
):
    agent = shop.agent()
    console = await live_papo.console(agent)
    try:
        page = await browser.new_page()
        await page.goto(shop.page_url(locale="pt-BR"))
        await launcher(page).click()
        await say(page, "Olá")
        await console.expect("message", timeout=10, body="Olá")
        lines = page.locator("papo-chat li.sy")
        await expect(lines).to_have_text([f"{agent_name(agent)} entrou na conversa"],
                                         timeout=10_000)
        # The requeue the grace-period sweep does for an agent gone offline (here for
        # an agent who lost access: the same code, the same system message).
        live_papo.stack.manage("shell", "-c", (
            "from conversations.routing import requeue_chats_of; "
            f"requeue_chats_of({agent['id']})"))
        await page.reload()
        await launcher(page).click()
        await expect(lines.nth(1)).to_have_text(
            f"{agent_name(agent)} se ausentou; o próximo atendente disponível vai responder")
    finally:
        await console.close()
