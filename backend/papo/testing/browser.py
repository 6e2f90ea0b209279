"""Debian's Chromium under Playwright, for the browser suites. Never a downloaded browser."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this
# machine's closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium():
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium); never download a browser")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def browser():
    """A Chromium for one test; suites import this fixture by name."""
    async with chromium() as b:
        yield b


# What a person sees of an element's text: its visible characters in the order
# they stand on the screen (line by line, each left to right), read from each
# character's box. Logical order is what the DOM holds; this is the other one.
_SEEN_JS = """(el) => {
  if (!el.isConnected) return null;
  const glyphs = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    for (let i = 0; i < n.data.length; i++) {
      const range = document.createRange();
      range.setStart(n, i);
      range.setEnd(n, i + 1);
      const box = range.getClientRects()[0];
      if (box && box.width > 0) {
        glyphs.push({ c: n.data[i], x: box.left, top: box.top, bottom: box.bottom });
      }
    }
  }
  glyphs.sort((a, b) => a.top - b.top);
  const lines = [];
  for (const g of glyphs) {
    const line = lines[lines.length - 1];
    if (line && (g.top + g.bottom) / 2 < line.bottom) line.glyphs.push(g);
    else lines.push({ bottom: g.bottom, glyphs: [g] });
  }
  return lines.map((l) => l.glyphs.sort((a, b) => a.x - b.x).map((g) => g.c).join('')).join('\\n');
}"""

# How an element takes part in the bidi algorithm.
_BIDI_JS = """(el) => {
  if (!el.isConnected) return null;
  const style = getComputedStyle(el);
  return { tag: el.localName, dir: el.getAttribute('dir'), unicode_bidi: style.unicodeBidi,
           direction: style.direction };
}"""


async def _read(locator, script: str):
    """``script`` on the element ``locator`` finds. Playwright finds the element,
    then runs the script in a second step; a UI that redraws by replacing nodes
    (the console's lists) may swap the element in between, and a detached node
    has no layout. Then the locator is simply resolved again."""
    for _ in range(20):
        value = await locator.evaluate(script)
        if value is not None:
            return value
    raise AssertionError(f"{locator} kept being replaced while read")


async def seen(locator) -> str:
    """The text of ``locator`` as it reads on screen, left to right."""
    return await _read(locator, _SEEN_JS)


async def bidi(locator) -> dict:
    """``{tag, dir, unicode_bidi, direction}`` of ``locator`` (computed style)."""
    return await _read(locator, _BIDI_JS)
