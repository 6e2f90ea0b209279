"""The open widget, in each state a visitor meets and each language it speaks, in
Debian's Chromium against one real daphne: axe-core (which walks the widget's open
shadow root) finds no serious or critical violation, and nothing in the panel
overflows or clips. The states: a chat with messages, the pre-chat form (and its
refusal), nobody online (leave a message), the connection lost, the end question
and the ended card asking for a rating, and the files tray with refused files.
The chat with messages is saved as docs/screenshots/widget-open.png (-pt-BR, -es).

One server, one browser and the same two sites for the module: one with an agent
answering from a console socket, one with nobody online; each test is a new
visitor (a fresh browser context).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from papo.testing import browser_files
from papo.testing.axe import assert_no_serious_violations
from papo.testing.browser import chromium
from papo.testing.client import client_id
from papo.testing.layout import assert_nothing_overflows

pytestmark = pytest.mark.browser
async_test = pytest.mark.asyncio(loop_scope="module")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
W = "papo-chat"  # selectors pierce the widget's open shadow root
PANEL = f"{W} .p"
PANEL_ROOT = ".p"  # the panel, inside the widget's shadow root (layout.js looks there)
# The browser's language -> the screenshot's suffix.
LOCALES = {"en-US": "", "pt-BR": "-pt-BR", "es-ES": "-es"}
# The pre-chat form's button, in each language.
START = {"en-US": "Start chat", "pt-BR": "Iniciar conversa", "es-ES": "Iniciar chat"}
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser_once():
    async with chromium() as browser:
        yield browser


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sites(live_papo, make_shop):
    """``answered``: a shop whose agent (a console socket, pinging all module long)
    answers; ``nobody``: a shop with no agent; ``prechat``: one that asks first."""
    answered, nobody, prechat = (make_shop(live_papo) for _ in range(3))
    answered.configure(file_max_bytes=1_000_000, file_types="image,pdf")
    prechat.configure(prechat_form=True)
    agent = live_papo.new_agents("ana", site=answered.name, max_concurrent=50)["ana"]
    answered.configure(name="Acme Shop")  # the panel's title in the pictures
    console = await live_papo.console(agent)
    console.start_heartbeat(10)
    yield {"answered": answered, "nobody": nobody, "prechat": prechat, "console": console}
    await console.close()


async def visitor(browser, shop, locale: str) -> Page:
    """A new visitor on the shop's page, the chat opened."""
    context = await browser.new_context(locale=locale, viewport=VIEWPORT)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    await page.goto(shop.page_url(hostile=False))
    await page.locator(f"{W} button.l").click()
    await expect(page.locator(PANEL)).to_be_visible()
    return page


async def chat(page: Page, console) -> int:
    """The visitor asks, the agent answers: the chat's id."""
    question = f"Where is order {uuid.uuid4().hex[:4]}?"
    box = page.locator(f"{W} textarea")
    await box.fill(question)
    await box.press("Enter")
    heard = await console.expect("message", timeout=10, body=question)
    conversation = heard["message"]["conversation"]
    ack = await console.request({"type": "send", "conversation": conversation,
                                 "client_id": client_id(),
                                 "body": "It left the warehouse this morning."})
    assert ack["type"] == "ack", ack
    await expect(page.locator(f"{W} li.a .bb")).to_have_count(1)
    return conversation


async def check(page: Page) -> None:
    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page, PANEL_ROOT)


async def settle(page: Page) -> None:
    await page.wait_for_timeout(250)  # the panel's animations end


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
async def test_a_chat_with_messages(browser_once, sites, locale):
    page = await visitor(browser_once, sites["answered"], locale)
    try:
        await chat(page, sites["console"])
        await settle(page)
        await check(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"widget-open{LOCALES[locale]}.png"))
        # The connection lost: the banner says so.
        await page.context.set_offline(True)
        await expect(page.locator(f"{W} .bn")).to_be_visible()
        await check(page)
        await page.context.set_offline(False)
        assert not page.errors
    finally:
        await page.context.close()


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
async def test_the_pre_chat_form(browser_once, sites, locale):
    page = await visitor(browser_once, sites["prechat"], locale)
    try:
        start = page.get_by_role("button", name=START[locale])
        await expect(start).to_be_visible()
        await settle(page)
        await check(page)
        await page.locator(f"{W} form input").first.fill("Rita")
        await start.click()  # no e-mail: the form says what is missing
        await expect(page.locator(f"{W} form [role=alert]:visible")).to_have_count(1)
        await check(page)
        assert not page.errors
    finally:
        await page.context.close()


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
async def test_nobody_online(browser_once, sites, locale):
    page = await visitor(browser_once, sites["nobody"], locale)
    try:
        await expect(page.locator(f"{W} input[type=email]:visible")).to_have_count(1)
        await settle(page)
        await check(page)
        assert not page.errors
    finally:
        await page.context.close()


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
async def test_ending_and_the_rating_card(browser_once, sites, locale):
    page = await visitor(browser_once, sites["answered"], locale)
    try:
        await chat(page, sites["console"])
        await page.locator(f"{W} button.eb").click()
        question = page.get_by_role("alertdialog")
        await expect(question).to_be_visible()
        await settle(page)
        await check(page)
        await question.locator("button.sb").click()
        card = page.locator(f"{W} section.en")
        await expect(card.get_by_role("radio")).to_have_count(5)
        await settle(page)
        await check(page)
        assert not page.errors
    finally:
        await page.context.close()


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
async def test_the_files_tray(browser_once, sites, locale):
    page = await visitor(browser_once, sites["answered"], locale)
    try:
        await expect(page.locator(f"{W} button.pa")).to_be_visible()  # the files chunk is in
        for name, kind, data in [("backup.zip", "application/zip", b"PK\x03\x04" + b"x" * 100),
                                 ("huge.png", "image/png", b"\x89PNG" + b"x" * 1_000_001)]:
            await browser_files.hand_over(page, "section.p", "drop", name, kind, data,
                                          widget=True)
        await expect(page.locator(f"{W} ul.tr li")).to_have_count(2)
        await settle(page)
        await check(page)
        assert not page.errors
    finally:
        await page.context.close()
