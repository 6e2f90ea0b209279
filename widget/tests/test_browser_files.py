"""Files in the widget, in Debian's chromium against a real daphne on another origin:
a visitor pastes a screenshot, picks files with the paperclip, drops a PDF on the
panel, is told before any upload what the site does not take, cancels an upload
halfway, and loses the network in the middle of one and retries it; an agent's
image and PDF show as a thumbnail and a chip. What the agent receives, and what
the server stored (one upload per file, however often it was retried), are
checked on the other side.

Uploads are slowed with Chromium's own network throttling (DevTools protocol), so
"halfway" is a place the test can reach, not a race.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from papo.testing import browser_files, files
from papo.testing.browser_files import stored, throttle, uploads_seen
from papo.testing.client import client_id
from papo.testing.faults import TcpProxy

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TRAY = "papo-chat ul.tr li"

async def hand_over(page: Page, how: str, name: str, type_: str, data: bytes) -> None:
    target = "textarea" if how == "paste" else "section.p"
    await browser_files.hand_over(page, target, how, name, type_, data, widget=True)


async def open_chat(page: Page, url: str) -> None:
    await page.goto(url)
    await page.locator("papo-chat button.l").click()
    await expect(page.get_by_role("button", name="Attach a file")).to_be_visible()


async def test_a_pasted_screenshot_reaches_the_agent_and_a_pdf_comes_back(
        live_papo, make_shop, browser):
    shop = make_shop(live_papo)
    agent = shop.agent("ana")
    console = await live_papo.console(agent)
    page = await browser.new_page()
    try:
        await open_chat(page, shop.page_url())
        screenshot = await page.screenshot()  # what the visitor sees, as they would paste it
        await hand_over(page, "paste", "image.png", "image/png", screenshot)
        mine = page.locator("papo-chat li.v a.im img")
        await expect(mine).to_have_attribute("alt", "image.png", timeout=10_000)
        await expect(mine).to_have_js_property("complete", True)
        assert await mine.evaluate("img => img.naturalWidth") > 0  # the thumbnail, loaded
        heard = await from_visitor(console)
        (sent,) = heard["message"]["attachments"]
        assert (sent["name"], sent["type"]) == ("image.png", "image/png")
        conv = heard["message"]["conversation"]
        # A click opens the full image (a new tab on Papo's own origin).
        async with page.context.expect_page() as opened:
            await mine.click()
        full = await opened.value
        await full.wait_for_load_state()
        assert "/files/" in full.url
        await full.close()

        # The agent answers with a PDF and an image: a chip (name, type, size) and a thumbnail.
        pdf = files.agent_upload(live_papo, shop.key, agent, files.pdf(), "invoice.pdf")
        img = files.agent_upload(live_papo, shop.key, agent,
                                 files.png(800, 600), "diagram.png")
        reply = await console.request({
            "type": "send", "conversation": conv, "client_id": client_id(), "body": "Here it is",
            "attachments": [pdf.body["id"], img.body["id"]]})
        assert reply["type"] == "ack", reply
        theirs = page.locator("papo-chat li.a").last
        await expect(theirs.locator(".bb")).to_have_text("Here it is")
        chip = theirs.locator("a.fc")
        await expect(chip).to_contain_text(re.compile(r"invoice\.pdf\s*PDF · 1 kB"))
        await expect(theirs.locator("a.im img")).to_have_attribute("alt", "diagram.png")
        status, headers, body = files.get(live_papo.server.http,
                                          await chip.get_attribute("href"))
        assert status == 200 and body == files.pdf()
        assert headers["content-disposition"] == 'attachment; filename="invoice.pdf"'
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.locator("papo-chat .p").screenshot(path=str(SHOTS / "widget-files.png"))
    finally:
        await page.close()
        await console.close()


async def test_several_files_by_the_paperclip_and_a_dropped_pdf_go_in_order(
        live_papo, make_shop, browser, tmp_path):
    shop = make_shop(live_papo)
    console = await live_papo.console(shop.agent("ana"))
    page = await browser.new_page()
    try:
        await open_chat(page, shop.page_url())
        picked = []
        for name, data in (("one.png", files.png(300, 200)), ("notes.txt", b"order 1042\n"),
                           ("two.png", files.png(200, 300))):
            (tmp_path / name).write_bytes(data)
            picked.append(str(tmp_path / name))
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Attach a file").click()
        await (await chooser.value).set_files(picked)
        names = []
        for _ in picked:
            heard = await from_visitor(console)
            names += [f["name"] for f in heard["message"]["attachments"]]
        assert names == ["one.png", "notes.txt", "two.png"]  # each its own message, in order
        await expect(page.locator("papo-chat li.v .fs > *")).to_have_count(3)
        await expect(page.locator(TRAY)).to_have_count(0)

        await hand_over(page, "drop", "refund.pdf", "application/pdf", files.pdf())
        heard = await from_visitor(console)
        assert [f["name"] for f in heard["message"]["attachments"]] == ["refund.pdf"]
        await expect(page.locator("papo-chat li.v a.fc").last).to_contain_text("refund.pdf")
    finally:
        await page.close()
        await console.close()


async def test_what_the_site_does_not_take_is_refused_before_any_upload(
        live_papo, make_shop, browser):
    shop = make_shop(live_papo)
    shop.configure(file_max_bytes=1_000_000, file_types="image,pdf")
    page = await browser.new_page()
    posted = uploads_seen(page)
    try:
        await open_chat(page, shop.page_url())
        await hand_over(page, "drop", "backup.zip", "application/zip", b"PK\x03\x04" + b"x" * 100)
        await hand_over(page, "drop", "huge.png", "image/png", b"\x89PNG" + b"x" * 1_000_001)
        await hand_over(page, "drop", "empty.pdf", "application/pdf", b"")
        rows = page.locator(TRAY)
        await expect(rows).to_have_count(3)
        await expect(rows.nth(0)).to_contain_text("This kind of file can't be sent here.")
        await expect(rows.nth(1)).to_contain_text(
            "Too large: this site takes files up to 1 MB.")
        await expect(rows.nth(2)).to_contain_text("This file is empty.")
        await page.locator("papo-chat .p").screenshot(path=str(SHOTS / "widget-files-refused.png"))
        assert posted == []
        # Refused by the server (the bytes are not an image), in the visitor's language too.
        await rows.nth(0).get_by_role("button", name="Remove").click()
        await expect(rows).to_have_count(2)

        pt = await browser.new_page()
        try:
            await open_chat_pt(pt, shop.page_url(locale="pt-BR"))
            await hand_over(pt, "drop", "photo.png", "image/png", b"<html>not a png</html>")
            await expect(pt.locator(TRAY)).to_contain_text(
                "Este tipo de arquivo não pode ser enviado aqui.", timeout=10_000)
        finally:
            await pt.close()
    finally:
        await page.close()
    assert stored(live_papo, shop.key) == []


async def open_chat_pt(page: Page, url: str) -> None:
    await page.goto(url)
    await page.locator("papo-chat button.l").click()
    await expect(page.get_by_role("button", name="Anexar um arquivo")).to_be_visible()


async def test_an_upload_cancelled_halfway_sends_nothing(live_papo, make_shop, browser):
    shop = make_shop(live_papo)
    console = await live_papo.console(shop.agent("ana"))
    page = await browser.new_page()
    try:
        await open_chat(page, shop.page_url())
        await throttle(page, 200_000)
        await hand_over(page, "drop", "video.pdf", "application/pdf", files.pdf(2_000_000))
        bar = page.locator(f"{TRAY} progress")
        await page.wait_for_function(
            "() => { const p = document.querySelector('papo-chat').shadowRoot"
            ".querySelector('ul.tr progress'); return p && p.value > 0.2 && p.value < 0.8; }",
            timeout=15_000)
        await expect(bar).to_have_attribute("aria-label", "Uploading video.pdf")
        await page.locator("papo-chat .p").screenshot(path=str(SHOTS / "widget-files-progress.png"))
        await page.locator(TRAY).get_by_role("button", name="Cancel").click()
        await expect(page.locator(TRAY)).to_have_count(0)
        await say(page, "never mind")
        heard = await from_visitor(console)
        assert heard["message"]["body"] == "never mind" and "attachments" not in heard["message"]
    finally:
        await page.close()
        await console.close()
    assert stored(live_papo, shop.key) == []


async def test_an_upload_cut_by_the_network_is_retried_and_stored_once(
        live_papo, make_shop, browser):
    shop = make_shop(live_papo)
    console = await live_papo.console(shop.agent("ana"))
    # The visitor reaches Papo through a link the test can cut, as a train enters a tunnel.
    port = int(live_papo.server.http.rsplit(":", 1)[1])
    link = TcpProxy("127.0.0.1", port).start()
    page = await browser.new_page()
    try:
        await open_chat(page, shop.page_url(server=f"http://127.0.0.1:{link.port}"))
        cdp = await throttle(page, 200_000)
        await hand_over(page, "drop", "logs.pdf", "application/pdf", files.pdf(1_500_000))
        await page.wait_for_function(
            "() => { const p = document.querySelector('papo-chat').shadowRoot"
            ".querySelector('ul.tr progress'); return p && p.value > 0.2; }", timeout=15_000)
        link.cut()
        row = page.locator(TRAY)
        await expect(row).to_contain_text("Couldn't upload. Check your connection and retry.",
                                          timeout=15_000)
        await page.locator("papo-chat .p").screenshot(path=str(SHOTS / "widget-files-failed.png"))
        link.restore()
        await cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        await row.get_by_role("button", name="Retry").click()
        heard = await from_visitor(console, 30)
        assert [f["name"] for f in heard["message"]["attachments"]] == ["logs.pdf"]
        await expect(row).to_have_count(0)
        await expect(page.locator("papo-chat li.v a.fc")).to_have_count(1)
    finally:
        await page.close()
        link.close()
        await console.close()
    assert stored(live_papo, shop.key) == [("logs.pdf", True)]


async def from_visitor(console, timeout: float = 10) -> dict:
    """The next message the visitor wrote, as the agent's console hears it."""
    return await console.expect("message", timeout=timeout,
                                where=lambda f: f["message"]["author"] == "visitor")


async def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Write a message")
    await box.fill(text)
    await box.press("Enter")
