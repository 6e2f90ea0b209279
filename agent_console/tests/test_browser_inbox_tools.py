"""Working the inbox, in Debian's chromium against a real daphne, in English and
Brazilian Portuguese: tags as coloured chips (made in the tags dialog, put on and
taken off from the chat's header, live in a colleague's console both ways),
filters kept in the URL (a reload and back/forward restore them), search with
highlighted snippets that opens the chat at the message found, and the `?`
overlay listing every shortcut. Every state passes axe-core (no serious or
critical violation) and the overflow check at 1280 by 800; each is saved in
docs/screenshots/ (console-tags, console-filters, console-search, ``-pt-BR``).
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect
from test_browser_console import login
from test_browser_inbox import check_page, shot

from papo.testing.client import client_id

pytestmark = pytest.mark.browser
LOCALES = ["en-US", "pt-BR"]
SAYS = {
    "en-US": {
        "tags": "Tags", "add": "Add the tag", "name": "Name", "colour": "Colour",
        "add_tag": "+ Add a tag", "find": "Find a tag", "remove": "Remove the tag {}",
        "manage": "Manage tags", "delete_q": "Delete “{}” from every chat?",
        "yes": "Yes, delete it", "filters": "Filters", "filters_n": "Filters ({})",
        "status": "Status", "assigned": "Assigned to",
        "tag": "Tag", "from": "Started from", "to": "until",
        "no_filter": "No chat matches these filters", "clear_filters": "Clear the filters",
        "no_search": "No chat matches “{}”", "clear_search": "Clear the search",
        "visitors": "Visitors", "messages": "Messages", "note": "Note",
        "help": "Keyboard shortcuts",
        "save": "Save", "name_of": "Name of {}", "colour_of": "Colour of {}",
    },
    "pt-BR": {
        "tags": "Etiquetas", "add": "Adicionar a etiqueta", "name": "Nome", "colour": "Cor",
        "add_tag": "+ Adicionar etiqueta", "find": "Procurar etiqueta",
        "remove": "Remover a etiqueta {}", "manage": "Gerenciar etiquetas",
        "delete_q": "Excluir “{}” de todas as conversas?", "yes": "Sim, excluir",
        "filters": "Filtros", "filters_n": "Filtros ({})", "status": "Situação",
        "assigned": "Com quem", "tag": "Etiqueta", "from": "Iniciada de", "to": "até",
        "no_filter": "Nenhuma conversa passa nestes filtros", "clear_filters": "Limpar os filtros",
        "no_search": "Nenhuma conversa corresponde a “{}”", "clear_search": "Limpar a busca",
        "visitors": "Visitantes", "messages": "Mensagens", "note": "Nota",
        "help": "Atalhos de teclado", "save": "Salvar", "name_of": "Nome de {}",
        "colour_of": "Cor de {}",
    },
}
# A visitor's message with markup in it: a search snippet shows it as text.
MARKUP = ('<img src=x onerror="window.__xss=1"> o pedido <b>urgente</b>'
          "<script>window.__xss=2</script>")
# The shortcuts the `?` overlay must list: what keyboard.ts and the composer answer.
KEYS = ["1 2 3 4", "j / k", "c", "e", "o", "t", "r", "n", "l", "/", "f", "Enter", "Shift + Enter",
        "/…", "Esc", "?"]


async def away(agent) -> None:
    """Routing then leaves new chats in the queue."""
    await agent.page.click("button.presence")
    await expect(agent.page.locator("button.presence")).to_have_attribute("data-status", "away")


def chip(scope, name: str):
    return scope.locator(".tag-chip", has_text=name)


@pytest.mark.parametrize("locale", LOCALES)
async def test_tags_made_put_on_and_taken_off_live_in_both_consoles(live_papo, browser, locale):
    says = SAYS[locale]
    team = live_papo.team("ana", "bruno", role="admin")
    ana = await login(browser, live_papo, team.agents["ana"], locale=locale)
    bruno = await login(browser, live_papo, team.agents["bruno"], locale=locale)
    for agent in (ana, bruno):
        await away(agent)

    # Ana makes two tags in the tags dialog; the second one yellow.
    await ana.page.get_by_role("button", name=says["tags"], exact=True).click()
    dialog = ana.page.locator("dialog.tags-dialog")
    new = dialog.locator("form.tag-new")
    await new.get_by_label(says["name"]).fill("VIP")
    await new.get_by_role("button", name=says["add"]).click()
    await expect(chip(dialog, "VIP")).to_be_visible()
    await new.get_by_label(says["name"]).fill("Billing")
    await new.get_by_label(says["colour"]).fill("#f2cc0c")
    await new.get_by_role("button", name=says["add"]).click()
    billing = chip(dialog, "Billing")
    await expect(billing).to_be_visible()
    # The text on a chip is whichever of black or white reads on its colour.
    await expect(billing).to_have_css("background-color", "rgb(242, 204, 12)")
    await expect(billing).to_have_css("color", "rgb(0, 0, 0)")
    await expect(chip(dialog, "VIP")).to_have_css("color", "rgb(255, 255, 255)")
    await check_page(ana.page)
    await ana.page.keyboard.press("Escape")

    visitor, _ = await live_papo.visitor(team.site_key)
    await visitor.request({"type": "profile", "name": "Rita"})
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "My invoice is wrong"}))["conversation"]
    await ana.conv(conv).click()
    await expect(bruno.conv(conv)).to_be_visible()

    # Ana puts VIP on from the header: a combobox, by keyboard.
    header = ana.page.locator(".conv-header")
    await header.get_by_role("button", name=says["add_tag"]).click()
    find = header.get_by_role("combobox", name=says["find"])
    await expect(find).to_be_focused()
    await find.fill("vi")
    await expect(header.locator(".tag-options").get_by_role("option")).to_have_text(["VIP"])
    await find.press("Enter")
    await expect(chip(header, "VIP")).to_be_visible()
    # what is left to add
    await expect(header.locator(".tag-options").get_by_role("option")).to_have_text(["Billing"])
    await check_page(ana.page)
    await shot(ana.page, "tags", locale)
    await find.press("Escape")
    await expect(find).to_be_hidden()
    await expect(header.get_by_role("button", name=says["add_tag"])).to_be_focused()
    await expect(chip(ana.conv(conv), "VIP")).to_be_visible()
    # ...and Bruno sees it on his row at once.
    await expect(chip(bruno.conv(conv), "VIP")).to_be_visible()

    # Bruno adds Billing with the `l` shortcut; Ana's header and list show it.
    await bruno.conv(conv).click()
    await bruno.page.locator("body").press("l")
    await expect(bruno.page.get_by_role("combobox", name=says["find"])).to_be_focused()
    await bruno.page.keyboard.press("Enter")
    await expect(chip(bruno.page.locator(".conv-header"), "Billing")).to_be_visible()
    await expect(chip(header, "Billing")).to_be_visible()
    await expect(ana.conv(conv).locator(".tag-chip")).to_have_text(["Billing", "VIP"])

    # Ana takes VIP off: gone from Bruno's row and header.
    await header.get_by_role("button", name=says["remove"].format("VIP")).click()
    await expect(chip(header, "VIP")).to_have_count(0)
    await expect(bruno.conv(conv).locator(".tag-chip")).to_have_text(["Billing"])
    await expect(bruno.page.locator(".conv-header .tag-chip bdi")).to_have_text(["Billing"])

    # Renamed and recoloured in Ana's dialog: Bruno's chips follow.
    await header.get_by_role("button", name=says["add_tag"]).click()
    await header.get_by_role("button", name=says["manage"]).click()
    row = dialog.locator("li", has=ana.page.get_by_label(says["name_of"].format("Billing")))
    await row.get_by_label(says["name_of"].format("Billing")).fill("Invoices")
    await row.get_by_label(says["colour_of"].format("Billing")).fill("#1a2b3c")
    await row.get_by_role("button", name=says["save"]).click()
    bruno_chip = bruno.conv(conv).locator(".tag-chip")
    await expect(bruno_chip).to_have_text(["Invoices"])
    await expect(bruno_chip).to_have_css("background-color", "rgb(26, 43, 60)")
    await expect(bruno_chip).to_have_css("color", "rgb(255, 255, 255)")
    # Deleted (after a yes): off every chat, in both consoles.
    invoices = dialog.locator("li", has=ana.page.get_by_label(says["name_of"].format("Invoices")))
    await invoices.get_by_role("button", name=re.compile("Delete|Excluir")).click()
    await expect(dialog.get_by_text(says["delete_q"].format("Invoices"))).to_be_visible()
    await check_page(ana.page)
    await dialog.get_by_role("button", name=says["yes"]).click()
    await expect(chip(dialog, "Invoices")).to_have_count(0)
    await ana.page.keyboard.press("Escape")
    await expect(bruno.page.locator(".tag-chip")).to_have_count(0)
    await expect(header.locator(".tag-chip")).to_have_count(0)
    assert not ana.errors and not bruno.errors
    await visitor.close()


async def chats(live, team, peer, *names: str) -> list[int]:
    """One chat per visitor name (each waiting: the agents are away)."""
    out = []
    for name in names:
        visitor, _ = await live.visitor(team.site_key)
        await visitor.request({"type": "profile", "name": name})
        out.append((await visitor.request({"type": "send", "client_id": client_id(),
                                           "body": f"Hello, {name} here"}))["conversation"])
        await visitor.close()
    return out


def rows(agent):
    return agent.page.locator(".results li.conv")


@pytest.mark.parametrize("locale", LOCALES)
async def test_filters_live_in_the_url_reload_and_back_forward(live_papo, browser, locale):
    says = SAYS[locale]
    team = live_papo.team("ana", role="admin")
    peer = await live_papo.console(team.agents["ana"])
    await peer.request({"type": "presence", "status": "away"})
    urgent = (await peer.request({"type": "tag_save", "site": team.site_key, "name": "Urgent",
                                  "color": "#cf222e"}))["tag"]["id"]
    waiting, mine, done = await chats(live_papo, team, peer, "Rita", "Joao", "Lia")
    for conv in (mine, done):
        await peer.request({"type": "claim", "conversation": conv})
        await peer.request({"type": "tag_add", "conversation": conv, "tag": urgent})
    await peer.request({"type": "resolve", "conversation": done})

    ana = await login(browser, live_papo, team.agents["ana"], locale=locale)
    base = live_papo.server.http + "/console/"
    await ana.page.goto(f"{base}?status=open&assignee=me&tag={urgent}")
    await expect(ana.page.locator("#app")).to_have_attribute("data-ready", "yes")
    panel = ana.page.locator("#inbox-filters")

    async def shows(ids: list[int], status: str, tag: str) -> None:
        await expect(rows(ana)).to_have_count(len(ids))
        for conv in ids:
            await expect(rows(ana).and_(ana.page.locator(f"[data-id='{conv}']"))).to_be_visible()
        await expect(panel.get_by_label(says["status"])).to_have_value(status)
        await expect(panel.get_by_label(says["tag"], exact=True)).to_have_value(tag)

    await shows([mine], "open", str(urgent))
    await expect(panel.get_by_label(says["assigned"])).to_have_value("me")
    toggle = ana.page.get_by_role("button", name=says["filters_n"].format(3))
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(ana.page.locator(".tab[aria-selected=true]")).to_have_count(0)
    await expect(chip(rows(ana), "Urgent")).to_be_visible()
    await check_page(ana.page)
    await shot(ana.page, "filters", locale)
    # A reload shows the same view.
    await ana.page.reload()
    await expect(ana.page.locator("#app")).to_have_attribute("data-ready", "yes")
    await shows([mine], "open", str(urgent))

    # Another status: no chat in it has the tag; the list says what to do.
    await panel.get_by_label(says["status"]).select_option("waiting")
    await expect(ana.page).to_have_url(f"{base}?status=waiting&assignee=me&tag={urgent}")
    empty = ana.page.locator(".results .empty-state")
    await expect(empty.locator(".empty-title")).to_have_text(says["no_filter"])
    await check_page(ana.page)
    await panel.get_by_label(says["assigned"]).select_option("")
    await panel.get_by_label(says["tag"], exact=True).select_option("")
    await expect(ana.page).to_have_url(f"{base}?status=waiting")
    await shows([waiting], "waiting", "")
    # A chat that starts now and matches joins the list live.
    [late] = await chats(live_papo, team, peer, "Mia")
    await expect(rows(ana).first).to_have_attribute("data-id", str(late))
    await shows([late, waiting], "waiting", "")

    # Back and forward walk the views.
    await ana.page.go_back()
    await ana.page.go_back()
    await expect(ana.page).to_have_url(f"{base}?status=waiting&assignee=me&tag={urgent}")
    await expect(empty.locator(".empty-title")).to_have_text(says["no_filter"])
    await ana.page.go_back()
    await shows([mine], "open", str(urgent))
    await ana.page.go_forward()
    await ana.page.go_forward()
    await ana.page.go_forward()
    await shows([late, waiting], "waiting", "")

    # Days: from yesterday to tomorrow keeps today's chats; both from the URL.
    from datetime import date, timedelta
    today = date.today()
    span = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    await ana.page.goto(f"{base}?status=resolved&{span}")
    await shows([done], "resolved", "")
    await expect(panel.get_by_label(says["from"])).to_have_value(str(today - timedelta(days=1)))
    await panel.get_by_label(says["from"]).fill(str(today + timedelta(days=1)))
    await expect(empty.locator(".empty-title")).to_have_text(says["no_filter"])
    await empty.get_by_role("button", name=says["clear_filters"]).click()
    await expect(ana.page).to_have_url(base)
    await expect(ana.page.locator(".results")).to_be_hidden()
    await expect(ana.page.locator(".tab[aria-selected=true]")).to_have_count(1)
    assert not ana.errors
    await peer.close()


@pytest.mark.parametrize("locale", LOCALES)
async def test_search_highlights_and_opens_the_chat_at_the_message(live_papo, browser, locale):
    says = SAYS[locale]
    team = live_papo.team("ana", role="admin", site_fields={"frame_burst": 500, "frame_rate": 200})
    peer = await live_papo.console(team.agents["ana"])
    await peer.request({"type": "presence", "status": "away"})
    joao, _ = await live_papo.visitor(team.site_key)
    await joao.request({"type": "send", "client_id": client_id(), "body": MARKUP})
    rita, _ = await live_papo.visitor(team.site_key)
    await rita.request({"type": "profile", "name": "Rita Souza",
                        "email": "rita.souza@shop.example"})
    first = await rita.request({"type": "send", "client_id": client_id(),
                                "body": "Meu pedido atrasado ainda não chegou"})
    conv, found_seq = first["conversation"], first["seq"]
    for i in range(80):  # the message found is far above the latest page
        await rita.request({"type": "send", "client_id": client_id(), "body": f"linha {i}"})
    await peer.request({"type": "claim", "conversation": conv})
    note = await peer.request({"type": "send", "conversation": conv, "client_id": client_id(),
                               "body": "Pedido conferido no estoque", "internal": True})
    assert note["type"] == "ack"

    ana = await login(browser, live_papo, team.agents["ana"], locale=locale)
    # `/` is the search, from anywhere but a field.
    await ana.page.locator("body").press("/")
    search = ana.page.locator("#inbox-search")
    await expect(search).to_be_focused()
    await search.fill("pedido")
    hits = ana.page.locator(".results li.message-hit")
    await expect(hits).to_have_count(3)
    await expect(ana.page.locator(".results h3")).to_have_text([says["messages"]])
    await expect(hits.locator("mark")).to_have_text(["Pedido", "pedido", "pedido"])  # newest first
    # A snippet is text: the visitor's markup shows as they typed it, and runs nothing.
    await expect(hits.nth(2).locator(".hit-text")).to_contain_text('<img src=x onerror=')
    await expect(hits.locator("img, b, script")).to_have_count(0)
    assert await ana.page.evaluate("window.__xss") is None
    await expect(hits.first).to_have_class(re.compile(r"\bnote\b"))
    await expect(hits.first.locator(".note-badge")).to_have_text(says["note"])
    await expect(hits.nth(1).locator(".hit-text")).to_have_text(
        "Meu pedido atrasado ainda não chegou")
    await expect(hits.nth(1).locator(".name")).to_have_text("Rita Souza")
    assert "q=pedido" in ana.page.url

    # The visitor's message: its chat opens there, earlier pages loaded, the line marked.
    await hits.nth(1).click()
    found = ana.thread.locator(f"li[data-seq='{found_seq}']")
    await expect(found).to_have_class(re.compile(r"\bjumped\b"))
    await expect(found).to_be_in_viewport()
    await expect(ana.page.locator(".conv-header h2")).to_have_text("Rita Souza")
    await check_page(ana.page)
    await shot(ana.page, "search", locale)

    # A reload brings the same search back.
    await ana.page.reload()
    await expect(ana.page.locator("#app")).to_have_attribute("data-ready", "yes")
    await expect(search).to_have_value("pedido")
    await expect(hits).to_have_count(3)

    # Names and e-mails: the visitor's hit, which opens their chat.
    await search.fill("souza")
    visitors = ana.page.locator(".results li.visitor-hit")
    await expect(visitors.locator("mark").first).to_have_text(re.compile("souza", re.I))
    await expect(ana.page.locator(".results h3").first).to_have_text(says["visitors"])
    await visitors.first.click()
    await expect(ana.page.locator(".conv-header h2")).to_have_text("Rita Souza")

    # Nothing found: what to do, and the way back.
    await search.fill("zzzz")
    empty = ana.page.locator(".results .empty-state")
    await expect(empty.locator(".empty-title")).to_have_text(says["no_search"].format("zzzz"))
    await check_page(ana.page)
    await empty.get_by_role("button", name=says["clear_search"]).click()
    await expect(search).to_have_value("")
    await expect(search).to_be_focused()
    await expect(ana.page.locator(".results")).to_be_hidden()
    assert not ana.errors
    for peer_ in (rita, joao, peer):
        await peer_.close()


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_shortcut_overlay_lists_every_key(live_papo, browser, locale):
    says = SAYS[locale]
    team = live_papo.team("ana", role="admin")
    ana = await login(browser, live_papo, team.agents["ana"], locale=locale)
    await ana.page.locator("body").press("?")
    overlay = ana.page.get_by_role("dialog", name=says["help"])
    await expect(overlay).to_be_visible()
    await expect(overlay.locator("kbd")).to_have_text(KEYS)
    await expect(overlay.locator("td")).to_have_count(len(KEYS))
    await check_page(ana.page)
    await ana.page.keyboard.press("Escape")
    await expect(overlay).to_be_hidden()
    # `f`: the filters, open, the first one focused; Esc leaves it.
    await ana.page.locator("body").press("f")
    await expect(ana.page.locator("#view-status")).to_be_focused()
    await ana.page.keyboard.press("Escape")
    await expect(ana.page.locator("#view-status")).not_to_be_focused()
    assert not ana.errors
