"""The README's quick start, walked in Debian's Chromium on both stacks, exactly as
a new site owner would: log in to the console, create a site, copy the snippet
with the button, paste it into a page on the site's address, open that page and
the chat, and see the install check turn green by itself (the page refreshes its
check every few seconds: nobody clicks "Check again"). Then the likeliest mistake:
the same page on another origin (``localhost`` for ``127.0.0.1``) is refused; the
install page says so in red with "Allow" (again by itself, the header's warning
too), one click fixes it, and the page's chat opens on the next load. Then an
invitation, without mail on this server: its link to copy.

The pictures of each page go to docs/screenshots/console-setup-*.png; the pt-BR
run saves the same pages with ``-pt-BR``.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from papo.testing.browser import browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

REPO = Path(__file__).resolve().parents[3]
SHOTS = REPO / "docs" / "screenshots"
HOSTS = REPO / "test-artifacts" / "hosts"
VIEWPORT = {"width": 1280, "height": 800}
# A server that cannot send mail: the team page gives the invitation's link to copy.
LIVE_ENV = {"DJANGO_SETTINGS_MODULE": "papo.testing.no_mail_settings"}


# What the owner reads and clicks, in each language the console speaks.
WORDS = {
    "en": {"username": "Username", "password": "Password", "log_in": "Log in",
           "welcome": "Welcome to Papo", "name": "Name", "address": "Your website's address",
           "create": "Create the site", "ready": "is ready", "unseen": "Not seen yet",
           "copy": "Copy the snippet", "copied": "Copied",
           "live": "Your chat is live", "loaded": "widget loaded just now",
           "refused": "A page your site does not allow tried to load the chat",
           "allow": "Allow {}", "allowed": "{} is allowed", "team": "Team",
           "email": "E-mail address", "cap": "Chats at once", "invite": "Invite",
           "no_mail": "copy the invitation's link"},
    "pt-BR": {"username": "Usuário", "password": "Senha", "log_in": "Entrar",
              "welcome": "Boas-vindas ao Papo", "name": "Nome",
              "address": "O endereço do seu site", "create": "Criar o site",
              "ready": "está pronto", "unseen": "Ainda não visto", "copy": "Copiar o código",
              "copied": "Copiado", "live": "Seu chat está no ar",
              "loaded": "widget carregado agora mesmo",
              "refused": "Uma página que seu site não permite tentou carregar o chat",
              "allow": "Permitir {}", "allowed": "{} foi permitido", "team": "Equipe",
              "email": "Endereço de e-mail", "cap": "Chats ao mesmo tempo",
              "invite": "Convidar", "no_mail": "copie o link do convite"},
}


def launcher(page: Page):
    return page.locator("papo-chat button.l")


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile("Write a message|Escreva uma mensagem"))


async def shot(page: Page, name: str, locale: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if locale == "en" else f"-{locale}"
    await page.screenshot(path=str(SHOTS / f"console-setup-{name}{suffix}.png"), full_page=True)


def new_user(live) -> tuple[str, str]:
    """What README's first step makes: a login on this Papo (createsuperuser)."""
    username, password = f"owner-{uuid.uuid4().hex[:6]}", "a-new-owner-pass"
    live.shell("from django.contrib.auth.models import User; "
               f"User.objects.create_superuser({username!r}, '', {password!r}); print('ok')")
    return username, password


