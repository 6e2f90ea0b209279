"""Invitations for real, on both stacks: an owner invites from the console's team
page over a real daphne, a ``papo_worker`` process mails the invitation to a
local SMTP server, and the invitee follows the link in the mail: chooses a
password, lands in the console, and their console socket is welcomed with the
site, in the role and capacity they were given. Sending again and revoking end
the links mailed before; someone who has an account is added and told."""

from __future__ import annotations

import asyncio
import re
import uuid
from urllib.parse import urlsplit

import pytest

from papo.testing.mail_fixtures import mail_fixtures
from papo.testing.smtp import Mailbox, mail_env
from papo.testing.web import Browser

pytestmark = [pytest.mark.live]

MAILBOX = Mailbox()
PUBLIC = "http://papo.test"
LIVE_ENV = mail_env(MAILBOX, PUBLIC)

mailbox, worker = mail_fixtures(MAILBOX, LIVE_ENV)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}@example.com"


def owner_of_a_new_site(live) -> tuple[Browser, str, str]:
    """A site of its own with an owner logged in to the console: (browser, key, name)."""
    team = live.team("olga", role="owner")
    username = team.agents["olga"]["username"]
    browser = Browser(live.server.http)
    browser.login(username, f"pw-{username}")
    name = live.shell("from sites.models import Site; "
                      f"print(Site.objects.get(key={team.site_key!r}).name)")
    return browser, team.site_key, name


def invite(browser: Browser, key: str, email: str, role: str = "agent", cap: int = 5) -> str:
    url, page = browser.submit(f"/console/sites/{key}/team/invite/",
                               {"email": email, "role": role, "max_concurrent": str(cap)})
    assert urlsplit(url).path == f"/console/sites/{key}/team/", page
    return page


def link_in(mail) -> str:
    (link,) = {u for u in re.findall(r"https?://\S+", mail.part("plain")) if "/welcome/" in u}
    assert link.startswith(PUBLIC + "/console/welcome/")
    return urlsplit(link).path


def dead(live, path: str) -> bool:
    return "This link no longer works" in Browser(live.server.http).page(path)


async def test_an_invitation_is_mailed_and_its_link_brings_them_into_the_console(
        live_papo, worker, mailbox):
    owner, key, site_name = owner_of_a_new_site(live_papo)
    rita = unique("rita")
    page = await asyncio.to_thread(invite, owner, key, rita, "admin", 3)
    assert f"Invitation mailed to {rita}." in page
    assert rita in page and "/console/welcome/" not in page  # mailed: no link to copy
    (mail,) = await asyncio.to_thread(mailbox.wait_for, rita)
    assert mail.subject == f"You are invited to answer chats for {site_name}"
    assert "Olga invited you to" in mail.part("plain") and "as Admin" in mail.part("plain")
    path = link_in(mail)
    assert path in mail.part("html")
    # the invitee's browser: the link, then the form at a URL without the token
    newcomer = Browser(live_papo.server.http)
    form = await asyncio.to_thread(newcomer.page, path)
    assert f"You are invited to answer chats for {site_name}" in form
    set_password = path.rsplit("/", 2)[0] + "/set-password/"
    landed, app = await asyncio.to_thread(newcomer.submit, set_password, {
        "name": "Rita", "new_password1": "long-pass-4711", "new_password2": "long-pass-4711"})
    assert urlsplit(landed).path == "/console/" and 'data-ws-path="/ws/console/"' in app
    console = await live_papo.console({"session": newcomer.cookie("sessionid")})
    (site,) = console.welcome["sites"]
    assert (site["key"], site["role"], site["max_concurrent"]) == (key, "admin", 3)
    assert console.welcome["agent"]["name"] == "Rita"
    await console.close()
    assert await asyncio.to_thread(dead, live_papo, path)  # good once
    again = Browser(live_papo.server.http)
    await asyncio.to_thread(again.login, rita, "long-pass-4711")  # the address is the login


async def test_sending_again_and_revoking_end_the_links_mailed_before(
        live_papo, worker, mailbox):
    owner, key, _ = owner_of_a_new_site(live_papo)
    bo = unique("bo")
    await asyncio.to_thread(invite, owner, key, bo)
    (first,) = await asyncio.to_thread(mailbox.wait_for, bo)
    invite_id = live_papo.shell(
        f"from agents.models import Invite; print(Invite.objects.get(user__email={bo!r}).pk)")
    page = (await asyncio.to_thread(owner.submit,
                                    f"/console/sites/{key}/invites/{invite_id}/again/", {}))[1]
    assert "Sent again; the earlier link no longer works." in page
    _, second = await asyncio.to_thread(mailbox.wait_for, bo, 2)
    assert await asyncio.to_thread(dead, live_papo, link_in(first))
    assert not await asyncio.to_thread(dead, live_papo, link_in(second))
    page = (await asyncio.to_thread(owner.submit,
                                    f"/console/sites/{key}/invites/{invite_id}/revoke/", {}))[1]
    assert "Invitation revoked" in page and bo not in page
    assert await asyncio.to_thread(dead, live_papo, link_in(second))
    assert live_papo.shell("from django.contrib.auth.models import User; "
                           f"print(User.objects.filter(email={bo!r}).exists())") == "False"


async def test_someone_with_an_account_is_added_and_told(live_papo, worker, mailbox):
    owner, key, site_name = owner_of_a_new_site(live_papo)
    tom = unique("tom")
    other = live_papo.team("tom", email=tom)
    page = await asyncio.to_thread(invite, owner, key, tom.upper(), "agent", 2)
    assert f"{tom} had an account here: they are a member now, and were told by e-mail." in page
    (mail,) = await asyncio.to_thread(mailbox.wait_for, tom)
    assert mail.subject == f"You can now answer chats for {site_name}"
    assert f"{PUBLIC}/console/" in mail.part("plain")
    console = await live_papo.console(other.agents["tom"])
    assert sorted(s["key"] for s in console.welcome["sites"]) == sorted([key, other.site_key])
    await console.close()
