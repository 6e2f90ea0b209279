"""Replies by e-mail: a visitor answers a Papo mail and the answer lands in their chat.

Mails to a visitor carry ``Reply-To: reply+<conversation>-<HMAC>@<PAPO_INBOUND_DOMAIN>``
(80 bits of HMAC under SECRET_KEY), so an address cannot be made up.
The operator's mail server (or mail provider) posts each message for that
domain, as raw MIME, to ``POST /mail/inbound/`` with
``X-Papo-Signature: sha256=<HMAC-SHA256 of the body with PAPO_INBOUND_SECRET>``;
an unsigned or wrongly signed post is refused. django-anymail parses the MIME
(``AnymailInboundMessage``: any charset, multipart, HTML-only), so every
provider's format comes down to one. A reply is taken only when it is
addressed to a valid token *and* comes from the address that conversation's
visitor gave (a forwarded mail, or a stranger who saw the address, is not
them); its new text (quoted history cut off) becomes the visitor's message,
stored once per Message-ID.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.utils.crypto import salted_hmac

from conversations import actions
from conversations.models import Conversation
from papo.errors import PapoError

log = logging.getLogger("papo.mail")

SALT = "papo.mail.reply"
ADDRESS = re.compile(r"^reply\+(?P<conv>\d{1,18})-(?P<sig>[0-9a-f]{20})@(?P<domain>.+)$", re.I)


def enabled() -> bool:
    return bool(settings.PAPO_INBOUND_DOMAIN and settings.PAPO_INBOUND_SECRET)


def _sign(conv_id: int) -> str:
    """80 bits of HMAC: short enough for an address's local part (64 characters)."""
    return salted_hmac(SALT, str(conv_id), algorithm="sha256").hexdigest()[:20]


def reply_address(conv: Conversation) -> str:
    """Where a reply to a mail about ``conv`` goes ("" without inbound mail)."""
    if not enabled():
        return ""
    return f"reply+{conv.pk}-{_sign(conv.pk)}@{settings.PAPO_INBOUND_DOMAIN}"


def signature_ok(body: bytes, header: str | None) -> bool:
    if not enabled() or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(settings.PAPO_INBOUND_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@dataclass(frozen=True)
class Taken:
    stored: bool
    reason: str = ""
    conversation: int | None = None


def take(raw: bytes) -> Taken:
    """Store the reply in ``raw`` (a signed post's MIME) as the visitor's message."""
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
    conv = _addressed(message)
    if conv is None:
        return Taken(False, "not addressed to a Papo reply address")
    sender = message.from_email
    sender = getattr(sender, "addr_spec", "") if not isinstance(sender, list) else ""
    if not sender or sender.lower() != conv.visitor.email.lower():
        log.info("reply to conversation %s from %r ignored: not the visitor's address",
                 conv.pk, sender)
        return Taken(False, "not from the visitor's address", conv.pk)
    text = new_text(message.text or _html_text(message.html or ""))
    if not text:
        return Taken(False, "no text", conv.pk)
    message_id = str(message["Message-ID"] or "") or hashlib.sha256(raw).hexdigest()
    client_id = "mail-" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
    body = text[: settings.PAPO["MAX_BODY_CHARS"]]
    try:
        ack = actions.do_visitor_send(conv.visitor, client_id, body)
    except PapoError as exc:
        return Taken(False, exc.message, conv.pk)
    return Taken(True, "duplicate" if ack.duplicate else "", ack.conversation)


def _addressed(message: AnymailInboundMessage) -> Conversation | None:
    candidates = [*message.to, *message.cc]
    for header in ("Delivered-To", "X-Original-To", "Envelope-To"):
        if message[header]:
            candidates += message.get_address_header(header)
    for address in candidates:
        match = ADDRESS.match(getattr(address, "addr_spec", "") or "")
        if not match or match["domain"].lower() != settings.PAPO_INBOUND_DOMAIN.lower():
            continue
        if not hmac.compare_digest(_sign(int(match["conv"])), match["sig"].lower()):
            continue
        conv = (Conversation.objects.select_related("visitor", "site")
                .filter(pk=int(match["conv"])).first())
        if conv is not None:
            return conv
    return None


# A reply quotes what it answers; only what is above the quote is new.
_QUOTE_STARTS = [
    re.compile(r"^\s*On .{3,200}wrote:\s*$", re.I),  # Gmail, Apple Mail (en)
    re.compile(r"^\s*Em .{3,200}escreveu:\s*$", re.I),  # pt
    re.compile(r"^\s*El .{3,200}escribi[óo]:\s*$", re.I),  # es
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule
    re.compile(r"^\s*From:\s.+", re.I),  # Outlook's header block
    re.compile(r"^\s*De:\s.+", re.I),
]


def new_text(text: str) -> str:
    """The part of a reply above its quote of the mail it answers."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(">") or any(p.match(line) for p in _QUOTE_STARTS):
            break
        kept.append(line)
    return "\n".join(kept).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("style", "script", "blockquote"):
            self.skip += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in ("style", "script", "blockquote") and self.skip:
            self.skip -= 1

    def handle_data(self, data) -> None:
        if not self.skip:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts))
