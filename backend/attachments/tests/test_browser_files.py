"""Every hostile file, as served, opened in Debian's Chromium: none of their scripts runs.

A site that takes everything (markup included) gets an SVG with a script, an HTML page
named ``cat.png``, a JPEG/HTML polyglot and a PDF with JavaScript; a visitor sends them.
Each link the message carries is then opened the ways a page could: navigated to
(top level, as a click on a file opens it), and framed, embedded and loaded as an image
by a page of another origin. Every payload would call a beacon (a local HTTP server that
counts calls) and set the document's title; the beacon must hear nothing. As a control,
the same HTML served as a page of its own does call the beacon, so silence means safety,
not a broken beacon.
"""

from __future__ import annotations

import asyncio
import http.server
import threading

import pytest

from papo.testing import files
from papo.testing.browser import browser  # noqa: F401 (fixture)
from papo.testing.client import client_id
from papo.testing.live import start_live, stop_live
from papo.testing.server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.security, pytest.mark.live]

EVERYTHING = "image,pdf,text,document,archive,media,markup,other"


class Beacon:
    """Counts every request a payload manages to make."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/beacon"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def live():
    live = start_live("embedded")
    yield live
    stop_live(live)


@pytest.fixture
def beacon():
    b = Beacon()
    yield b
    b.close()


async def test_no_served_file_runs_its_script_in_a_browser(live, browser, beacon):  # noqa: F811
    team = live.team("ana", site_fields={"file_types": EVERYTHING})
    peer, welcome = await live.visitor(team.site_key)
    hostile = [("logo.svg", files.svg_with_script(beacon.url)),
               ("cat.png", files.html_page(beacon.url)),
               ("photo.jpg", files.jpeg_html_polyglot(beacon.url)),
               ("report.pdf", files.pdf() + files.html_page(beacon.url))]
    ids = []
    for name, data in hostile:
        answer = files.upload(live.server.http, f"/api/widget/{team.site_key}/uploads", data,
                              name, token=welcome["token"], origin=live.host.origin)
        assert answer.status == 201, (name, answer.body)
        ids.append(answer.body["id"])
    ack = await peer.request({"type": "send", "client_id": client_id(), "body": "",
                              "attachments": ids})
    shown = (await peer.expect("message", seq=ack["seq"]))["message"]["attachments"]
    urls = {a["name"]: live.server.http + a["url"] for a in shown}
    urls["photo.jpg (thumbnail)"] = live.server.http + next(
        a["thumb_url"] or a["url"] for a in shown if a["name"] == "photo.jpg")
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
    downloads = {}
    # 1. opened at the top level, as a click on the file would
    for name, url in urls.items():
        if name.startswith("photo.jpg"):
            await page.goto(url)
            assert await page.evaluate("document.contentType") == "image/jpeg"
            assert await page.title() != files.SCRIPT_MARK
            continue
        async with page.expect_download() as info:
            try:
                await page.goto(url)
            except Exception as exc:  # navigation turns into a download
                assert "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc), exc
        downloads[name] = (await info.value).suggested_filename
    assert downloads == {"logo.svg": "logo.svg", "cat.png": "cat.png",
                         "report.pdf": "report.pdf"}
    # 2. framed, embedded, objected and imaged by a page of another origin
    tags = "".join(
        f'<iframe src="{u}"></iframe><embed src="{u}"><object data="{u}"></object>'
        f'<img src="{u}">' for u in urls.values())
    await page.goto(live.host.origin + "/embed_snippet.html")
    await page.set_content(f"<!doctype html><title>host</title>{tags}")
    await asyncio.sleep(1.5)
    assert await page.title() == "host"
    assert beacon.hits == [] and dialogs == []
    # the control: the same HTML as a page of its own reaches the beacon
    await page.set_content(files.html_page(beacon.url).decode())
    for _ in range(50):
        if beacon.hits:
            break
        await asyncio.sleep(0.1)
    assert beacon.hits, "the beacon heard nothing even from a page that runs the payload"
    await context.close()
