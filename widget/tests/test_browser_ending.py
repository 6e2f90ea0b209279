"""Ending a chat and rating it, in Debian's chromium: the visitor's whole path.

The visitor (the widget on the customer's page) and the agent (the console,
logged in through its real login page) each in their own browser; what each
person sees is read from their page. Each state the visitor sees is saved as
a screenshot in docs/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from papo.testing.live import start_live, stop_live

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
W = "papo-chat"  # selectors pierce the widget's open shadow root


@pytest.fixture(scope="module")
def live_papo(widget_dist):
    """The widget's live backend, with the console built too (the agent's side of the path)."""
    if not shutil.which("node"):
        pytest.fail("node is needed to build the console")
    subprocess.run(["node", "agent_console/build.mjs"], cwd=REPO, check=True,
                   capture_output=True)
    live = start_live("embedded")
    yield live
    stop_live(live)


def composer(page: Page):
    return page.get_by_role("textbox", name=re.compile("Write a message"))


async def say(page: Page, text: str) -> None:
    await composer(page).fill(text)
    await composer(page).press("Enter")


async def shot(page: Page, state: str) -> None:
    """The visitor's page as they see it in this state."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(200)  # animations settle
    await page.screenshot(path=str(SHOTS / f"widget-{state}.png"))


async def console_page(browser, live, agent: dict) -> Page:
    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(live.server.http + "/console/")
    await page.fill("#id_username", agent["username"])
    await page.fill("#id_password", "pw-" + agent["username"])
    await page.click("main button.primary")
    await page.wait_for_url(re.compile(r"/console/$"))
    await expect(page.locator("#app")).to_have_attribute("data-ready", "yes")
    return page


async def visitor_page(browser, shop) -> Page:
    context = await browser.new_context(viewport={"width": 1000, "height": 760})
    page = await context.new_page()
    await page.add_init_script(
        "window.papoEvents = [];"
        "addEventListener('DOMContentLoaded', () => ['ended', 'rating'].forEach(type =>"
        " Papo.on(type, data => papoEvents.push([type, data]))));")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(shop.page_url(hostile=False))
    return page


