"""What an agent reads, in Debian's chromium: visitor text that cannot
rearrange the console around it, and system events in words.

Bidi checks read the screen, not the DOM: ``seen()`` gives an element's glyphs
in the order they stand left to right, ``bidi()`` how the element takes part
in the Unicode bidi algorithm.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from test_browser_console import login

from papo.testing.browser import bidi, seen
from papo.testing.client import client_id

pytestmark = pytest.mark.browser
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "\u202eexe.live" shows as "evil.exe"
ISOLATE = {"tag": "bdi", "dir": None, "unicode_bidi": "isolate", "direction": "ltr"}


@pytest.mark.security
async def test_bidi_overrides_stay_inside_visitor_text(live_papo, browser):
    team = live_papo.team("ana")
    ana = await login(browser, live_papo, team.agents["ana"])
    visitor, welcome = await live_papo.visitor(team.site_key)
    await visitor.request({"type": "profile", "name": RLO + "exe.live",
                           "email": RLO + "a@x.example",
                           "page": {"url": "https://shop.example/", "title": RLO + "Cart"}})
    ack = await visitor.request({"type": "send", "client_id": client_id(),
                                 "body": "مرحبا، أين طلبي؟"})
    conv = ack["conversation"]
    await visitor.request({"type": "send", "client_id": client_id(), "body": RLO + "exe.live"})
    await ana.tab("mine").click()
    await expect(ana.conv(conv)).to_be_visible()
    # Stored without the override (the server takes bidi controls out of names); the
    # last body, in the list, overrides its own text only.
    row = ana.conv(conv)
    await expect(row.locator(".preview")).to_have_text(RLO + "exe.live")
    assert await seen(row.locator(".name")) == "exe.live"
    assert await seen(row.locator(".preview")) == "evil.exe"
    assert await bidi(row.locator(".preview .ut")) == {
        "tag": "span", "dir": "auto", "unicode_bidi": "plaintext", "direction": "ltr"}

    # Rows stored before that rule, and a chat requeued meanwhile: what the console
    # draws from them must hold up by itself.
    live_papo.stack.manage("shell", "-c", (
        "from visitors.models import Visitor; from conversations.routing import requeue_chats_of; "
        f"Visitor.objects.filter(conversations__id={conv}).update(name='\\u202eexe.live', "
        "email='\\u202ea@x.example', page_title='\\u202eCart'); "
        f"requeue_chats_of({team.agents['ana']['id']})"))
    await visitor.close()
    visitor, _ = await live_papo.visitor(team.site_key, token=welcome["token"])
    await ana.page.reload()
    await expect(ana.page.locator("#app")).to_have_attribute("data-ready", "yes")
    await ana.tab("mine").click()
    await ana.conv(conv).click()

    assert await seen(row.locator(".name")) == "exe.live"
    assert await bidi(row.locator(".name bdi")) == ISOLATE
    header = ana.page.locator(".conv-header .title")
    assert await seen(header.locator("h2")) == "exe.live"
    assert await bidi(header.locator("h2 bdi")) == ISOLATE
    sidebar = ana.page.locator(".sidebar")
    assert await seen(sidebar.locator("h3")) == "exe.live Not verified"
    assert await seen(sidebar.locator("[data-field=email] dd")) == "a@x.example"
    assert await seen(sidebar.locator("[data-field=page] a")) == "Cart"

    # Bodies: Arabic reads right to left; an override turns its own body only.
    bodies = ana.thread.locator("li.msg.visitor .body")
    await expect(bodies).to_have_count(2)
    assert await bidi(bodies.first) == {
        "tag": "div", "dir": "auto", "unicode_bidi": "plaintext", "direction": "rtl"}
    assert await seen(bodies.last) == "evil.exe"
    assert await seen(ana.thread.locator("li.msg.visitor .who").last) == "exe.live"

    # The requeue, worded, the agent's name isolated.
    requeued = ana.thread.locator("li.sys[data-event=requeued] span")
    assert await seen(requeued) == "Ana went offline; back in the queue"
    assert await requeued.locator("bdi").count() == 1

    # Typing: the name, then the words, in that order on screen.
    await visitor.send({"type": "typing", "state": "start"})
    typing = ana.page.locator(".typing")
    await expect(typing).to_have_text("exe.live is typing…")
    assert await seen(typing) == "exe.live is typing…"
    assert await bidi(typing.locator("bdi")) == ISOLATE
    assert not ana.errors
    await visitor.close()
