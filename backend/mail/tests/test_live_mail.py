"""The mails, for real: a daphne, a ``papo_worker`` process and an SMTP server on a
local port, on both stacks.

Each test chats over real sockets, lets the worker's sweep find what is due
(time is moved on by backdating rows in the server's own database, never by
sleeping for minutes) and reads what arrived at the SMTP server: recipients,
subject, both parts, the links, and that following the links works.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest

from papo.testing.client import client_id
from papo.testing.mail_fixtures import mail_fixtures
from papo.testing.smtp import Mailbox, mail_env
from papo.testing.worker import Worker

pytestmark = [pytest.mark.live]

MAILBOX = Mailbox()  # its port is chosen now: the servers' environment names it
PUBLIC = "http://papo.test"  # what the mails' links start with (PAPO_PUBLIC_URL)
INBOUND_SECRET = "live-inbound-secret"
LIVE_ENV = mail_env(MAILBOX, PUBLIC, PAPO_INBOUND_DOMAIN="replies.papo.test",
                    PAPO_INBOUND_SECRET=INBOUND_SECRET, PAPO_MAIL_PER_ADDRESS_PER_DAY="4")

mailbox, worker = mail_fixtures(MAILBOX, LIVE_ENV)


def http(live, url: str, method: str = "GET", body: bytes | None = None,
         headers: dict | None = None) -> tuple[int, str]:
    """``url`` from a mail (it names PAPO_PUBLIC_URL) asked of the live server."""
    parts = urlsplit(url)
    req = urllib.request.Request(f"{live.server.http}{parts.path}"
                                 + (f"?{parts.query}" if parts.query else ""),
                                 data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def unique(address: str) -> str:
    """A fresh address for one test (both stacks' runs share the mailbox)."""
    name, domain = address.split("@")
    return f"{name}-{uuid.uuid4().hex[:6]}@{domain}"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


async def test_a_chat_nobody_answered_is_mailed_to_the_site(live_papo, worker, mailbox):
    desk = unique("desk@shop.test")
    team = live_papo.team("ana", site_fields={"notify_email": desk})
    visitor, _ = await live_papo.visitor(team.site_key)
    await visitor.request({"type": "profile", "name": "Rita", "email": "rita@example.com"})
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "Is my order <b>shipped</b>?"}))["conversation"]
    live_papo.backdate(conv, 10)  # agents online, nobody answered for ten minutes
    (mail,) = await asyncio.to_thread(mailbox.wait_for, desk)
    assert "Rita" in mail.subject and "Unanswered" in mail.subject
    assert mail.message["From"].addresses[0].addr_spec == "papo@papo.test"
    text, html = mail.part("plain"), mail.part("html")
    assert "Is my order <b>shipped</b>?" in text  # plain text is not escaped
    assert "Is my order &lt;b&gt;shipped&lt;/b&gt;?" in html  # the HTML part is
    assert "rita@example.com" in text
    console = next(u for u in links_in(text) if "/console/" in u)
    assert console.startswith(PUBLIC) and f"conversation={conv}" in console
    status, _ = await asyncio.to_thread(http, live_papo, console)
    assert status == 302  # the console, behind its login
    await asyncio.sleep(1.5)  # the sweep runs again and again: still one mail
    assert len(mailbox.to(desk)) == 1
    await visitor.close()


async def test_a_reply_the_visitor_did_not_see_is_mailed_with_a_link_to_continue(
        live_papo, worker, mailbox):
    team = live_papo.team("ana", site_fields={"followup_minutes": 5})
    joao = unique("joao@example.com")
    visitor, welcome = await live_papo.visitor(team.site_key, locale="pt-BR")
    await visitor.request({"type": "profile", "email": joao})
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "Olá?"}))["conversation"]
    await visitor.close()  # gone before the answer
    ana = await live_papo.console(team.agents["ana"])
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "Seu pedido saiu hoje."})
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "an internal note", "internal": True})
    live_papo.backdate(conv, 6)
    (mail,) = await asyncio.to_thread(mailbox.wait_for, joao)
    assert "resposta" in mail.subject  # the visitor's language
    text = mail.part("plain")
    assert "Seu pedido saiu hoje." in text and "internal note" not in text
    unsubscribe = str(mail.message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith(PUBLIC)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    go_on = next(u for u in links_in(text) if "#papo-continue=" in u)
    assert go_on.startswith(live_papo.host.origin)  # the site's own page, where the widget is
    nonce = go_on.split("#papo-continue=", 1)[1]

    # On another device: the link gives this browser the visitor's token, once.
    def redeem(origin: str) -> tuple[int, str]:
        return http(live_papo, f"/api/widget/{team.site_key}/continue", "POST",
                    json.dumps({"link": nonce}).encode(), {"Origin": origin,
                                                            "Content-Type": "application/json"})

    status, _ = await asyncio.to_thread(redeem, "https://evil.example")
    assert status == 403  # only from the site's own pages
    status, body = await asyncio.to_thread(redeem, live_papo.host.origin)
    assert status == 200
    token = json.loads(body)["token"]
    phone, again = await live_papo.visitor(team.site_key, token=token)
    assert again["visitor"]["id"] == welcome["visitor"]["id"]
    assert again["conversation"]["id"] == conv
    assert "Seu pedido saiu hoje." in [m["body"] for m in again["messages"]]
    status, body = await asyncio.to_thread(redeem, live_papo.host.origin)
    assert (status, json.loads(body)["error"]) == (410, "link_used")

    # One click unsubscribes; the next unseen reply is not mailed.
    status, _ = await asyncio.to_thread(http, live_papo, unsubscribe, "POST", b"")
    assert status == 200
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "Mais alguma coisa?"})
    await phone.close()
    live_papo.backdate(conv, 6)
    await asyncio.sleep(2)
    assert len(mailbox.to(joao)) == 1
    skipped = live_papo.shell(f"""
from mail.models import SentMail
print(list(SentMail.objects.filter(conversation_id={conv}, kind="followup")
           .values_list("status", "reason")))""")
    assert "the address unsubscribed" in skipped
    await ana.close()


