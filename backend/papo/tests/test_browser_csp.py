"""The policies as a browser enforces them, in Debian's chromium against a real daphne.

Two sides of one question: Papo's own pages (the Django admin here; the
console's end-to-end browser test watches for violations in the console) work
under Papo's strict Content-Security-Policy, and the widget works on a
customer's page whose own policy is strict: no inline style, scripts only from
the page itself and the Papo host, connections only to the Papo host.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from papo.testing.client import client_id
from papo.testing.live import start_live, stop_live

pytestmark = [pytest.mark.browser, pytest.mark.security, pytest.mark.live]
REPO = Path(__file__).resolve().parents[3]
# Every violation the page reports, from before its first script runs.
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture(scope="module")
def live():
    widget = REPO / "widget" / "dist" / "papo" / "widget.js"
    if not widget.exists():  # ./papo test builds it first; a bare pytest run may not have
        if not shutil.which("node"):
            pytest.fail("node is needed to build the widget")
        subprocess.run(["node", "widget/build.mjs"], cwd=REPO, check=True, capture_output=True)
    live = start_live("embedded")
    yield live
    stop_live(live)


async def watched_page(browser):
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.add_init_script(WATCH)
    return page, errors


async def test_the_admin_works_under_the_policy_and_the_policy_holds(live, browser):
    password = "pw-" + uuid.uuid4().hex
    username = "root-" + uuid.uuid4().hex[:6]
    await asyncio.to_thread(live.stack.manage, "shell", "-c", (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser({username!r}, '', {password!r})"))
    page, errors = await watched_page(browser)
    base = live.server.http
    await page.goto(base + "/admin/login/")
    await page.fill("#id_username", username)
    await page.fill("#id_password", password)
    await page.click("input[type=submit]")
    await page.wait_for_url(base + "/admin/")
    # a form with inlines (add a row) and a select2 autocomplete (open it)
    await page.goto(base + "/admin/papo_sites/site/add/")
    await page.locator(".add-row a").first.click()
    await page.locator(".select2-selection").last.click()
    await page.locator(".select2-search__field").fill("root")
    await page.locator(".select2-results__option", has_text=username).wait_for()
    await page.keyboard.press("Escape")
    for path in ("/admin/conversations/conversation/", "/admin/visitors/visitor/",
                 "/admin/console/cannedresponse/add/"):
        await page.goto(base + path)
        await page.locator("#content").wait_for()
    assert await page.evaluate("window.__csp") == []
    assert errors == []

    # The policy is really on: an injected inline script is refused, and reported.
    ran = await page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.body.append(s);
        return window.__ran === true;
    }""")
    assert ran is False
    violations = await page.evaluate("window.__csp")
    assert len(violations) == 1 and violations[0].startswith("script-src")


async def test_the_widget_works_on_a_page_with_a_strict_policy(live, browser):
    team = live.team("ana")
    console = await live.console(team.agents["ana"])
    papo = live.server.http
    nonce = uuid.uuid4().hex
    # What a careful site owner would set: their own scripts plus Papo's host
    # (the queue stub is their inline script, so it carries their nonce), no
    # inline styles at all, and connections to Papo only.
    policy = (f"default-src 'none'; script-src 'self' {papo} 'nonce-{nonce}'; "
              f"style-src 'self'; img-src 'self'; connect-src 'self' {papo} {live.server.ws}; "
              "base-uri 'none'; object-src 'none'; form-action 'self'")
    stub = ('window.Papo=window.Papo||{q:[]};["open","close","identify","on","shutdown"]'
            '.forEach(function(m){Papo[m]=Papo[m]||function(){Papo.q.push([m,arguments])}});')
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>A shop with a strict policy</title></head><body><h1>Strict shop</h1>
<script nonce="{nonce}">{stub}</script>
<script async nonce="{nonce}" src="{papo}/static/papo/widget.js"
        data-site-key="{team.site_key}"></script>
</body></html>"""
    hosts = REPO / "test-artifacts" / "hosts"
    hosts.mkdir(parents=True, exist_ok=True)
    name = f"strict-csp-{uuid.uuid4().hex[:8]}.html"
    (hosts / name).write_text(html)
    try:
        page, errors = await watched_page(browser)
        await page.goto(f"{live.host.origin}/test-artifacts/hosts/{name}")
        await page.locator("papo-chat button.l").click()
        box = page.get_by_role("textbox", name="Write a message")
        await box.fill("hello from a strict page")
        await box.press("Enter")
        got = await console.expect("message", timeout=15, body="hello from a strict page")
        await console.request({"type": "send", "conversation": got["message"]["conversation"],
                               "client_id": client_id(), "body": "styled and connected"})
        bubble = page.locator("papo-chat li.a .bb", has_text="styled and connected")
        await bubble.wait_for(timeout=10_000)
        # its styles applied (constructed style sheets are not inline styles)
        radius = await bubble.evaluate("e => getComputedStyle(e).borderTopLeftRadius")
        assert radius not in ("", "0px")
        # The end of a chat is a lazy chunk with its own style sheet: it loads under the
        # policy too (same directory, the loader's nonce), styled.
        await page.get_by_role("button", name="End chat").click()
        await page.get_by_role("alertdialog").get_by_role("button", name="End chat").click()
        card = page.locator("papo-chat section.en")
        await card.get_by_role("heading", name="This chat has ended").wait_for(timeout=10_000)
        assert await card.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "12px"
        assert await page.evaluate("window.__csp") == []
        assert errors == []
    finally:
        (hosts / name).unlink(missing_ok=True)
        await console.close()
