"""Layout checks for the browser suites: nothing spills out of its box.

``overflows(page)`` lists every visible element that sticks out sideways of
the element holding it (the pt-BR tab row once pushed 31 px into the
conversation pane), every text wider than its box, and every element that
cuts its own text off without an ellipsis. Scroll containers may scroll;
positioned layers (popups, badges pinned to a corner, toasts) are not
measured against their parent. Open shadow roots are walked too (the widget's
panel: ``root=".p"``, found inside the widget's shadow root). Run it per locale
at the size a person uses (1280 by 800). The check itself is layout.js, run in
the page.
"""

from __future__ import annotations

from pathlib import Path

_OVERFLOWS = (Path(__file__).parent / "layout.js").read_text(encoding="utf-8")


async def overflows(page, root: str | None = None) -> list[dict]:
    """``[{element, by, what}]`` for everything that overflows (under ``root``)."""
    return await page.evaluate(_OVERFLOWS, root)


async def assert_nothing_overflows(page, root: str | None = None) -> None:
    found = await overflows(page, root)
    assert not found, "overflowing:\n" + "\n".join(
        f"    {f['element']}: {f['what']} by {f['by']} px" for f in found)