async def test_a_transcript_goes_to_the_visitor_within_the_daily_cap(live_papo, worker,
                                                                      mailbox):
    team = live_papo.team("ana")
    visitor, _ = await live_papo.visitor(team.site_key)
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "Please send me this"}))["conversation"]
    ana = await live_papo.console(team.agents["ana"])
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "Here you go", })
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "SECRET NOTE", "internal": True})
    lee = unique("lee@example.com")
    sent = await visitor.request({"type": "transcript", "email": lee})
    assert sent == {"type": "transcript", "ref": sent["ref"], "to": lee}
    (mail,) = await asyncio.to_thread(mailbox.wait_for, lee)
    text = mail.part("plain")
    assert "Please send me this" in text and "Here you go" in text
    assert "SECRET NOTE" not in text and "SECRET NOTE" not in mail.part("html")
    # the cap: 4 a day for one address (this test's setting)
    for _ in range(3):
        await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                           "body": "one more line"})  # each transcript differs
        assert (await visitor.request({"type": "transcript"}))["type"] == "transcript"
        await asyncio.to_thread(mailbox.wait_for, lee, len(mailbox.to(lee)) + 1)
    refused = await visitor.request({"type": "transcript"})
    assert (refused["type"], refused["code"]) == ("error", "mail_refused")
    assert "for the day" in refused["message"]
    for peer in (ana, visitor):
        await peer.close()


async def test_a_worker_killed_mid_send_is_replaced_and_the_mail_still_goes(
        live_papo, worker, mailbox):
    """The mail server holds the message; the worker sending it is killed (SIGKILL:
    no clean-up); another worker finds the task stranded and sends it: one mail."""
    team = live_papo.team("ana")
    visitor, _ = await live_papo.visitor(team.site_key)
    await visitor.request({"type": "send", "client_id": client_id(), "body": "hello"})
    kim = unique("kim@example.com")
    held = mailbox.held
    mailbox.stall()
    try:
        await visitor.request({"type": "transcript", "email": kim})
        for _ in range(100):
            if mailbox.held > held:
                break
            await asyncio.sleep(0.1)
        assert mailbox.held > held, "the send never reached the mail server"
        worker.kill()
    finally:
        mailbox.release()
    await asyncio.sleep(0.5)
    assert mailbox.to(kim) == []  # the dead worker's connection went with it
    replacement = Worker(live_papo.stack, LIVE_ENV, name="replacement").start()
    try:
        (mail,) = await asyncio.to_thread(mailbox.wait_for, kim, 1, 30)
        assert "hello" in mail.part("plain")
        assert "back in the queue" in replacement.log()
        await asyncio.sleep(1)
        assert len(mailbox.to(kim)) == 1
    finally:
        replacement.stop()
        worker.start()  # the module's worker, for the tests after this one
    await visitor.close()


async def test_a_visitor_answers_the_mail_and_the_agent_sees_it_live(live_papo, worker,
                                                                     mailbox):
    """The follow-up mail answers to a reply address; the visitor's mail client
    replies, the mail server posts it (signed), and it is in the chat, live."""
    import hashlib
    import hmac
    from email.message import EmailMessage

    team = live_papo.team("ana", site_fields={"followup_minutes": 5})
    mia = unique("mia@example.com")
    visitor, _ = await live_papo.visitor(team.site_key)
    await visitor.request({"type": "profile", "email": mia})
    conv = (await visitor.request({"type": "send", "client_id": client_id(),
                                   "body": "Hello?"}))["conversation"]
    await visitor.close()
    ana = await live_papo.console(team.agents["ana"])
    await ana.request({"type": "open", "conversation": conv})
    await ana.request({"type": "send", "conversation": conv, "client_id": client_id(),
                       "body": "We can help: which size?"})
    live_papo.backdate(conv, 6)
    (mail,) = await asyncio.to_thread(mailbox.wait_for, mia)
    reply_to = mail.message["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith(f"reply+{conv}-") and reply_to.endswith("@replies.papo.test")

    answer = EmailMessage()
    answer["From"], answer["To"], answer["Subject"] = mia, reply_to, "Re: " + mail.subject
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@mail.example>"
    answer.set_content("Size M, please.\n\nOn Monday, Team wrote:\n> We can help: which size?")
    raw = bytes(answer)
    signature = "sha256=" + hmac.new(INBOUND_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    status, body = await asyncio.to_thread(
        http, live_papo, "/mail/inbound/", "POST", raw,
        {"X-Papo-Signature": signature, "Content-Type": "message/rfc822"})
    assert (status, json.loads(body)["stored"]) == (200, True)
    heard = await ana.expect("message", author="visitor", body="Size M, please.")
    assert heard["message"]["conversation"] == conv
    status, _ = await asyncio.to_thread(http, live_papo, "/mail/inbound/", "POST", raw,
                                        {"Content-Type": "message/rfc822"})
    assert status == 403  # unsigned
    await ana.close()
