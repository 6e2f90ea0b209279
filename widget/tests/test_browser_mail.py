"""The widget's mail, in Debian's chromium against a real daphne, a real
``papo_worker`` process and a real SMTP server: a visitor mails themselves the
conversation, and a visitor who left follows the "continue the chat" link of
the mail that brought an answer, on another device, once.

Each state is also saved as a screenshot in docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from papo.testing.client import client_id
from papo.testing.mail_fixtures import mail_fixtures
from papo.testing.smtp import Mailbox, mail_env

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAILBOX = Mailbox()  # its port is chosen now: the server's environment names it
LIVE_ENV = mail_env(MAILBOX)

NOTE = "papo-chat .ft > p.ct"

mailbox, worker = mail_fixtures(MAILBOX, LIVE_ENV)


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile("Write a message|Escreva uma mensagem"))


async def say(page: Page, text: str) -> None:
    await composer(page).fill(text)
    await composer(page).press("Enter")


async def shot(page: Page, state: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("papo-chat .p").screenshot(path=str(SHOTS / f"widget-{state}.png"))


def address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}@example.com"


async def test_a_visitor_mails_themselves_the_conversation(live_papo, make_shop, worker,
                                                           mailbox, browser):
    shop = make_shop(live_papo)
    console = await live_papo.console(shop.agent("ana"))
    page = await browser.new_page()
    try:
        await page.goto(shop.page_url())
        await page.locator("papo-chat button.l").click()
        # Before the first message there is nothing to mail.
        mail_me = page.get_by_role("button", name="E-mail me this conversation")
        await expect(composer(page)).to_be_visible()
        await expect(mail_me).to_have_count(0)
        await say(page, "Where is order 1042?")
        conv = (await console.expect("message", timeout=10))["message"]["conversation"]
        await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                               "body": "It left the warehouse today."})
        send = page.locator("papo-chat .ml").get_by_role("button", name="Send")
        await expect(page.locator("papo-chat li.a .bb")).to_have_text(
            ["It left the warehouse today."])

        # No address yet: the widget asks for one, and checks it looks like one.
        await mail_me.click()
        field = page.get_by_role("textbox", name="Your e-mail")
        await expect(field).to_be_focused()
        await field.fill("not an address")
        await send.click()
        await expect(field).to_be_visible()
        rita = address("rita")
        await field.fill(rita)
        await shot(page, "mail-me")
        await send.click()
        await expect(page.get_by_role("status").filter(has_text="Sent to")).to_have_text(
            f"Sent to {rita}.")
        await expect(field).to_be_hidden()
        await shot(page, "mailed")

        (mail,) = await asyncio.to_thread(mailbox.wait_for, rita)
        text = mail.part("plain")
        assert "Where is order 1042?" in text and "It left the warehouse today." in text
        # The address is the visitor's now: the next request (after one more line) asks for none.
        await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                               "body": "Tracking: PX-1042"})
        await expect(page.locator("papo-chat li.a .bb").last).to_have_text("Tracking: PX-1042")
        await mail_me.click()
        await expect(field).to_be_hidden()
        second = (await asyncio.to_thread(mailbox.wait_for, rita, 2))[1]
        assert "Tracking: PX-1042" in second.part("plain")
    finally:
        await page.close()
        await console.close()


async def test_the_link_in_a_mail_continues_the_chat_on_another_device_once(
        live_papo, make_shop, worker, mailbox, browser):
    shop = make_shop(live_papo, settings={"prechat_form": True})
    shop.configure(followup_minutes=5)
    console = await live_papo.console(shop.agent("ana"))
    laptop = await browser.new_context()
    phone = await browser.new_context(viewport={"width": 390, "height": 760})
    stranger = await browser.new_context()
    try:
        page = await laptop.new_page()
        await page.goto(shop.page_url())
        await page.locator("papo-chat button.l").click()
        joao = address("joao")
        await page.get_by_role("textbox", name="Your name").fill("João")
        await page.get_by_role("textbox", name="Your email").fill(joao)
        await page.get_by_role("button", name="Start chat").click()
        await say(page, "Can I change the size?")
        conv = (await console.expect("message", timeout=10))["message"]["conversation"]
        await laptop.close()  # gone before the answer
        await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                               "body": "Yes: reply with the size you want."})
        live_papo.backdate(conv, 6)
        (mail,) = await asyncio.to_thread(mailbox.wait_for, joao)
        link = next(u for u in re.findall(r"https?://\S+", mail.part("plain"))
                    if "#papo-continue=" in u)

        # On the phone, the link opens the widget on the same conversation.
        page = await phone.new_page()
        await page.goto(link)
        await expect(page.locator("papo-chat li.a .bb")).to_have_text(
            ["Yes: reply with the size you want."], timeout=10_000)
        await expect(page.locator("papo-chat li.v .bb")).to_have_text(["Can I change the size?"])
        assert "papo-continue" not in page.url  # it left the address bar
        await shot(page, "continued")
        await say(page, "Size M, please")
        heard = await console.expect("message", timeout=10,
                                     where=lambda f: f["message"]["author"] == "visitor")
        assert (heard["message"]["conversation"], heard["message"]["body"]) == (
            conv, "Size M, please"), heard

        # The link works once: a stranger with the mail gets nothing of the chat.
        other = await stranger.new_page()
        await other.goto(link)
        await expect(other.locator(NOTE)).to_have_text(
            "That link was used already. If this is not the device you used it on, "
            "write to us here.", timeout=10_000)
        await expect(other.locator("papo-chat li.a")).to_have_count(0)
        await expect(other.locator("papo-chat li.v")).to_have_count(0)
        await shot(other, "link-used")
    finally:
        for context in (phone, stranger):
            await context.close()
        await console.close()
