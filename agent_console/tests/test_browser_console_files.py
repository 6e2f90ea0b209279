"""Files in the agent console, in Debian's chromium against a real daphne, with the
visitor in the real widget on the site's page (another origin): an agent pastes a
screenshot and the visitor's widget shows the thumbnail; a visitor drops a PDF and
the agent sees its chip and downloads it; what the site does not take is refused
before any upload, in the agent's language; a note's file stays with the agents
(on the widget's page and on its wire); an upload cancelled halfway sends nothing;
one cut by the network is retried under the same upload id and stored once.

Uploads are slowed with Chromium's own network throttling (DevTools protocol), so
"halfway" is a place the test can reach, not a race. Each state an agent sees is
checked with axe-core and for overflow, and saved in docs/screenshots/console-files*.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from test_browser_console import Agent, login

from papo.testing import files
from papo.testing.axe import assert_no_serious_violations
from papo.testing.browser_files import hand_over, stored, throttle, uploads_seen
from papo.testing.faults import TcpProxy
from papo.testing.layout import assert_nothing_overflows
from papo.testing.live import start_live, stop_live

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
HOSTS = REPO / "test-artifacts" / "hosts"
LOCALES = ["en-US", "pt-BR"]
# Every upload here comes from 127.0.0.1: the per-address HTTP rate is not what is tested.
LIVE_ENV = {"PAPO_HTTP_RATE": "1000/m"}
TRAY = ".composer .file-tray li"

SAYS = {
    "en-US": {
        "attach": "Attach files", "send": "Send", "note": "Internal note", "remove": "Remove",
        "type": "This site does not take this kind of file.",
        "large": "Too large: this site takes files up to 1 MB.", "empty": "This file is empty.",
        "with_note": "Internal: these files go with the note; the visitor never sees them.",
        "internal": "Internal files: only agents see them", "wait": "Wait until the files are "
        "uploaded, then send.", "file": "File · refund.pdf", "photo": "Photo · image.png",
    },
    "pt-BR": {
        "attach": "Anexar arquivos", "send": "Enviar", "note": "Nota interna", "remove": "Remover",
        "type": "Este site não aceita este tipo de arquivo.",
        "large": "Grande demais: este site aceita arquivos de até 1 MB.",
        "empty": "Este arquivo está vazio.",
        "with_note": "Interno: estes arquivos vão com a nota; o visitante nunca os vê.",
        "internal": "Arquivos internos: só agentes os veem", "wait": "Espere os arquivos "
        "terminarem de subir e então envie.", "file": "Arquivo · refund.pdf",
        "photo": "Foto · image.png",
    },
}

@pytest.fixture(scope="module")
def live_papo(console_dist):
    """A real daphne (embedded stack) serving both the console and the widget."""
    if not shutil.which("node"):
        pytest.fail("node is needed to build the widget")
    subprocess.run(["node", "widget/build.mjs"], cwd=REPO, check=True, capture_output=True)
    live = start_live("embedded", env=LIVE_ENV)
    yield live
    stop_live(live)


async def to_console(agent: Agent, how: str, name: str, type_: str, data: bytes) -> None:
    """A paste into the composer, or a drop on the thread."""
    target = "#composer-input" if how == "paste" else ".thread"
    await hand_over(agent.page, target, how, name, type_, data)


async def to_widget(page: Page, how: str, name: str, type_: str, data: bytes) -> None:
    target = "textarea" if how == "paste" else "section.p"
    await hand_over(page, target, how, name, type_, data, widget=True)


def host_page(live, key: str, locale: str | None = None) -> str:
    """The site's page with the real snippet (embed_snippet.html), on the host origin."""
    html = (REPO / "embed_snippet.html").read_text()
    html = html.replace("http://127.0.0.1:8000", live.server.http)
    html = html.replace("pk_demo_papo_site", key)
    if locale:
        html = html.replace('data-site-key="', f'data-locale="{locale}" data-site-key="')
    HOSTS.mkdir(parents=True, exist_ok=True)
    name = f"console-files-{uuid.uuid4().hex[:8]}.html"
    (HOSTS / name).write_text(html)
    return f"{live.host.origin}/test-artifacts/hosts/{name}"


