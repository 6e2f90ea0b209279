"""What an agent reads in the inbox, in English and Brazilian Portuguese, in
Debian's chromium against a real daphne: rows that say who said what, each
visitor by name, else e-mail, else a friendly name made from their id (the
same in the list, the header and the sidebar, never "Visitor 9936c41b"),
empty boxes that say what to do next, no serious axe-core violation and
nothing spilling out of its box at 1280 by 800. The empty search is saved as a
screenshot in docs/screenshots/ (the inbox's pages: test_browser_console_a11y.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect
from test_browser_console import login

from papo.testing.axe import assert_no_serious_violations
from papo.testing.client import client_id
from papo.testing.layout import assert_nothing_overflows

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
I18N = (REPO / "agent_console" / "src" / "i18n.ts").read_text(encoding="utf-8")
LOCALES = ["en-US", "pt-BR"]
SAYS = {
    "en-US": {
        "first": "No chats yet", "snippet": "Get the snippet", "took": "Ana took the conversation",
        "you": "You:", "mine": "No chats assigned to you", "queue": "Nobody is waiting",
        "search": "No chat matches “zzz”", "clear": "Clear the search",
        "resolved": "No resolved chats yet",
    },
    "pt-BR": {
        "first": "Nenhuma conversa ainda", "snippet": "Pegar o código",
        "took": "Ana assumiu a conversa", "you": "Você:", "mine": "Nenhuma conversa com você",
        "queue": "Ninguém aguardando", "search": "Nenhuma conversa corresponde a “zzz”",
        "clear": "Limpar a busca", "resolved": "Nenhuma conversa resolvida ainda",
    },
}


def friendly(public_id: str, locale: str) -> str:
    """The console's generated name for a visitor (names.ts), from the catalogue's lists."""
    en, pt = I18N.split("const ptBR")
    text = pt if locale == "pt-BR" else en

    def entry(key: str) -> str:
        return re.search(rf"\b{key}: '([^']*)'", text).group(1)

    n = 0x811C9DC5
    for ch in public_id:
        n = ((n ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    colours, animals = entry("nameColours").split("|"), entry("nameAnimals").split("|")
    return (entry("friendlyName").replace("{colour}", colours[n % len(colours)])
            .replace("{animal}", animals[n // len(colours) % len(animals)]))


async def shot(page, name: str, locale: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if locale == "en-US" else "-" + locale
    await page.screenshot(path=str(SHOTS / f"console-{name}{suffix}.png"))


async def check_page(page) -> None:
    """Every state the agent sees: accessible, and nothing overflowing."""
    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page)


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_new_console_says_where_chats_come_from(live_papo, browser, locale):
    says = SAYS[locale]
    admins = live_papo.team("ana", role="admin")
    ana = await login(browser, live_papo, admins.agents["ana"], locale=locale)
    empty = ana.page.locator(".inbox .empty-state")
    for box in ("queue", "mine", "open", "resolved"):
        await ana.tab(box).click()
        await expect(empty.locator(".empty-title")).to_have_text(says["first"])
    await ana.tab("queue").click()
    await expect(ana.page.locator(".conv-list")).to_be_hidden()
    link = empty.get_by_role("link", name=says["snippet"])
    await expect(link).to_have_attribute("href", f"/console/sites/{admins.site_key}/settings/")
    await check_page(ana.page)
    await link.click()
    await expect(ana.page.locator("main")).to_contain_text(admins.site_key)  # the snippet

    # An agent (not an admin) is told where chats come from, not sent to settings.
    agents = live_papo.team("caio")
    caio = await login(browser, live_papo, agents.agents["caio"], locale=locale)
    await expect(caio.page.locator(".empty-state .empty-title")).to_have_text(says["first"])
    await expect(caio.page.locator(".empty-state a")).to_have_count(0)
    assert not ana.errors and not caio.errors


@pytest.mark.parametrize("locale", LOCALES)
async def test_rows_say_who_said_what_and_name_every_visitor(live_papo, browser, locale):
    says = SAYS[locale]
    team = live_papo.team("ana", "bruno", role="admin")
    ana = await login(browser, live_papo, team.agents["ana"], locale=locale)
    bruno = await login(browser, live_papo, team.agents["bruno"], locale=locale)
    await bruno.page.click("button.presence")  # away: new chats are routed to Ana
    await expect(bruno.page.locator("button.presence")).to_have_attribute("data-status", "away")

    rita, _ = await live_papo.visitor(team.site_key)
    await rita.request({"type": "profile", "name": "Rita", "email": "rita@shop.example"})
    named = (await rita.request({"type": "send", "client_id": client_id(),
                                 "body": "Where is my order?"}))["conversation"]
    joao, _ = await live_papo.visitor(team.site_key)
    await joao.request({"type": "profile", "email": "joao@shop.example"})
    mailed = (await joao.request({"type": "send", "client_id": client_id(),
                                  "body": "Oi"}))["conversation"]
    anon, welcome = await live_papo.visitor(team.site_key)
    nameless = (await anon.request({"type": "send", "client_id": client_id(),
                                    "body": "Hello?"}))["conversation"]
    generated = friendly(welcome["visitor"]["id"], locale)

    await ana.tab("mine").click()
    await expect(ana.conv(named).locator(".name")).to_have_text("Rita")
    await expect(ana.conv(mailed).locator(".name")).to_have_text("joao@shop.example")
    await expect(ana.conv(nameless).locator(".name")).to_have_text(generated)
    # Routed to Ana: the last line is the system's, naming her.
    await expect(ana.conv(nameless).locator(".preview")).to_have_text(says["took"])
    await expect(ana.conv(nameless).locator(".by")).to_have_count(0)

    # The generated name is the visitor's everywhere: list, header, sidebar, thread.
    await ana.conv(nameless).click()
    await expect(ana.page.locator(".conv-header h2")).to_have_text(generated)
    await expect(ana.page.locator(".sidebar h3 bdi")).to_have_text(generated)
    await expect(ana.thread.locator("li.msg.visitor .who")).to_have_text([generated])
    await anon.send({"type": "typing", "state": "start"})
    await expect(ana.page.locator(".typing bdi")).to_have_text(generated)
    assert not re.search(r"Visit(or|ante) [0-9a-f]{6}", await ana.page.inner_text("#app"))

    # Who said what: the visitor by name, the agent reading as "You", a colleague by name.
    await ana.conv(named).click()
    await ana.say("On its way")
    row = ana.conv(named)
    await expect(row.locator(".by")).to_have_text(says["you"])
    await expect(row.locator(".preview")).to_have_text("On its way")
    await rita.request({"type": "send", "client_id": client_id(), "body": "Thanks!"})
    await expect(row.locator(".by")).to_have_text("Rita:")
    await expect(row.locator(".preview")).to_have_text("Thanks!")
    await ana.say("Anytime")
    await expect(row.locator(".by")).to_have_text(says["you"])
    # A colleague's list, as the server sends it (the last message names its author).
    await bruno.page.reload()
    await expect(bruno.page.locator("#app")).to_have_attribute("data-ready", "yes")
    await bruno.tab("open").click()
    await expect(bruno.conv(named).locator(".by")).to_have_text("Ana:")
    await expect(bruno.conv(named).locator(".preview")).to_have_text("Anytime")
    await expect(bruno.conv(nameless).locator(".name")).to_have_text(generated)

    await check_page(ana.page)
    await ana.page.click("button.help-btn")
    await expect(ana.page.locator("dialog.help-dialog")).to_be_visible()
    await assert_no_serious_violations(ana.page)
    await ana.page.keyboard.press("Escape")

    # Empty boxes say what to do next.
    empty = bruno.page.locator(".inbox .empty-state .empty-title")
    await bruno.tab("mine").click()
    await expect(empty).to_have_text(says["mine"])
    await bruno.tab("queue").click()
    await expect(empty).to_have_text(says["queue"])
    await bruno.tab("resolved").click()
    await expect(empty).to_have_text(says["resolved"])
    await bruno.page.fill("input.search", "zzz")
    await expect(empty).to_have_text(says["search"])
    await check_page(bruno.page)
    await shot(bruno.page, "empty-search", locale)
    await bruno.page.get_by_role("button", name=says["clear"]).click()
    await expect(bruno.page.locator("input.search")).to_have_value("")
    await expect(empty).to_have_text(says["resolved"])
    assert not ana.errors and not bruno.errors
    for peer in (rita, joao, anon):
        await peer.close()
