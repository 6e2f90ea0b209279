"""Attachments in real Chromium: a 5 MB photo from the drop on one side until its
thumbnail is drawn on the other, both ways, on the embedded default stack (SQLite,
in-memory layer, one daphne). Not part of the tests.

    python bench/attachments_browser.py

The photo is a 12-megapixel JPEG of about 5.7 MB (noise: it compresses badly).

- visitor → agent: dropped on the widget's panel (the widget uploads it and sends it
  as a message of its own); stopped when the agent's console has drawn its thumbnail.
- agent → visitor: dropped on the console's conversation; the agent's Send goes as
  soon as the tray shows the upload done (a file goes with the reply being written);
  stopped when the visitor's widget has drawn the thumbnail. The upload's own share
  (drop to "done" in the tray) is printed beside it.

"Drawn" is an ``<img>`` of the thumbnail that is ``complete`` with a ``naturalWidth``;
each page checks every 5 ms and both read the same clock (``Date.now()``), so the
figure is the browsers' own, not the script's. Three runs each way, printed.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.test_settings")
RUNS = 3

# A file dropped on `target` (`shadow`: inside the widget), timed from just before.
DROP = """async ([shadow, target, name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: 'image/jpeg' }));
  const root = shadow ? document.querySelector('papo-chat').shadowRoot : document;
  const el = root.querySelector(target);
  const t0 = Date.now();
  for (const type of ['dragenter', 'dragover', 'drop'])
    el.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  return t0;
}"""

# Resolves with the time an image of `name` (its alt) is drawn under `selector`.
DRAWN = """([shadow, selector, name]) => new Promise((resolve) => {
  const root = shadow ? document.querySelector('papo-chat').shadowRoot : document;
  const timer = setInterval(() => {
    for (const img of root.querySelectorAll(selector)) {
      if (img.alt === name && img.complete && img.naturalWidth > 0) {
        clearInterval(timer);
        resolve(Date.now());
      }
    }
  }, 5);
})"""

# Resolves with the time the console's tray shows the upload done.
DONE = """() => new Promise((resolve) => {
  const timer = setInterval(() => {
    if (document.querySelector('.file-tray li[data-state=done]')) {
      clearInterval(timer);
      resolve(Date.now());
    }
  }, 5);
})"""


def photo() -> bytes:
    from PIL import Image

    img = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60)
    return out.getvalue()


def host_page(live, key: str) -> str:
    html = (REPO / "embed_snippet.html").read_text()
    html = html.replace("http://127.0.0.1:8000", live.server.http).replace("pk_demo_papo_site", key)
    out = REPO / "test-artifacts" / "hosts"
    out.mkdir(parents=True, exist_ok=True)
    name = f"bench-files-{uuid.uuid4().hex[:8]}.html"
    (out / name).write_text(html)
    return f"{live.host.origin}/test-artifacts/hosts/{name}"


async def main() -> None:
    import django

    django.setup()
    for build in ("widget/build.mjs", "agent_console/build.mjs"):
        subprocess.run(["node", build], cwd=REPO, check=True, capture_output=True)
    from playwright.async_api import expect

    from papo.testing.browser import chromium
    from papo.testing.live import start_live, stop_live

    live = start_live("embedded", env={"PAPO_HTTP_RATE": "1000/m"})
    data = photo()
    b64 = base64.b64encode(data).decode()
    try:
        async with chromium() as browser:
            team = live.team("ana")
            agent = team.agents["ana"]
            console = await (await browser.new_context(
                viewport={"width": 1280, "height": 800})).new_page()
            await console.goto(live.server.http + "/console/login/")
            await console.fill("#id_username", agent["username"])
            await console.fill("#id_password", "pw-" + agent["username"])
            await console.click("main button.primary")
            await console.wait_for_url(re.compile(r"/console/$"))
            await expect(console.locator("#app")).to_have_attribute("data-ready", "yes")
            widget = await (await browser.new_context()).new_page()
            await widget.goto(host_page(live, team.site_key))
            await widget.locator("papo-chat button.l").click()
            box = widget.locator("papo-chat textarea")
            await box.fill("Hello")
            await box.press("Enter")
            await console.locator(".tab[data-box=mine]").click()
            await console.locator(".conv-list li.conv").first.click()
            await expect(console.locator(".thread li.msg.visitor")).to_have_count(1)

            print(f"photo: {len(data) / 1e6:.1f} MB JPEG, 4000 x 3000")
            for run in range(1, RUNS + 1):
                name = f"visitor-{run}.jpg"
                drawn = asyncio.ensure_future(console.evaluate(
                    DRAWN, [False, ".thread .msg-files img", name]))
                t0 = await widget.evaluate(DROP, [True, "section.p", name, b64])
                t1 = await drawn
                print(f"visitor -> agent, run {run}: drop to thumbnail drawn in the console "
                      f"{(t1 - t0) / 1000:.2f} s")
            for run in range(1, RUNS + 1):
                name = f"agent-{run}.jpg"
                drawn = asyncio.ensure_future(widget.evaluate(
                    DRAWN, [True, "li.a a.im img", name]))
                done = asyncio.ensure_future(console.evaluate(DONE))
                t0 = await console.evaluate(DROP, [False, ".thread", name, b64])
                uploaded = await done
                await console.locator("#composer-input").press("Enter")
                t1 = await drawn
                print(f"agent -> visitor, run {run}: drop to thumbnail drawn in the widget "
                      f"{(t1 - t0) / 1000:.2f} s (upload done in the tray after "
                      f"{(uploaded - t0) / 1000:.2f} s)")
    finally:
        stop_live(live)


if __name__ == "__main__":
    asyncio.run(main())