def host_page(snippet: str) -> str:
    """The owner's own page with the snippet pasted before </body>; its path."""
    HOSTS.mkdir(parents=True, exist_ok=True)
    name = f"acme-{uuid.uuid4().hex[:6]}.html"
    (HOSTS / name).write_text("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                              "<title>Acme Shop</title></head>\n<body>\n<h1>Acme Shop</h1>\n"
                              f"{snippet}\n</body></html>\n")
    return f"/test-artifacts/hosts/{name}"


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
async def test_the_readme_quick_start_from_nothing_to_a_live_widget(
        live_papo, browser, locale):  # noqa: F811
    live, server, w = live_papo, live_papo.server.http, WORDS[locale]
    username, password = new_user(live)
    context = await browser.new_context(viewport=VIEWPORT, locale=locale,
                                        permissions=["clipboard-read", "clipboard-write"])
    console = await context.new_page()
    # 1. log in: with no site yet, the console asks for one
    await console.goto(f"{server}/console/")
    await console.get_by_label(w["username"]).fill(username)
    await console.get_by_label(w["password"]).fill(password)
    await console.get_by_role("button", name=w["log_in"]).click()
    await expect(console.get_by_role("heading", name=w["welcome"])).to_be_visible()
    assert console.url == f"{server}/console/sites/new/"
    await shot(console, "new", locale)
    # 2. a name and the site's address
    site_name = f"Acme Shop {uuid.uuid4().hex[:4]}"
    await console.get_by_label(w["name"], exact=True).fill(site_name)
    await console.get_by_label(w["address"]).fill(live.host.origin + "/")
    await console.get_by_role("button", name=w["create"]).click()
    await expect(console.get_by_role("status").filter(has_text=w["ready"])).to_be_visible()
    await expect(console.locator(".check-status")).to_contain_text(w["unseen"])
    # 3. copy the snippet with the button, paste it into a page of the site
    await console.get_by_role("button", name=w["copy"]).click()
    await expect(console.get_by_role("button", name=w["copied"])).to_be_visible()
    snippet = await console.evaluate("navigator.clipboard.readText()")
    assert snippet == await console.locator("#embed-snippet").text_content()
    assert snippet.count("<script") == 2 and f'src="{server}/static/papo/widget.js"' in snippet
    path = host_page(snippet)
    # 4. a visitor on the site's own origin opens the chat
    shop = await context.new_page()
    await shop.goto(live.host.origin + path)
    await launcher(shop).click()
    await expect(composer(shop)).to_be_visible()
    # 5. the install check turns green, by itself: the page is not reloaded
    await console.evaluate("window.__samePage = true")
    await expect(console.locator(".check-status")).to_contain_text(w["live"])
    assert await console.evaluate("window.__samePage === true")
    await expect(console.locator("#check-news")).to_contain_text(w["live"])
    origin_row = console.locator(".origins li", has_text=live.host.origin)
    await expect(origin_row).to_contain_text(w["loaded"])
    await expect(console.locator(".refused-origins")).to_have_count(0)
    await shot(console, "live", locale)

    # The likeliest mistake: the same page on another origin. The chat is refused...
    wrong = live.host.origin.replace("127.0.0.1", "localhost")
    elsewhere = await context.new_page()
    await elsewhere.goto(wrong + path)
    await launcher(elsewhere).click()
    await expect(launcher(elsewhere)).to_be_hidden()
    # ...and the install page says so by itself, loudly, with the origin and "Allow"
    alert = console.locator(".refused-origins[role=alert]")
    await expect(alert).to_contain_text(w["refused"])
    await expect(alert.locator("code")).to_have_text(wrong)
    await expect(console.locator(".topnav a.nav-alert")).to_contain_text(site_name)
    await shot(console, "refused", locale)
    await alert.get_by_role("button", name=w["allow"].format(wrong)).click()
    await expect(console.get_by_role("status").filter(
        has_text=w["allowed"].format(wrong))).to_be_visible()
    await expect(console.locator(".refused-origins")).to_have_count(0)
    await expect(console.locator(".topnav a.nav-alert")).to_have_count(0)
    # the next load of that page: the chat opens, and the check is green for it too
    await elsewhere.reload()
    await launcher(elsewhere).click()
    await expect(composer(elsewhere)).to_be_visible()
    await expect(console.locator(".origins li", has_text=wrong)).to_contain_text(w["loaded"])

    # Bring the team: this server sends no mail, so the invitation's link is shown to copy
    await console.get_by_role("link", name=w["team"], exact=True).click()
    await console.get_by_label(w["email"]).fill(f"rita-{uuid.uuid4().hex[:4]}@example.com")
    await console.get_by_label(w["cap"]).last.fill("3")
    await console.get_by_role("button", name=w["invite"], exact=True).click()
    await expect(console.get_by_role("status").filter(
        has_text=w["no_mail"])).to_be_visible()
    link = console.locator(".invite-link code")
    await expect(link).to_contain_text(f"{server}/console/welcome/")
    await shot(console, "team", locale)
    await context.close()
