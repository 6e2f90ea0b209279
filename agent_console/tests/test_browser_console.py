"""The agent console in Debian's chromium, against a real daphne.

Two agents log in through the real login page, each in its own browser
context; the visitor is driven over its WebSocket. What agents see is read from
the page; what the visitor got is every frame its socket received.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from papo.testing.client import client_id

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36")
XSS = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
XSS_EMAIL = '"><svg/onload=window.__xss=3;alert(3)>@x.example'
# Content-Security-Policy violations the page reports (the console must need none).
CSP_WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


class Agent:
    def __init__(self, page: Page, errors: list[str], dialogs: list[str]) -> None:
        self.page, self.errors, self.dialogs = page, errors, dialogs

    def tab(self, box: str):
        return self.page.locator(f".tab[data-box={box}]")

    def count(self, box: str):
        return self.page.locator(f".tab[data-box={box}] .count")

    def conv(self, conv_id: int):
        return self.page.locator(f".conv-list li.conv[data-id='{conv_id}']")

    @property
    def thread(self):
        return self.page.locator(".thread")

    @property
    def composer(self):
        return self.page.locator("#composer-input")

    async def say(self, text: str) -> None:
        await self.composer.fill(text)
        await self.composer.press("Enter")


async def login(browser, live, agent: dict, locale: str = "en-US") -> Agent:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.add_init_script(CSP_WATCH)
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
    await page.goto(live.server.http + "/console/")
    assert "/console/login/" in page.url  # behind login
    await page.fill("#id_username", agent["username"])
    await page.fill("#id_password", "pw-" + agent["username"])
    await page.click("main button.primary")
    await page.wait_for_url(re.compile(r"/console/$"))
    await expect(page.locator("#app")).to_have_attribute("data-ready", "yes")
    return Agent(page, errors, dialogs)


async def until(check, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.mark.security  # visitor payloads run nothing; the console needs no CSP exception
async def test_two_agents_handle_a_chat_end_to_end(live_papo, browser):
    team = live_papo.team("ana", "bruno", role="admin")
    ana = await login(browser, live_papo, team.agents["ana"])
    bruno = await login(browser, live_papo, team.agents["bruno"])
    # Both step away, so routing leaves the new chat in the queue for a claim.
    for agent in (ana, bruno):
        await agent.page.click("button.presence")
        await expect(agent.page.locator("button.presence")).to_have_attribute("data-status", "away")
    await expect(ana.page).to_have_title("Papo")

    visitor = await live_papo.widget(team.site_key, **{"User-Agent": UA})
    await visitor.send({"type": "hello", "v": 1, "locale": "pt-BR",
                        "page": {"url": "https://shop.example/cart", "title": "Your cart"}})
    welcome = await visitor.expect("welcome")
    ack = await visitor.request({"type": "send", "client_id": client_id(),
                                 "body": "Hello, my order is late"})
    conv = ack["conversation"]

    # Agent 1: in Waiting, with a notification (title count and a beep)
    await expect(ana.count("queue")).to_have_text("1")
    await expect(ana.conv(conv)).to_be_visible()
    await expect(ana.page).to_have_title("(1) Papo")
    assert int(await ana.page.evaluate("document.documentElement.dataset.beeps || '0'")) >= 1
    await expect(bruno.conv(conv)).to_be_visible()

    await ana.conv(conv).click()
    await expect(ana.thread.locator("li.msg.visitor .body")).to_have_text(
        ["Hello, my order is late"])
    sidebar = ana.page.locator(".sidebar")
    await expect(sidebar.locator("[data-field=page] a")).to_have_text("Your cart")
    await expect(sidebar.locator("[data-field=page] a")).to_have_attribute(
        "href", "https://shop.example/cart")
    await expect(sidebar.locator("[data-field=browser] dd")).to_have_text("Chrome 131")
    await expect(sidebar.locator("[data-field=os] dd")).to_have_text("Windows 10/11")

    # Claim: it leaves Bruno's Waiting at once
    await ana.page.click(".conv-header button.claim")
    await expect(ana.page.locator(".conv-header .status")).to_have_attribute("data-status", "open")
    await expect(ana.count("mine")).to_have_text("1")
    await expect(bruno.count("queue")).to_have_text("0")
    await expect(bruno.conv(conv)).to_have_count(0)
    await expect(ana.page).to_have_title("Papo")

    # Messages both ways, typing both ways
    await ana.say("Hi! Let me check.")
    got = await visitor.expect("message", author="agent", body="Hi! Let me check.")
    assert got["message"]["agent"] == {"name": "Ana"}
    await visitor.send({"type": "typing", "state": "start"})
    await expect(ana.page.locator(".typing")).to_contain_text("is typing")
    await ana.composer.fill("Still check")
    await ana.composer.type("ing…")
    typing = await visitor.expect("typing")
    assert typing["name"] == "Ana" and typing["state"] == "start"
    await ana.composer.fill("")

    # An XSS payload from the visitor is text, and runs nothing
    await visitor.request({"type": "send", "client_id": client_id(), "body": XSS})
    await expect(ana.thread.locator("li.msg.visitor .body").last).to_have_text(XSS)
    assert await ana.page.evaluate("window.__xss") is None
    assert await ana.thread.locator("img, script").count() == 0
    await visitor.request({"type": "profile", "name": XSS, "email": XSS_EMAIL, "page": {
        "url": "javascript:alert(1)", "title": XSS}})
    await expect(sidebar.locator("h3")).to_contain_text(XSS)
    await expect(sidebar.locator("[data-field=email] dd")).to_have_text(XSS_EMAIL)
    assert await sidebar.locator("a[href^='javascript']").count() == 0
    assert await ana.page.evaluate("window.__xss") is None and not ana.dialogs

    # An internal note: shown to agents, never to the visitor
    await ana.page.check("#note-toggle")
    await ana.say("SECRET-NOTE: refund approved internally")
    await expect(ana.thread.locator("li.msg.note:not(.pending) .body")).to_have_text(
        ["SECRET-NOTE: refund approved internally"])
    await ana.page.uncheck("#note-toggle")
    await ana.say("Your refund is on its way.")
    await visitor.expect("message", body="Your refund is on its way.")

    # The visitor reads: the agent sees it
    last = max(m["seq"] for m in visitor.messages(conv))
    await visitor.send({"type": "read", "seq": last})
    await expect(ana.thread.locator(".seen")).to_have_count(1)

    # Canned response: add one in the console, insert it with /shortcut
    await ana.page.click("button.canned-btn")
    form = ana.page.locator("form.canned-form")
    await form.locator("input[name=shortcut]").fill("thanks")
    await form.locator("textarea[name=body]").fill("Thanks for your patience!")
    await form.locator("button[type=submit]").click()
    await expect(ana.page.locator(".canned-list li[data-shortcut=thanks]")).to_be_visible()
    await ana.page.keyboard.press("Escape")
    await expect(ana.page.locator("dialog.canned-dialog")).not_to_be_visible()
    await ana.composer.fill("")
    await ana.composer.press_sequentially("/tha")
    await expect(ana.page.locator(".suggest li")).to_have_count(1)
    await ana.composer.press("Enter")
    await expect(ana.composer).to_have_value("Thanks for your patience!")
    await ana.composer.press("Enter")
    await visitor.expect("message", body="Thanks for your patience!")

    # Transfer to agent 2 (who comes back online)
    await bruno.page.click("button.presence")
    await expect(bruno.page.locator("button.presence")).to_have_attribute("data-status", "online")
    select = ana.page.locator(".conv-header select.transfer")
    await expect(select.locator("option", has_text="Bruno")).to_have_count(1)
    await select.select_option(
        await select.locator("option", has_text="Bruno").get_attribute("value"))
    await expect(ana.page.locator(".conv-header .title")).to_contain_text("Bruno")
    await expect(ana.count("mine")).to_have_text("0")
    await expect(bruno.count("mine")).to_have_text("1")
    await bruno.tab("mine").click()
    await bruno.conv(conv).click()
    await expect(bruno.thread.locator("li.sys[data-event=transferred]")).to_contain_text(
        "Transferred from Ana to Bruno")
    await expect(bruno.thread.locator("li.msg.note .body")).to_have_text(
        ["SECRET-NOTE: refund approved internally"])
    await bruno.say("Bruno here, all sorted.")
    got = await visitor.expect("message", body="Bruno here, all sorted.")
    assert got["message"]["agent"] == {"name": "Bruno"}
    ARTIFACTS.mkdir(exist_ok=True)
    await bruno.page.screenshot(path=str(ARTIFACTS / "console-transferred.png"))

    # Resolve
    await bruno.page.click(".conv-header button.resolve")
    await expect(bruno.page.locator(".conv-header .status")).to_have_attribute(
        "data-status", "resolved")
    await visitor.expect("conversation", event="resolved")
    await expect(bruno.thread.locator("li.sys[data-event=resolved]")).to_contain_text(
        "Resolved by Bruno")

    # Search (every chat, resolved ones too) by message text
    await ana.tab("resolved").click()
    hit = ana.page.locator(f".results li.message-hit[data-conversation='{conv}']")
    await ana.page.fill("input.search", "order is late")
    await expect(hit).to_be_visible()
    await ana.page.fill("input.search", "no such words at all")
    await expect(hit).to_have_count(0)
    await ana.page.screenshot(path=str(ARTIFACTS / "console-agent1.png"))

    # The note never reached the visitor: not live, not in a replay, not in history
    back, replay = await live_papo.visitor(team.site_key, token=welcome["token"])
    history = await back.request({"type": "history", "limit": 200})
    everything = str(visitor.frames + await visitor.quiet(0.3)) + str(replay) + str(history)
    assert "SECRET-NOTE" not in everything
    assert "Your refund is on its way." in everything

    for agent in (ana, bruno):
        assert not agent.errors, agent.errors
        assert not agent.dialogs
        assert await agent.page.evaluate("window.__csp") == []  # nothing needed the policy off
    await visitor.close()
    await back.close()


async def test_console_reconnects_and_shows_what_it_missed(live_papo, browser):
    team = live_papo.team("carla")
    carla = await login(browser, live_papo, team.agents["carla"])
    visitor, _ = await live_papo.visitor(team.site_key)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "first"})
    conv = ack["conversation"]
    await expect(carla.count("mine")).to_have_text("1")  # routed to the online agent
    await carla.tab("mine").click()
    await carla.conv(conv).click()
    await expect(carla.thread.locator("li.msg.visitor .body")).to_have_text(["first"])
    # Drop the socket from the page side; meanwhile the visitor writes.
    await carla.page.evaluate("() => window.papoConsole.sock.ws.close()")
    await expect(carla.page.locator("#app")).to_have_attribute("data-socket", "offline")
    await visitor.request({"type": "send", "client_id": client_id(), "body": "while away"})
    await expect(carla.page.locator("#app")).to_have_attribute("data-ready", "again",
                                                             timeout=15000)
    await expect(carla.thread.locator("li.msg.visitor .body")).to_have_text(
        ["first", "while away"])
    assert not carla.errors
    await visitor.close()


async def test_login_refusal_and_portuguese(live_papo, browser):
    live_papo.seed({"agents": [{"username": "loner", "sites": []}]})
    loner = {"username": "loner"}
    context = await browser.new_context(locale="pt-BR")
    page = await context.new_page()
    await page.goto(live_papo.server.http + "/console/login/")
    await expect(page.locator("main button.primary")).to_have_text("Entrar")
    await page.fill("#id_username", loner["username"])
    await page.fill("#id_password", "pw-loner")
    await page.click("main button.primary")
    await expect(page.locator("main.refused")).to_contain_text("não é agente de nenhum site")

    team = live_papo.team("dora")
    dora = await login(browser, live_papo, team.agents["dora"], locale="pt-BR")
    await expect(dora.tab("queue")).to_contain_text("Aguardando")
    await expect(dora.page.locator("button.presence")).to_contain_text("Online")
    await dora.page.click("button.presence")
    await expect(dora.page.locator("button.presence")).to_contain_text("Ausente")
