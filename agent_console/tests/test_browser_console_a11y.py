"""Every console page, in every language the console speaks, in Debian's Chromium
against one real daphne: axe-core finds no serious or critical violation, and at
1280 by 800 nothing overflows or clips (``papo.testing.layout``). Each page's
picture goes to docs/screenshots/console-<page>.png (-pt-BR, -es).

The pages: the login (and its refusal), the inbox with a chat open, the empty
inbox, the canned responses and keyboard shortcuts dialogs, a site's settings,
install check, team and reports, creating a site, the password pages, an
invitation's welcome page and the page for an account without a site.

One server, one browser and one seeded world for the module; a test per page
per language, each in a fresh browser context (the language is the browser's,
as an agent's would be).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from console.tests import reports_sample as sample
from papo.testing.axe import assert_no_serious_violations
from papo.testing.browser import chromium
from papo.testing.client import client_id
from papo.testing.layout import assert_nothing_overflows
from papo.testing.live import PROTOCOL

pytestmark = pytest.mark.browser
async_test = pytest.mark.asyncio(loop_scope="module")
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.5 Safari/605.1.15")
# The browser's language -> the screenshot's suffix.
LOCALES = {"en-US": "", "pt-BR": "-pt-BR", "es-ES": "-es"}
# A word of each page in each language: the page is the one meant, and translated.
SAYS = {
    "en-US": {"login": "Log in", "inbox": "Where is my order?", "empty": "No chats yet",
              "canned": "Canned responses", "shortcuts": "Keyboard shortcuts",
              "settings": "Allowed origins", "install": "Copy the snippet",
              "team": "Invitations waiting", "reports": "Chats by day",
              "new-site": "Create the site", "password": "Change password",
              "password-done": "Password changed", "welcome": "Welcome to Papo",
              "no-access": "No access", "not-allowed": "Only the site's owners and admins",
              "lang": "en"},
    "pt-BR": {"login": "Entrar", "inbox": "Where is my order?",
              "empty": "Nenhuma conversa ainda", "canned": "Respostas prontas",
              "shortcuts": "Atalhos de teclado", "settings": "Origens permitidas",
              "install": "Copiar o código", "team": "Convites pendentes",
              "reports": "Chats por dia", "new-site": "Criar o site",
              "password": "Mudar senha", "password-done": "Senha alterada",
              "welcome": "Boas-vindas ao Papo", "no-access": "Sem acesso",
              "not-allowed": "Só os donos e administradores do site", "lang": "pt-br"},
    "es-ES": {"login": "Entrar", "inbox": "Where is my order?", "empty": "Aún no hay chats",
              "canned": "Respuestas rápidas", "shortcuts": "Atajos de teclado",
              "settings": "Orígenes permitidos", "install": "Copiar el código",
              "team": "Invitaciones pendientes", "reports": "Chats por día",
              "new-site": "Crear el sitio", "password": "Cambiar contraseña",
              "password-done": "Contraseña cambiada", "welcome": "Te damos la bienvenida a Papo",
              "no-access": "Sin acceso",
              "not-allowed": "Solo los propietarios y administradores del sitio", "lang": "es"},
}


@dataclass
class World:
    """What the pages show, seeded once: a site with a chat, its canned responses and a
    waiting invitation; a site with nothing yet; the reports' sample month; an account
    with no site; an invitation link."""

    live: object
    site: str
    owner: dict
    agent: dict
    chat: int
    empty_owner: dict
    month: dict
    nobody: dict
    welcome: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser_once():
    async with chromium() as browser:
        yield browser


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(live_papo):
    live = live_papo
    tag = uuid.uuid4().hex[:6]
    name = f"Acme {tag}"
    seeded = live.seed({"sites": [{"name": name, "origins": [live.host.origin]}],
                        "agents": [{"username": f"{who}-{tag}", "name": who.capitalize(),
                                    "role": role, "sites": [name]}
                                   for who, role in [("olga", "owner"), ("pia", "agent")]]})
    key = seeded["sites"][name]["key"]
    olga, pia = (seeded["agents"][f"{who}-{tag}"] | {"username": f"{who}-{tag}"}
                 for who in ("olga", "pia"))
    # Olga answers from a console that stays connected (and pinging) all module long,
    # so the chat stays hers while the browsers come and go.
    console = await live.console(olga)
    console.start_heartbeat(10)
    for shortcut, body in [("hello", "Hello! How can I help?"),
                           ("refund", "Refunds reach your card within 5 working days.")]:
        saved = await console.request({"type": "canned_save", "site": key,
                                       "shortcut": shortcut, "body": body})
        assert saved["type"] == "ok", saved
    # Rita, as the widget on a page of the shop introduces her.
    rita = await live.widget(key, **{"User-Agent": UA})
    await rita.send({"type": "hello", "v": PROTOCOL, "locale": "en-GB",
                     "timezone": "Europe/London",
                     "page": {"url": live.host.origin + "/orders/1042", "title": "Order #1042",
                              "referrer": ""}})
    await rita.expect("welcome")
    await rita.request({"type": "profile", "name": "Rita Gomes", "email": "rita@shop.example"})
    ack = await rita.request({"type": "send", "client_id": client_id(),
                              "body": "Where is my order? It was due on Monday."})
    chat = ack["conversation"]
    for body, internal in [("Let me check that for you.", False),
                           ("Carrier says Tuesday", True),
                           ("It left the warehouse this morning: tomorrow at the latest.", False)]:
        done = await console.request({"type": "send", "conversation": chat, "body": body,
                                      "client_id": client_id(), "internal": internal})
        assert done["type"] == "ack", done
    await rita.request({"type": "send", "client_id": client_id(), "body": "Great, thanks!"})

    empty = live.team("nadia", role="owner")
    month = sample.seed_month(live)
    nobody = live.seed({"agents": [{"username": f"nobody-{uuid.uuid4().hex[:6]}",
                                    "name": "Nico"}]})["agents"]
    welcome = live.shell(
        "from django.contrib.auth.models import User; from sites.models import Site; "
        "from agents.invites import do_invite; from agents.invite_tokens import link_path; "
        f"o = User.objects.get(username={olga['username']!r}); "
        f"s = Site.objects.get(key={key!r}); "
        "d = do_invite(o, s.pk, 'joana@shop.example', role='agent', max_concurrent=3, "
        "language='en'); print(link_path(d.user))")
    assert welcome.startswith("/console/welcome/"), welcome
    yield World(live=live, site=key, owner=olga, agent=pia, chat=chat,
                empty_owner=empty.agents["nadia"], month=month,
                nobody=next(iter(nobody.values())), welcome=welcome)
    await rita.close()
    await console.close()


async def open_page(browser, world: World, locale: str, session: str | None) -> Page:
    context = await browser.new_context(locale=locale, viewport=VIEWPORT)
    if session:
        await context.add_cookies([{"name": "sessionid", "value": session,
                                    "url": world.live.server.http}])
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


async def console_app(page: Page, world: World) -> None:
    await page.goto(world.live.server.http + "/console/")
    await expect(page.locator("#app")).to_have_attribute("data-ready", "yes")


# Each page: how to get there, whose session, and what shows it is there.
async def login(page, world, says):
    await page.goto(world.live.server.http + "/console/login/")
    await expect(page.get_by_role("button", name=says["login"])).to_be_visible()


async def login_refused(page, world, says):
    await page.fill("#id_username", f"nobody-{uuid.uuid4().hex[:6]}")
    await page.fill("#id_password", "not-the-password")
    await page.get_by_role("button", name=says["login"]).click()
    await expect(page.locator(".errorlist, .error").first).to_be_visible()


async def inbox(page, world, says):
    await console_app(page, world)
    await page.locator(".tab[data-box=mine]").click()
    await page.locator(f".conv-list li.conv[data-id='{world.chat}']").click()
    await expect(page.locator(".thread li.msg").first).to_contain_text(says["inbox"])
    await expect(page.locator(".thread li.msg")).to_have_count(5)
    await expect(page.locator(".sidebar")).to_contain_text("rita@shop.example")


async def empty(page, world, says):
    await console_app(page, world)
    await expect(page.locator(".inbox .empty-state .empty-title")).to_have_text(says["empty"])


async def canned(page, world, says):
    await console_app(page, world)
    await page.locator("button.canned-btn").click()
    dialog = page.locator("dialog.canned-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(says["canned"])
    await expect(dialog).to_contain_text("/refund")


async def shortcuts(page, world, says):
    await console_app(page, world)
    await page.locator("button.help-btn").click()
    dialog = page.locator("dialog.help-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(says["shortcuts"])


def site_page(path: str):
    async def visit(page, world, says, key=None):
        await page.goto(f"{world.live.server.http}/console/sites/{world.site}/{path}")
    return visit


async def settings(page, world, says):
    await site_page("settings/")(page, world, says)
    await expect(page.locator("main")).to_contain_text(says["settings"])


async def install(page, world, says):
    await site_page("")(page, world, says)
    await expect(page.get_by_role("button", name=says["install"])).to_be_visible()


async def team(page, world, says):
    await site_page("team/")(page, world, says)
    await expect(page.locator("main")).to_contain_text(says["team"])
    await expect(page.locator("main")).to_contain_text("joana@shop.example")


async def reports(page, world, says):
    await page.goto(f"{world.live.server.http}/console/sites/{world.month['key']}/reports/"
                    f"?from={sample.FIRST}&to={sample.LAST}")
    await expect(page.locator("#report")).to_have_attribute("data-state", "ready")
    await expect(page.locator("#by-day")).to_contain_text(says["reports"])


async def new_site(page, world, says):
    await page.goto(world.live.server.http + "/console/sites/new/")
    await expect(page.get_by_role("button", name=says["new-site"])).to_be_visible()


async def password(page, world, says):
    await page.goto(world.live.server.http + "/console/password/")
    await expect(page.locator("main h1, main h2").first).to_have_text(says["password"])


async def password_refused(page, world, says):
    await page.fill("#id_old_password", "not-the-password")
    await page.fill("#id_new_password1", "a-new-pass-1")
    await page.fill("#id_new_password2", "a-new-pass-2")
    await page.locator("main button[type=submit]").click()
    await expect(page.locator(".errorlist").first).to_be_visible()


async def password_done(page, world, says):
    await page.goto(world.live.server.http + "/console/password/done/")
    await expect(page.locator("main")).to_contain_text(says["password-done"])


async def not_allowed(page, world, says):
    response = await page.goto(f"{world.live.server.http}/console/sites/{world.site}/team/")
    assert response.status == 403
    await expect(page.locator("main")).to_contain_text(says["not-allowed"])


async def welcome(page, world, says):
    await page.goto(world.live.server.http + world.welcome)
    await expect(page.locator("main")).to_contain_text(says["welcome"])


async def no_access(page, world, says):
    response = await page.goto(world.live.server.http + "/console/")
    assert response.status == 403
    await expect(page.locator("main")).to_contain_text(says["no-access"])


# page -> (whose session, how to get there, a second state checked on the same page)
PAGES = {
    "login": (None, login, login_refused),
    "inbox": ("owner", inbox, None),
    "empty": ("empty_owner", empty, None),
    "canned": ("owner", canned, None),
    "shortcuts": ("owner", shortcuts, None),
    "settings": ("owner", settings, None),
    "install": ("owner", install, None),
    "team": ("owner", team, None),
    "reports": ("month", reports, None),
    "new-site": ("owner", new_site, None),
    "password": ("owner", password, password_refused),
    "password-done": ("owner", password_done, None),
    "not-allowed": ("agent", not_allowed, None),
    "welcome": (None, welcome, None),
    "no-access": ("nobody", no_access, None),
}


def session_of(world: World, who: str | None) -> str | None:
    if who is None:
        return None
    if who == "month":
        return world.month["sessions"]["owner"]
    return getattr(world, who)["session"]


async def check(page: Page) -> None:
    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page)


@async_test
@pytest.mark.parametrize("locale", list(LOCALES))
@pytest.mark.parametrize("name", list(PAGES))
async def test_page_is_accessible_and_fits(browser_once, world, name, locale):
    says = SAYS[locale]
    who, visit, then = PAGES[name]
    page = await open_page(browser_once, world, locale, session_of(world, who))
    try:
        await visit(page, world, says)
        assert await page.get_attribute("html", "lang") == says["lang"]
        await check(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"console-{name}{LOCALES[locale]}.png"),
                              full_page=name not in ("inbox", "empty", "canned", "shortcuts"))
        if then:
            await then(page, world, says)
            await check(page)
        assert not page.errors
    finally:
        await page.context.close()


def test_every_page_is_swept():
    """A console page added later joins the sweep: each server-rendered template is here."""
    templates = REPO / "backend" / "console" / "templates" / "console"
    covered = {"login", "app", "site_settings", "site_install", "site_team", "site_reports",
               "new_site", "password", "password_done", "invite_accept", "refused"}
    pages = {p.stem for p in templates.glob("*.html") if not p.stem.startswith("_")}
    assert pages - {"base"} <= covered, f"not swept: {sorted(pages - {'base'} - covered)}"
