"""The rules of mail, in-process: caps, opt-outs, the links, the unsubscribe page,
and what a message looks like (the whole path, on a real SMTP server:
test_live_mail.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from conversations import actions
from mail import compose, links, sending
from mail.models import ContinueLink, OptOut, SentMail
from papo.errors import PapoError

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(make_site, make_agent, make_visitor):
    site = make_site(notify_email="desk@shop.example")
    agent = make_agent(site, "Ana")
    visitor = make_visitor(site, name="Rita", email="rita@example.com",
                           page_url="https://shop.example/cart", locale="es")
    ack = actions.do_visitor_send(visitor, "c-1", "¿Dónde está mi pedido? <b>",)
    actions.do_agent_send(agent, ack.conversation, "c-2", "Ya salió.")
    from conversations.models import Conversation

    return Conversation.objects.select_related("site", "visitor").get(pk=ack.conversation)


def claim(conv, to: str, key: str) -> SentMail:
    assert sending.claim(key, kind=SentMail.Kind.TRANSCRIPT, site_id=conv.site_id, to=to,
                         conversation_id=conv.pk)
    return SentMail.objects.get(key=key)


def test_a_mail_is_claimed_once(chat):
    claim(chat, "rita@example.com", "k1")
    assert not sending.claim("k1", kind=SentMail.Kind.TRANSCRIPT, site_id=chat.site_id,
                             to="rita@example.com")


def test_caps_and_opt_outs_refuse_and_say_why(chat, settings):
    settings.PAPO = {**settings.PAPO, "MAIL_PER_ADDRESS_PER_DAY": 2, "MAIL_PER_SITE_PER_DAY": 3}
    for i in range(2):
        SentMail.objects.filter(pk=claim(chat, "rita@example.com", f"a{i}").pk).update(
            status=SentMail.Status.SENT)
    assert "address had its mails" in sending.refusal(claim(chat, "rita@example.com", "a2"))
    yesterday = timezone.now() - timedelta(days=1, minutes=1)
    SentMail.objects.filter(key__in=["a0", "a1"]).update(created_at=yesterday)
    assert sending.refusal(SentMail.objects.get(key="a2")) == ""  # a day later
    for i in range(3):
        SentMail.objects.filter(pk=claim(chat, f"x{i}@example.com", f"s{i}").pk).update(
            status=SentMail.Status.SENT)
    assert "site had its mails" in sending.refusal(claim(chat, "new@example.com", "s3"))
    OptOut.objects.create(site=chat.site, email="out@example.com")
    assert sending.refusal(claim(chat, "OUT@example.com", "o1")) == "the address unsubscribed"
    settings.PAPO_EMAIL_ENABLED = False
    assert sending.refusal(claim(chat, "rita@example.com", "d1")) == "mail is not configured"


def test_a_continue_link_works_once_before_it_expires_on_its_own_site(chat, make_site):
    url = links.continue_url(chat)
    assert url.startswith("https://shop.example/cart#papo-continue=")
    nonce = url.split("=", 1)[1]
    assert len(nonce) >= 43  # 256 random bits
    other = make_site("Other", "https://other.example")
    with pytest.raises(PapoError) as err:
        links.redeem(other, nonce)
    assert err.value.code == "link_invalid"
    continued = links.redeem(chat.site, nonce)
    assert continued.conversation == chat.pk
    with pytest.raises(PapoError) as err:
        links.redeem(chat.site, nonce)
    assert err.value.code == "link_used"
    stale = links.continue_url(chat).split("=", 1)[1]
    ContinueLink.objects.filter(nonce=stale).update(expires_at=timezone.now())
    with pytest.raises(PapoError) as err:
        links.redeem(chat.site, stale)
    assert err.value.code == "link_expired"
    for bad in (None, 7, "short", "x" * 80):
        with pytest.raises(PapoError):
            links.redeem(chat.site, bad)


def test_a_continue_link_opens_the_visitors_page_only_on_an_allowed_origin(chat):
    chat.visitor.page_url = "https://evil.example/phish"
    assert links.page_of(chat) == "https://shop.example/"


def test_the_unsubscribe_link_is_signed_and_one_click(client, chat):
    url = links.unsubscribe_url(chat.site_id, "Rita@Example.com")
    path = urlsplit(url).path
    assert client.get(path).status_code == 200
    assert not OptOut.objects.exists()  # a GET (a link scanner) changes nothing
    assert client.post(path).status_code == 200
    assert OptOut.objects.get().email == "rita@example.com"
    assert client.post(path).status_code == 200  # twice is fine
    assert client.post(path[:-5] + "xxxx/").status_code == 404  # forged


def test_a_mail_has_both_parts_the_readers_language_and_the_unsubscribe_headers(chat):
    message = compose.build(
        kind="transcript", site=chat.site, to="rita@example.com",
        language=compose.language_for(chat.visitor.locale, chat.site),
        context={"messages": compose.thread(chat)})
    assert "Tu conversación" in message.subject  # the visitor's es
    assert "¿Dónde está mi pedido? <b>" in message.body  # text: as typed
    html = message.alternatives[0][0]
    assert "¿Dónde está mi pedido? &lt;b&gt;" in html  # HTML: escaped
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert compose.language_for("de-DE", chat.site) == "en"  # not spoken: the site's
