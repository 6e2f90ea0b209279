"""What a visitor sees while nobody can answer yet, in Debian's chromium against a real
daphne on another origin: the site closed by its hours (when the team is back, on
the visitor's own clock and in their language), their place in the queue with a
rough wait and the desktop notification when an agent picks up, and an e-mail
promised only when the server sends mail and the visitor gave an address.

Each state is also saved as a screenshot in docs/screenshots/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from papo.testing.client import client_id
from papo.testing.live import start_live, stop_live

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

GREETING = "papo-chat .a .bb"
NOTE = "papo-chat .ft > p.ct"
PLACE = "papo-chat .ft p.mt"
PT_DAYS = ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
           "sábado", "domingo"]

# Notifications the widget asks the browser to show, recorded on their way to the real API.
RECORD_NOTIFICATIONS = """(() => {
  const Real = window.Notification;
  window.__shown = [];
  class Recorded extends Real {
    constructor(title, options) {
      window.__shown.push({ title, body: options && options.body });
      super(title, options);
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();"""


def launcher(page: Page):
    return page.locator("papo-chat button.l")


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile("Write a message|Escreva uma mensagem"))


async def say(page: Page, text: str) -> None:
    await composer(page).fill(text)
    await composer(page).press("Enter")


async def shot(page: Page, state: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("papo-chat .p").screenshot(path=str(SHOTS / f"widget-{state}.png"))


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def back_text(opens: datetime, zone: str, lang: str) -> str:
    """The line the widget must show for an opening at ``opens``, on a clock in ``zone``."""
    local = opens.astimezone(ZoneInfo(zone))
    days = (local.date() - datetime.now(ZoneInfo(zone)).date()).days
    if lang == "pt-BR":
        day = {0: "hoje", 1: "amanhã"}.get(days) or PT_DAYS[local.weekday()]
        return f"Voltamos {day} às {local.hour}:{local.minute:02d}."
    day = {0: "today", 1: "tomorrow"}.get(days) or local.strftime("%A")
    noon = "AM" if local.hour < 12 else "PM"
    return f"We're back {day} at {local.hour % 12 or 12}:{local.minute:02d} {noon}."


async def test_out_of_hours_the_widget_says_when_the_team_is_back(live_papo, make_shop,
                                                                   browser):
    # Lisbon's team works every day 10:00-18:00, except today: a holiday there.
    lisbon = ZoneInfo("Europe/Lisbon")
    today = datetime.now(lisbon).date()
    shop = make_shop(live_papo, settings={"time_zone": "Europe/Lisbon",
                                          "opening_hours": "mon-sun 10:00-18:00",
                                          "holidays": today.isoformat()})
    opens = datetime(today.year, today.month, today.day, 10, tzinfo=lisbon) + timedelta(days=1)
    agent = live_papo.new_agents("ana", site=shop.name)["ana"]
    console = await live_papo.console(agent)  # online, yet the site is closed
    try:
        # A visitor in Tokyo reading Portuguese, one in New York reading English.
        for zone, lang in (("America/New_York", "en"), ("Asia/Tokyo", "pt-BR")):
            context = await browser.new_context(timezone_id=zone, locale=lang)
            page = await context.new_page()
            await page.goto(shop.page_url())
            await launcher(page).click()
            greeting = page.locator(GREETING).first
            await expect(greeting).to_contain_text(re.compile("back|Voltamos"))
            assert plain(await greeting.inner_text()).endswith(back_text(opens, zone, lang))
            if lang == "en":
                await expect(greeting).to_contain_text("Leave a message")
                await context.close()
        # Leave a message: with this server sending mail, an address makes it a promise.
        await page.get_by_role("textbox", name=re.compile("Seu e-mail")).fill("rita@example.com")
        await say(page, "Vocês entregam no sábado?")
        await expect(page.locator("papo-chat ol:not(.ob) li.v .bb")).to_have_text(
            ["Vocês entregam no sábado?"], timeout=10_000)
        await expect(page.locator(NOTE)).to_have_text(
            "Enviaremos um e-mail para rita@example.com.")
        await shot(page, "closed")
        # The message waits for the team: nobody was handed it.
        created = await console.expect("conversation", event="created", timeout=10)
        assert created["conversation"]["status"] == "waiting"
        assert created["conversation"]["visitor"]["email"] == "rita@example.com"
        await page.context.close()
    finally:
        await console.close()


async def test_a_waiting_visitor_sees_their_place_and_is_notified(live_papo, make_shop,
                                                                  browser):
    shop = make_shop(live_papo)
    # The site's recent chats were each answered eight minutes after they queued.
    live_papo.stack.manage("shell", "-c", (
        "from datetime import timedelta; from django.utils import timezone; "
        "from sites.models import Site; from visitors.models import Visitor; "
        "from conversations.models import Conversation; "
        f"s = Site.objects.get(key={shop.key!r}); t = timezone.now() - timedelta(hours=2)\n"
        "for _ in range(3):\n"
        "    Conversation.objects.create(site=s, visitor=Visitor.objects.create(site=s), "
        "status='resolved', queued_at=t, first_agent_reply_at=t + timedelta(minutes=8), "
        "resolved_at=t + timedelta(minutes=20))"))
    agent = live_papo.new_agents("ana", site=shop.name, max_concurrent=1)["ana"]
    console = await live_papo.console(agent)
    others = []
    context = await browser.new_context()
    try:
        # Ana is busy with one chat; another visitor waits before ours.
        for body in ("first", "second"):
            peer, _ = await live_papo.visitor(shop.key)
            ack = await peer.request({"type": "send", "client_id": client_id(), "body": body})
            others.append((peer, ack["conversation"]))
        await context.add_init_script(RECORD_NOTIFICATIONS)
        page = await context.new_page()
        await page.goto(shop.page_url())
        await launcher(page).click()
        await say(page, "Is my order on its way?")
        place = page.locator(PLACE)
        # 2nd, one agent, eight minutes a chat: about 15 minutes (never "16")
        await expect(place).to_contain_text(
            "You're number 2 in line · Estimated wait: about 15 minutes", timeout=10_000)
        ask = place.get_by_role("button", name="Notify me")
        await expect(ask).to_be_visible()
        await shot(page, "queue")

        # The visitor agrees to be told; the browser asks them, and they allow it.
        await context.grant_permissions(["notifications"], origin=live_papo.host.origin)
        await ask.click()
        await expect(ask).to_be_hidden()
        # The chat ahead is done: Ana takes the next one, and ours moves up.
        done = await console.request({"type": "resolve", "conversation": others[0][1]})
        assert done["type"] == "ok", done
        await expect(place).to_have_text(
            "You're number 1 in line · Estimated wait: about 10 minutes")

        # The visitor closes the panel and reads the page; Ana picks them up.
        await page.locator("papo-chat button.x").click()
        done = await console.request({"type": "resolve", "conversation": others[1][1]})
        assert done["type"] == "ok", done
        await page.wait_for_function("window.__shown.length > 0", timeout=10_000)
        assert await page.evaluate("window.__shown") == [
            {"title": shop.name, "body": "Ana joined the conversation"}]
        await launcher(page).click()
        await expect(place).to_be_hidden()
        await expect(page.locator("papo-chat li.sy").last).to_have_text(
            "Ana joined the conversation")
    finally:
        await context.close()
        for peer, _ in others:
            await peer.close()
        await console.close()


async def test_away_with_mail_an_address_is_a_promise(live_papo, make_shop, browser):
    shop = make_shop(live_papo)  # nobody online; this server sends mail
    page = await browser.new_page()
    await page.goto(shop.page_url())
    await launcher(page).click()
    # before an address, the widget asks for one and promises nothing
    await expect(page.get_by_role("textbox", name=re.compile("Your email"))).to_be_visible()
    await expect(page.locator(NOTE)).to_be_hidden()
    await page.get_by_role("textbox", name=re.compile("Your email")).fill("rita@example.com")
    await say(page, "Please call me back")
    await expect(page.locator(NOTE)).to_have_text("We'll e-mail you at rita@example.com.")
    await expect(page.get_by_role("textbox", name=re.compile("Your email"))).to_be_hidden()
    await shot(page, "away-email")


@pytest.fixture(scope="module")
def mailless_papo(widget_dist):
    """A live backend that cannot send mail (no EMAIL_URL, as in production)."""
    live = start_live("embedded", env={"DJANGO_SETTINGS_MODULE": "papo.testing.no_mail_settings"})
    yield live
    stop_live(live)


async def test_away_without_mail_no_email_is_promised(mailless_papo, make_shop, browser):
    # Even an address given in the pre-chat form is no promise when nothing can send it.
    shop = make_shop(mailless_papo, settings={"prechat_form": True})
    page = await browser.new_page()
    await page.goto(shop.page_url())
    await launcher(page).click()
    await page.get_by_role("textbox", name="Your name").fill("Rita")
    await page.get_by_role("textbox", name="Your email").fill("rita@example.com")
    await page.get_by_role("button", name="Start chat").click()
    await say(page, "Please call me back")
    await expect(page.locator("papo-chat ol:not(.ob) li.v .bb")).to_have_text(
        ["Please call me back"], timeout=10_000)
    await expect(page.locator(NOTE)).to_have_text("We'll answer here when we're back.")
    await expect(page.get_by_role("textbox", name=re.compile("Your email"))).to_be_hidden()
    shown = (await page.locator("papo-chat .p").inner_text()).lower()
    assert "e-mail" not in shown and "rita@example.com" not in shown
    await shot(page, "away-no-email")
