"""Files in a real browser, for the widget's and the console's attachment tests: a
file handed over as a paste or a drop would be (synthetic ClipboardEvent and
DragEvent carrying a real File), Chromium's own upload throttling, the uploads a
page made, and what the server stored."""

from __future__ import annotations

import ast
import base64

from playwright.async_api import Page

HAND_OVER = """async ([shadow, target, kind, name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const root = shadow ? document.querySelector('papo-chat').shadowRoot : document;
  const el = root.querySelector(target);
  if (kind === 'paste') {
    el.dispatchEvent(new ClipboardEvent('paste',
      { clipboardData: data, bubbles: true, cancelable: true }));
  } else {
    for (const type of ['dragenter', 'dragover', 'drop'])
      el.dispatchEvent(new DragEvent(type,
        { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}"""


async def hand_over(page: Page, target: str, how: str, name: str, type_: str, data: bytes,
                    *, widget: bool = False) -> None:
    """A ``paste`` into, or a ``drop`` on, the element ``target`` (in the widget's shadow
    root when ``widget``) of a file called ``name`` of type ``type_`` holding ``data``."""
    await page.evaluate(HAND_OVER, [widget, target, how, name, type_,
                                    base64.b64encode(data).decode()])


async def throttle(page: Page, bytes_per_second: int):
    """Chromium's own upload throttling for this page (DevTools protocol); the session,
    to change the conditions later."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": bytes_per_second})
    return cdp


def uploads_seen(page: Page) -> list[str]:
    """The URLs of the uploads the page posts from now on (a list kept up to date)."""
    seen: list[str] = []
    page.on("request", lambda r: r.method == "POST" and "/uploads" in r.url and seen.append(r.url))
    return seen


def stored(live, site_key: str) -> list[tuple[str, bool]]:
    """(name, sent) of every upload the server stored for the site."""
    out = live.shell(
        "from attachments.models import Attachment; "
        f"print(sorted((a.name, a.sent_at is not None) for a in "
        f"Attachment.objects.filter(site__key={site_key!r}, ready=True)))")
    return ast.literal_eval(out)
