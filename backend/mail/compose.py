"""A Papo mail: plain text and HTML, in the reader's language, with the headers
that let them unsubscribe in one click (RFC 2369, RFC 8058)."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from conversations.models import Conversation, Message
from sites.models import Site

from . import links, wording

# The languages mails are written in (backend/locale): the widget's, so a visitor
# reads a mail in the language they chatted in.
LANGUAGES = {"pt": "pt-br", "es": "es", "en": "en"}


def language_for(locale: str, site: Site) -> str:
    """The reader's language, if Papo's mails speak it, else the site's, else English."""
    for candidate in (locale or "", site.default_locale or ""):
        code = LANGUAGES.get(candidate.lower().replace("_", "-").split("-")[0])
        if code:
            return code
    return "en"


def sender(site: Site) -> str:
    """``"<site name>" <papo's address>``: readers see whose chat it is; the address
    stays the deployment's own (a site name is not an address anyone can claim)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    display = " ".join(site.name.split())[:70] or name
    return formataddr((display, address))


def thread(conv: Conversation, *, notes: bool = False) -> list[dict]:
    """The conversation's messages as the mail shows them (notes only to the site)."""
    rows = conv.messages.select_related("agent").order_by("seq")
    if not notes:
        rows = rows.filter(internal=False)
    out = []
    for m in rows:
        if m.author == Message.Author.SYSTEM:
            out.append({"system": wording.event(m.event, m.data), "at": m.created_at})
        else:
            who = (m.agent.get_full_name() or m.agent.get_username()) if m.agent else (
                conv.visitor.name or wording.visitor())
            out.append({"who": who, "body": m.body, "at": m.created_at,
                        "agent": m.author == Message.Author.AGENT, "note": m.internal})
    return out


def build(*, kind: str, site: Site, to: str, language: str, context: dict,
          unsubscribe: bool = True, reply_to: str = "") -> EmailMultiAlternatives:
    """Render ``mail/<kind>.txt`` and ``.html`` in ``language`` into one message."""
    with translation.override(language):
        context = {**context, "site": site, "language": language}
        if unsubscribe:
            context["unsubscribe_url"] = links.unsubscribe_url(site.pk, to)
        subject = " ".join(render_to_string(f"mail/{kind}.subject.txt", context).split())
        text = render_to_string(f"mail/{kind}.txt", context)
        html = render_to_string(f"mail/{kind}.html", context)
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject=subject[:200], body=text, from_email=sender(site),
                                     to=[to], headers=headers,
                                     reply_to=[reply_to] if reply_to else None)
    message.attach_alternative(html, "text/html")
    return message