class Visitor:
    """The visitor's page with the widget open, and every frame its socket received."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: self.frames.append(str(payload))))

    async def say(self, text: str) -> None:
        box = self.page.locator("papo-chat textarea")
        await box.fill(text)
        await box.press("Enter")


async def visitor(browser, live, key: str, locale: str) -> Visitor:
    context = await browser.new_context(locale=locale)
    v = Visitor(await context.new_page())
    await v.page.goto(host_page(live, key, locale))
    await v.page.locator("papo-chat button.l").click()
    await expect(v.page.locator("papo-chat textarea")).to_be_visible()
    return v


async def chat_with(browser, live, locale: str, **site_fields):
    """Ana in her console and a visitor who wrote first: the chat is hers, open."""
    team = live.team("ana", site_fields=site_fields or None)
    ana = await login(browser, live, team.agents["ana"], locale=locale)
    rita = await visitor(browser, live, team.site_key, locale)
    await rita.say("Hello, my order is late")
    await ana.tab("mine").click()
    row = ana.page.locator(".conv-list li.conv").first
    await expect(row).to_be_visible()
    await row.click()
    await expect(ana.thread.locator("li.msg.visitor .body")).to_have_text(
        ["Hello, my order is late"])
    return team, ana, rita


async def halfway(page: Page, low: float = 0.2, high: float = 0.8) -> None:
    await page.wait_for_function(
        "([low, high]) => { const p = document.querySelector('.file-tray progress');"
        " return p && p.value > low && p.value < high; }", arg=[low, high], timeout=15_000)


async def check(page: Page, name: str | None, locale: str) -> None:
    """The state the agent sees: accessible, nothing overflowing, and its picture."""
    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page)
    if name is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if locale == "en-US" else "-" + locale
    await page.screenshot(path=str(SHOTS / f"console-{name}{suffix}.png"))


async def loaded(img) -> None:
    await expect(img).to_have_js_property("complete", True)
    assert await img.evaluate("img => img.naturalWidth") > 0


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_pasted_screenshot_reaches_the_visitor_and_a_dropped_pdf_the_agent(
        live_papo, browser, locale):
    says = SAYS[locale]
    team, ana, rita = await chat_with(browser, live_papo, locale)
    await expect(ana.page.get_by_role("button", name=says["attach"])).to_be_visible()

    # The agent pastes a screenshot into the composer and drops a PDF on the thread: they
    # wait in the tray and go with the reply, in one message, by Send.
    screenshot = await ana.page.screenshot()
    await to_console(ana, "paste", "image.png", "image/png", screenshot)
    await to_console(ana, "drop", "invoice.pdf", "application/pdf", files.pdf())
    rows = ana.page.locator(TRAY)
    await expect(rows.locator(".file-name")).to_have_text(["image.png", "invoice.pdf"])
    for i in range(2):
        await expect(rows.nth(i)).to_have_attribute("data-state", "done", timeout=10_000)
    await ana.composer.fill("This is what I see")
    await ana.composer.press("Enter")
    await expect(rows).to_have_count(0)
    mine = ana.thread.locator("li.msg.agent").last
    await expect(mine.locator(".body")).to_have_text("This is what I see")
    await loaded(mine.locator("a.im img"))
    await expect(mine.locator("a.fc")).to_contain_text("invoice.pdf")
    # The visitor's widget shows the thumbnail, loaded, and the chip, with the words.
    theirs = rita.page.locator("papo-chat li.a").last
    await expect(theirs.locator(".bb")).to_have_text("This is what I see")
    thumb = theirs.locator("a.im img")
    await expect(thumb).to_have_attribute("alt", "image.png")
    await loaded(thumb)
    await expect(theirs.locator("a.fc")).to_contain_text("invoice.pdf")
    # The agent's click on the thumbnail opens the full image.
    async with ana.page.context.expect_page() as opened:
        await mine.locator("a.im").click()
    full = await opened.value
    await full.wait_for_load_state()
    assert "/files/" in full.url and await full.locator("img").count() == 1
    await full.close()

    # The visitor drops a PDF: the agent sees a chip (name, kind, size) that downloads it.
    await to_widget(rita.page, "drop", "refund.pdf", "application/pdf", files.pdf())
    chip = ana.thread.locator("li.msg.visitor a.fc")
    await expect(chip).to_contain_text(re.compile(r"refund\.pdf\s*PDF · 1 kB"), timeout=10_000)
    await expect(ana.page.locator(".conv-list li.conv .preview").first).to_have_text(says["file"])
    async with ana.page.expect_download() as downloading:
        await chip.click()
    download = await downloading.value
    assert download.suggested_filename == "refund.pdf"
    assert Path(await download.path()).read_bytes() == files.pdf()
    await check(ana.page, "files", locale)
    assert stored(live_papo, team.site_key) == sorted(
        [("image.png", True), ("invoice.pdf", True), ("refund.pdf", True)])
    assert not ana.errors
    await rita.page.context.close()


@pytest.mark.parametrize("locale", LOCALES)
async def test_refusals_before_upload_and_a_note_whose_file_stays_with_agents(
        live_papo, browser, locale):
    says = SAYS[locale]
    team, ana, rita = await chat_with(browser, live_papo, locale, file_max_bytes=1_000_000,
                                      file_types="image,pdf")
    posted = uploads_seen(ana.page)
    await to_console(ana, "drop", "backup.zip", "application/zip", b"PK\x03\x04" + b"x" * 100)
    await to_console(ana, "drop", "huge.png", "image/png", b"\x89PNG" + b"x" * 1_000_001)
    await to_console(ana, "paste", "empty.pdf", "application/pdf", b"")
    rows = ana.page.locator(TRAY)
    await expect(rows).to_have_count(3)
    await expect(rows.nth(0).locator(".error")).to_have_text(says["type"])
    await expect(rows.nth(1).locator(".error")).to_have_text(says["large"])
    await expect(rows.nth(2).locator(".error")).to_have_text(says["empty"])
    assert posted == []
    # Send waits until every file went or was removed (the agent would think they went).
    await ana.composer.fill("See attached")
    await ana.page.get_by_role("button", name=says["send"], exact=True).click()
    await expect(ana.page.locator(".files-hint")).to_contain_text(
        re.compile("Retry or remove|Tente de novo ou remova"))
    await check(ana.page, "files-refused", locale)
    for _ in range(3):
        await rows.first.get_by_role("button", name=says["remove"]).click()
    await expect(rows).to_have_count(0)
    await ana.composer.fill("")

    # A note with a file: the tray says it stays internal; the thread marks it internal.
    await ana.page.get_by_label(says["note"]).check()
    await to_console(ana, "drop", "secret-refund.pdf", "application/pdf", files.pdf())
    tray = ana.page.locator(".composer .files")
    await expect(tray.locator(".files-note")).to_have_text(says["with_note"])
    await expect(rows).to_have_attribute("data-state", "done", timeout=10_000)
    await ana.composer.fill("refund approved, do not forward")
    await check(ana.page, "files-note", locale)
    await ana.composer.press("Enter")
    note = ana.thread.locator("li.msg.note").last
    await expect(note.locator(".files-internal")).to_have_text(says["internal"])
    await expect(note.locator("a.fc")).to_contain_text("secret-refund.pdf")
    await expect(ana.page.locator(".conv-list li.conv .by").first).to_contain_text(
        re.compile("Note|Nota"))
    await check(ana.page, None, locale)
    # A reply after it reaches the visitor; the note and its file never did.
    await ana.page.get_by_label(says["note"]).uncheck()
    await ana.say("We are on it")
    await expect(rita.page.locator("papo-chat li.a .bb").last).to_have_text("We are on it")
    await expect(rita.page.locator("papo-chat a.fc, papo-chat a.im")).to_have_count(0)
    wire = "\n".join(rita.frames)
    assert "We are on it" in wire
    assert "secret-refund" not in wire and "refund approved" not in wire
    assert stored(live_papo, team.site_key) == [("secret-refund.pdf", True)]
    assert not ana.errors
    await rita.page.context.close()


async def test_an_upload_cancelled_halfway_sends_nothing(live_papo, browser):
    team, ana, rita = await chat_with(browser, live_papo, "en-US")
    await throttle(ana.page, 200_000)
    await to_console(ana, "drop", "video.pdf", "application/pdf", files.pdf(2_000_000))
    await halfway(ana.page)
    row = ana.page.locator(TRAY)
    await expect(row.locator("progress")).to_have_attribute("aria-label", "Uploading video.pdf")
    # Send waits for the file, and says so.
    await ana.composer.fill("here it comes")
    await ana.composer.press("Enter")
    await expect(ana.page.locator(".files-hint")).to_have_text(SAYS["en-US"]["wait"])
    await check(ana.page, "files-progress", "en-US")
    await row.get_by_role("button", name="Cancel").click()
    await expect(row).to_have_count(0)
    await ana.composer.fill("never mind")
    await ana.composer.press("Enter")
    await expect(rita.page.locator("papo-chat li.a .bb").last).to_have_text("never mind")
    await expect(rita.page.locator("papo-chat a.fc")).to_have_count(0)
    assert stored(live_papo, team.site_key) == []
    await rita.page.context.close()


async def test_an_upload_cut_by_the_network_is_retried_and_stored_once(live_papo, browser):
    team = live_papo.team("ana")
    # The agent reaches Papo through a link the test can cut, as a train enters a tunnel.
    port = int(live_papo.server.http.rsplit(":", 1)[1])
    link = TcpProxy("127.0.0.1", port).start()
    try:
        ana = await login(browser, Through(live_papo, link.port), team.agents["ana"])
        rita = await visitor(browser, live_papo, team.site_key, "en-US")
        await rita.say("Can you send me the logs?")
        await ana.tab("mine").click()
        await ana.page.locator(".conv-list li.conv").first.click()
        cdp = await throttle(ana.page, 200_000)
        posted = uploads_seen(ana.page)
        await to_console(ana, "drop", "logs.pdf", "application/pdf", files.pdf(1_500_000))
        await halfway(ana.page, 0.2, 0.9)
        link.cut()
        row = ana.page.locator(TRAY)
        await expect(row.locator(".error")).to_have_text(
            "Could not upload: check your connection and retry.", timeout=15_000)
        await check(ana.page, "files-failed", "en-US")
        link.restore()
        await cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        await row.get_by_role("button", name="Retry").click()
        await expect(row).to_have_attribute("data-state", "done", timeout=15_000)
        await ana.composer.fill("Here are the logs")
        await ana.composer.press("Enter")
        theirs = rita.page.locator("papo-chat li.a").last
        await expect(theirs.locator(".bb")).to_have_text("Here are the logs", timeout=15_000)
        await expect(theirs.locator("a.fc")).to_contain_text("logs.pdf")
        assert len(posted) == 2  # the first try, cut; the retry, under the same upload id
        await rita.page.context.close()
    finally:
        link.close()
    assert stored(live_papo, team.site_key) == [("logs.pdf", True)]


class Through:
    """The live server as seen through a proxy on ``port`` (login() reads ``server.http``)."""

    def __init__(self, live, port: int) -> None:
        self.server = type("Server", (), {"http": f"http://127.0.0.1:{port}"})()
