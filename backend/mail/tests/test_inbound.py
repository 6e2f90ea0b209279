"""Replies by e-mail, in-process: real MIME posted to the endpoint as a mail server would.

(Over a real daphne, with the reply address taken from a real follow-up mail:
test_live_mail.py::test_a_visitor_answers_the_mail_and_the_agent_sees_it_live.)
"""

from __future__ import annotations

import hashlib
import hmac
from email.message import EmailMessage

import pytest

from conversations import actions
from conversations.models import Conversation, Message
from mail import inbound

pytestmark = pytest.mark.django_db
SECRET = "inbound-secret-for-tests"


@pytest.fixture(autouse=True)
def inbound_on(settings):
    settings.PAPO_INBOUND_DOMAIN = "replies.papo.test"
    settings.PAPO_INBOUND_SECRET = SECRET


@pytest.fixture
def conv(make_site, make_agent, make_visitor):
    site = make_site()
    agent = make_agent(site, "Ana")
    visitor = make_visitor(site, name="Rita", email="Rita@Example.com")
    ack = actions.do_visitor_send(visitor, "c-1", "Where is my order?")
    actions.do_agent_send(agent, ack.conversation, "c-2", "It left today.")
    return Conversation.objects.select_related("visitor", "site").get(pk=ack.conversation)


def reply(to: str, *, sender: str = "rita@example.com", text: str | None = None,
          html: str | None = None, message_id: str = "<r1@mail.example>") -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = f"Rita <{sender}>", to, "Re: You have a reply"
    m["Message-ID"] = message_id
    if text is not None:
        m.set_content(text)
    if html is not None:
        if text is None:
            m.set_content(html, subtype="html")
        else:
            m.add_alternative(html, subtype="html")
    return bytes(m)


def post(client, raw: bytes, secret: str | None = SECRET):
    headers = {}
    if secret is not None:
        sig = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        headers["HTTP_X_PAPO_SIGNATURE"] = f"sha256={sig}"
    return client.post("/mail/inbound/", raw, content_type="message/rfc822", **headers)


def visitor_bodies(conv) -> list[str]:
    return list(Message.objects.filter(conversation__visitor=conv.visitor, author="visitor")
                .order_by("conversation_id", "seq").values_list("body", flat=True))


def test_a_reply_lands_in_the_chat_once_without_the_quote(client, conv):
    address = inbound.reply_address(conv)
    assert address.startswith(f"reply+{conv.pk}-") and len(address.split("@")[0]) <= 64
    raw = reply(address, text="Thanks! Can it come by Friday?\n\nOn Mon, Ana wrote:\n"
                              "> It left today.\n")
    answer = post(client, raw)
    assert answer.status_code == 200 and answer.json() == {"stored": True, "reason": ""}
    assert post(client, raw).json() == {"stored": True, "reason": "duplicate"}
    assert visitor_bodies(conv) == ["Where is my order?", "Thanks! Can it come by Friday?"]


@pytest.mark.parametrize("secret", [None, "a-wrong-secret"])
def test_unsigned_or_forged_posts_are_refused(client, conv, secret):
    raw = reply(inbound.reply_address(conv), text="let me in")
    assert post(client, raw, secret).status_code == 403
    assert visitor_bodies(conv) == ["Where is my order?"]


def test_only_the_visitors_own_address_may_answer(client, conv):
    raw = reply(inbound.reply_address(conv), sender="someone@else.example", text="hi")
    assert post(client, raw).json() == {"stored": False,
                                        "reason": "not from the visitor's address"}
    made_up = f"reply+{conv.pk}-{'0' * 20}@replies.papo.test"
    assert post(client, reply(made_up, text="hi")).json()["stored"] is False
    assert visitor_bodies(conv) == ["Where is my order?"]


def test_html_only_and_other_languages_keep_only_the_new_text(client, conv):
    address = inbound.reply_address(conv)
    html = ("<div>Obrigada!<br>Chega sexta?</div><blockquote>It left today.</blockquote>")
    post(client, reply(address, html=html, message_id="<h1@x>"))
    post(client, reply(address, text="Sí, gracias.\nEl lun., Ana escribió:\n> It left",
                       message_id="<h2@x>"))
    assert visitor_bodies(conv)[1:] == ["Obrigada!\nChega sexta?", "Sí, gracias."]


def test_a_reply_to_a_resolved_chat_opens_a_new_one(client, conv):
    actions.do_resolve(conv.assignee, conv.pk)
    post(client, reply(inbound.reply_address(conv), text="One more thing"))
    latest = Conversation.objects.filter(visitor=conv.visitor).order_by("-pk").first()
    assert latest.pk != conv.pk and latest.status != "resolved"  # routed like any new chat
    assert latest.messages.get(seq=1).body == "One more thing"