async def test_the_visitor_ends_rates_and_writes_again(live_papo, shop, browser):
    agent = shop.agent("ana")
    ana = await console_page(browser, live_papo, agent)
    page = await visitor_page(browser, shop)

    await page.locator(f"{W} button.l").click()
    end_button = page.get_by_role("button", name="End chat")
    await expect(end_button).to_be_hidden()  # nothing to end before the first message
    await say(page, "Hi, where is my parcel?")
    await ana.locator(".tab[data-box=mine]").click()
    await ana.locator(".conv-list li.conv").first.click()
    await expect(ana.locator(".thread li.msg.visitor .body")).to_have_text(
        ["Hi, where is my parcel?"])
    conv = int(await ana.locator(".conv-list li.conv.on").get_attribute("data-id"))
    await ana.locator("#composer-input").fill("It left the depot this morning.")
    await ana.locator("#composer-input").press("Enter")
    await expect(page.locator(f"{W} li.a .bb")).to_have_text(["It left the depot this morning."])

    # A stray click ends nothing: the header's button asks first, Cancel is focused.
    await expect(end_button).to_be_visible()
    await end_button.click()
    question = page.get_by_role("alertdialog", name="End this chat?")
    await expect(question).to_be_visible()
    await expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    await shot(page, "end-confirm")
    await page.keyboard.press("Escape")
    await expect(question).to_be_hidden()
    await expect(end_button).to_be_focused()
    await expect(page.locator(f"{W} .p")).to_be_visible()  # Escape closed the question only
    await expect(ana.locator(".conv-header .status")).to_have_attribute("data-status", "open")

    await end_button.click()
    await question.get_by_role("button", name="End chat").click()

    # The ended state: a bold line in the chat, a card that says so, the rating asked.
    await expect(page.locator(f"{W} li.sy.e")).to_have_text("You ended the conversation")
    card = page.locator(f"{W} section.en")
    await expect(card.get_by_role("heading", name="This chat has ended")).to_be_visible()
    await expect(card).to_contain_text("Write below to start a new conversation.")
    await expect(end_button).to_be_hidden()
    stars = card.get_by_role("group", name="How was this chat?")
    await expect(stars.get_by_role("radio")).to_have_count(5)
    for n in range(1, 6):
        await expect(stars.get_by_role("radio", name=f"{n} out of 5 stars")).to_have_count(1)
    await expect(card.get_by_role("button", name="Send rating")).to_be_in_viewport(ratio=1)
    # The chat was ended here: focus goes to the rating, for the keyboard.
    await expect(stars.get_by_role("radio", name="1 out of 5 stars")).to_be_focused()
    await shot(page, "ended")

    # The agent sees it end: in the thread, the header and the Resolved list.
    await expect(ana.locator(".thread li.sys.ending[data-event=ended]")).to_contain_text(
        "ended the chat")
    await expect(ana.locator(".conv-header .status")).to_have_attribute("data-status", "resolved")
    await expect(ana.locator(".conv-header .badge.ended")).to_have_text("Ended by the visitor")
    await ana.locator(".tab[data-box=resolved]").click()
    await expect(ana.locator(f".conv-list li.conv[data-id='{conv}'] .badge.ended")).to_be_visible()

    # Rate with the keyboard: arrows move along the stars; a comment; send.
    for _ in range(3):
        await page.keyboard.press("ArrowRight")
    await expect(stars.get_by_role("radio", name="4 out of 5 stars")).to_be_checked()
    await expect(card.locator(".st label.on")).to_have_count(4)
    await card.get_by_role("textbox", name="Comment (optional)").fill("Quick and kind")
    await shot(page, "rating")
    await card.get_by_role("button", name="Send rating").click()
    await expect(card.get_by_role("status")).to_have_text("Thanks for your rating!")
    await expect(stars).to_be_hidden()
    await expect(page.locator(f"{W} li.sy").last).to_have_text(
        "You rated the conversation 4 out of 5")
    await shot(page, "rated")
    assert await page.evaluate("papoEvents") == [
        ["ended", {"conversation": conv, "by": "visitor"}],
        ["rating", {"conversation": conv, "score": 4}],
    ]

    # The agent's console: the rating on the chat, the comment, and her 30-day sum.
    row = ana.locator(f".conv-list li.conv[data-id='{conv}']")
    await expect(row.locator(".badge.rating")).to_have_text("★ 4")
    await expect(ana.locator(".conv-header .badge.rating")).to_have_text("★ 4")
    await expect(ana.locator(".thread li.sys[data-event=rated]")).to_contain_text(
        "Rated 4 out of 5")
    await expect(ana.locator(".thread li.sys[data-event=rated] .comment")).to_have_text(
        "Quick and kind")
    await expect(ana.locator(".sidebar [data-field=rating] dd")).to_contain_text("4 out of 5")
    await expect(ana.locator(".sidebar [data-field=rating] .comment")).to_have_text(
        "Quick and kind")
    await expect(ana.locator(".toolbar .my-rating")).to_have_text("★ Rated 4 (1 in 30 days)")
    await ana.screenshot(path=str(SHOTS / "console-rated.png"))

    # A reload: the server knows it was rated, so nothing is asked again.
    await page.reload()
    await page.locator(f"{W} button.l").click()
    await expect(card.get_by_role("status")).to_have_text("Thanks for your rating!")
    await expect(stars).to_be_hidden()

    # Writing again starts a new conversation, and both sides see it as new.
    await say(page, "One more thing: can I change the address?")
    divider = page.locator(f"{W} li.nc")
    await expect(divider.get_by_role("heading", name="New conversation")).to_be_visible()
    await expect(card).to_be_hidden()
    await expect(page.locator(f"{W} .sc ol > li").filter(has_text="New conversation")
                 .locator("xpath=following-sibling::li[1]")).to_contain_text(
        "One more thing: can I change the address?")
    await expect(end_button).to_be_visible()
    await shot(page, "new-conversation")

    await ana.locator(".tab[data-box=mine]").click()
    new_row = ana.locator(".conv-list li.conv")  # Mine: the ended chat is not in it
    await expect(new_row).to_have_count(1)
    assert int(await new_row.get_attribute("data-id")) != conv
    await new_row.click()
    await expect(ana.locator(".thread li.msg.visitor .body")).to_have_text(
        ["One more thing: can I change the address?"])
    returning = ana.locator(".conv-header .returning")
    await expect(returning).to_contain_text(f"Returning visitor — previous chat #{conv}")
    await expect(returning.locator(".badge.rating")).to_have_text("★ 4")
    await expect(returning.locator(".badge.ended")).to_have_text("Ended by the visitor")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_after_an_agent_resolves_the_rating_can_be_declined_for_good(
        live_papo, shop, browser):
    agent = shop.agent("bea")
    bea = await console_page(browser, live_papo, agent)
    page = await visitor_page(browser, shop)
    await page.locator(f"{W} button.l").click()
    await say(page, "Do you ship to Lisbon?")
    await bea.locator(".tab[data-box=mine]").click()
    await bea.locator(".conv-list li.conv").first.click()
    await bea.locator("#composer-input").fill("Yes, in three days.")
    await bea.locator("#composer-input").press("Enter")
    await expect(page.locator(f"{W} li.a .bb")).to_have_text(["Yes, in three days."])
    conv = int(await bea.locator(".conv-list li.conv.on").get_attribute("data-id"))

    await bea.locator(".conv-header button.resolve").click()
    await expect(page.locator(f"{W} li.sy.e")).to_have_text(
        "Bea marked the conversation as resolved")
    card = page.locator(f"{W} section.en")
    await expect(card.get_by_role("heading", name="This chat has ended")).to_be_visible()
    stars = card.get_by_role("group", name="How was this chat?")
    await expect(stars).to_be_visible()
    await expect(card.get_by_role("button", name="No thanks")).to_be_in_viewport(ratio=1)
    await expect(page.get_by_role("button", name="End chat")).to_be_hidden()
    await shot(page, "resolved")
    assert await page.evaluate("papoEvents") == [["ended", {"conversation": conv, "by": "agent"}]]

    await card.get_by_role("button", name="No thanks").click()
    await expect(stars).to_be_hidden()
    await expect(card.get_by_role("heading", name="This chat has ended")).to_be_visible()
    await expect(composer(page)).to_be_focused()
    await page.reload()
    await page.locator(f"{W} button.l").click()
    await expect(card.get_by_role("heading", name="This chat has ended")).to_be_visible()
    await expect(stars).to_be_hidden()  # declined in this browser: not asked again
    await expect(bea.locator(".conv-header .badge.rating")).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]
