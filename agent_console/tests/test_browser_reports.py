"""What a site owner sees on the Reports page, in English and Brazilian Portuguese, in
Debian's chromium against a real daphne: from the console's header, the site's tab,
to the figures of the hand-made month (backend console/tests/reports_sample.py),
the charts drawn, the same numbers as sentences and tables for a screen reader,
and the CSV they download. No serious axe-core violation, nothing spilling out of
its box at 1280 by 800 (its pictures, in every language: test_browser_console_a11y.py).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.async_api import expect
from test_browser_console import CSP_WATCH

from console.tests import reports_sample as sample
from papo.testing.axe import assert_no_serious_violations
from papo.testing.layout import assert_nothing_overflows

pytestmark = pytest.mark.browser
ACCENT, BAD = (11, 91, 211), (207, 34, 46)  # the bars: chats, and the missed ones

SAYS = {
    "en-US": {
        "reports": "Reports", "from": "From", "to": "To", "show": "Show", "csv": "Download CSV",
        "none": "No chats started on these days.",
        "kpis": {"chats": ("10", "6 answered"), "missed": ("2", None), "unanswered": ("1", None),
                 "first-response": ("1.3 min", "median · 90% within 3.5 min"),
                 "resolution": ("15 min", "median · 90% within 26 min"),
                 "csat": ("3.8 of 5", "60% satisfied · 5 ratings")},
        "by_day": r"^10 chats over 3 days; the busiest day was .*3.*, with 4\. 2 missed\.$",
        "by_hour": "The busiest hour was 09:00, with 2 chats.",
        "table": "The figures as a table", "nobody": "Not assigned",
        "ana": ["4", "3", "0", "1 min", "1.4 min", "15 min", "19 min", "3.7 (3)"],
        "bruno": ["3", "3", "0", "2 min", "4.4 min", "16 min", "27 min", "4 (2)"],
        "csv_head": ["group", "name", "conversations"], "csv_total": "total",
        "csv_agent": "agent",
    },
    "pt-BR": {
        "reports": "Relatórios", "from": "De", "to": "Até", "show": "Mostrar",
        "csv": "Baixar CSV", "none": "Nenhum chat começou nesses dias.",
        "kpis": {"chats": ("10", "6 respondidos"), "missed": ("2", None),
                 "unanswered": ("1", None),
                 "first-response": ("1,3 min", "mediana · 90% em até 3,5 min"),
                 "resolution": ("15 min", "mediana · 90% em até 26 min"),
                 "csat": ("3,8 de 5", "60% satisfeitos · 5 avaliações")},
        "by_day": r"^10 chats em 3 dias; o dia mais movimentado foi .*3.*, com 4\. 2 perdidos\.$",
        "by_hour": "A hora mais movimentada foi 09:00, com 2 chats.",
        "table": "Os números em tabela", "nobody": "Sem agente",
        "ana": ["4", "3", "0", "1 min", "1,4 min", "15 min", "19 min", "3,7 (3)"],
        "bruno": ["3", "3", "0", "2 min", "4,4 min", "16 min", "27 min", "4 (2)"],
        "csv_head": ["grupo", "nome", "conversas"], "csv_total": "total",
        "csv_agent": "agente",
    },
}

# How many pixels of the canvas are (about) this colour: the bars were drawn.
PIXELS = """([selector, rgb]) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - rgb[0]) < 8 && Math.abs(data[i + 1] - rgb[1]) < 8 &&
        Math.abs(data[i + 2] - rgb[2]) < 8 && data[i + 3] > 200) n++;
  }
  return n;
}"""


@pytest.fixture(scope="module")
def month(live_papo):
    return sample.seed_month(live_papo)


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
async def test_an_owner_reads_the_months_figures_charts_and_csv(live_papo, browser, month,
                                                                locale):
    says = SAYS[locale]
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 800},
                                        accept_downloads=True)
    await context.add_cookies([{"name": "sessionid", "value": month["sessions"]["owner"],
                                "url": live_papo.server.http}])
    page = await context.new_page()
    await page.add_init_script(CSP_WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The site's pages (the header links each site an owner manages), then its Reports
    # tab: the last 30 days, none. (Not through the inbox: an owner online there is
    # handed the month's waiting chat, which would change its figures.)
    await page.goto(live_papo.server.http + "/console/password/")
    await page.locator(".topnav").get_by_role("link", name=month["name"]).click()
    await page.locator(".site-tabs").get_by_role("link", name=says["reports"]).click()
    await expect(page).to_have_url(re.compile(rf"/console/sites/{month['key']}/reports/$"))
    report = page.locator("#report")
    await expect(report).to_have_attribute("data-state", "ready")
    await expect(page.locator("#by-day .chart-summary")).to_have_text(says["none"])

    # The sample's days, as the owner picks them
    await page.get_by_label(says["from"], exact=True).fill(sample.FIRST)
    await page.get_by_label(says["to"], exact=True).fill(sample.LAST)
    await page.get_by_role("button", name=says["show"]).click()
    await expect(page).to_have_url(re.compile(rf"\?from={sample.FIRST}&to={sample.LAST}$"))
    await expect(report).to_have_attribute("data-state", "ready")

    for kpi, (value, note) in says["kpis"].items():
        card = page.locator(f".kpi.{kpi} dd")
        await expect(card.locator("strong")).to_have_text(value)
        if note:
            await expect(card.locator(".muted")).to_have_text(note)
    await expect(page.locator("#by-day .chart-summary")).to_have_text(re.compile(says["by_day"]))
    await expect(page.locator("#by-hour .chart-summary")).to_have_text(says["by_hour"])

    # The charts are drawn (bars of both colours by day), for the eyes only
    for chart in ("by-day", "by-hour"):
        await expect(page.locator(f"[data-chart={chart}]")).to_have_attribute("aria-hidden",
                                                                             "true")
    assert await page.evaluate(PIXELS, ["[data-chart=by-day] canvas", list(ACCENT)]) > 200
    assert await page.evaluate(PIXELS, ["[data-chart=by-day] canvas", list(BAD)]) > 50
    assert await page.evaluate(PIXELS, ["[data-chart=by-hour] canvas", list(ACCENT)]) > 200

    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page)

    # ... and told as a sentence and a table to everyone
    await page.locator("#by-day summary").click()
    rows = page.locator("#by-day table tbody tr")
    await expect(rows).to_have_count(3)
    for i, (chats, missed) in enumerate([("3", "0"), ("3", "1"), ("4", "1")]):
        await expect(rows.nth(i).locator("td")).to_have_text([chats, missed])
    await page.locator("#by-hour summary").click()
    await expect(page.locator("#by-hour table tbody tr")).to_have_count(24)

    # Per agent, most chats first; the chats nobody had, last
    agents = page.locator(".per-agent tbody tr")
    await expect(agents).to_have_count(3)
    await expect(agents.nth(0).locator("th")).to_have_text("Ana")
    await expect(agents.nth(0).locator("td")).to_have_text(says["ana"])
    await expect(agents.nth(1).locator("th")).to_have_text("@Bruno")
    await expect(agents.nth(1).locator("td")).to_have_text(says["bruno"])
    await expect(agents.nth(2).locator("th")).to_have_text(says["nobody"])
    await expect(agents.nth(2).locator("td").nth(2)).to_have_text("2")

    await assert_no_serious_violations(page)
    await assert_nothing_overflows(page)

    # The CSV: the same numbers, a formula-looking name made text
    async with page.expect_download() as info:
        await page.get_by_role("link", name=says["csv"]).click()
    download = await info.value
    assert download.suggested_filename == (
        f"papo-report-{month['key']}-{sample.FIRST}-{sample.LAST}.csv")
    text = Path(await download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == says["csv_head"]
    assert rows[1][0] == says["csv_total"] and rows[1][2:6] == ["10", "6", "2", "1"]
    assert [r[1] for r in rows if r[0] == says["csv_agent"]][:2] == ["Ana", "'@Bruno"]

    assert await page.evaluate("window.__csp") == []
    assert errors == []
    await context.close()
