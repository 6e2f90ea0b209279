"""axe-core in the browser suites: accessibility checked in real Chromium.

axe-core (the npm devDependency, ``node_modules/axe-core/axe.min.js``) is put
into the page through DevTools evaluation, so a page's strict
Content-Security-Policy (no inline scripts) holds while it runs, and the
results are read back. Use it on every console page and the open widget::

    await assert_no_serious_violations(page)            # the whole page
    await assert_no_serious_violations(page, "#app")     # a part of it

The widget lives in an open shadow root; axe walks open shadow roots by itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_RUN = """async ([context, rules]) => {
  const options = { resultTypes: ['violations'] };
  if (rules) options.runOnly = { type: 'rule', values: rules };
  const result = await window.axe.run(context || document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
}"""


async def _load(page) -> None:
    if await page.evaluate("typeof window.axe === 'object'"):
        return
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: npm ci installs axe-core (a devDependency)")
    await page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")


async def violations(page, context: str | None = None, *, impacts=SERIOUS,
                     rules: list[str] | None = None) -> list[dict]:
    """axe's violations of at least ``impacts`` on ``page`` (or under the CSS
    selector ``context``): ``[{id, impact, help, nodes: [{target, summary}]}]``."""
    await _load(page)
    found = await page.evaluate(_RUN, [context, rules])
    return [v for v in found if v["impact"] in impacts]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} element(s)")
        lines += [f"    {n['target']}: {n['summary'].splitlines()[-1].strip()}"
                  for n in v["nodes"][:8]]
    return "\n".join(lines)


async def assert_no_serious_violations(page, context: str | None = None) -> None:
    """No serious or critical axe-core violation on ``page`` (or under ``context``)."""
    found = await violations(page, context)
    assert not found, "axe-core found:\n" + describe(found)
