"""The links Papo's mails carry: unsubscribe, and "continue the chat".

An unsubscribe link is signed (site and address), so anyone holding the mail
can stop that site's mails to that address, and nobody can forge one for
another address. A continue link opens one visitor's conversation in the
widget on any device, with no login: its nonce is 256 random bits, stored,
good once (``redeem``), for ``PAPO["CONTINUE_LINK_DAYS"]``, and only on the
site it was made for; a used, expired or foreign one is refused with a reason
the widget can show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from papo.errors import PapoError
from sites.models import Site
from sites.origins import normalize_origin
from visitors.tokens import make_token

from .models import ContinueLink

UNSUBSCRIBE_SALT = "papo.mail.unsubscribe"
FRAGMENT = "papo-continue"


def absolute(path: str) -> str:
    return settings.PAPO_PUBLIC_URL.rstrip("/") + path


def unsubscribe_url(site_id: int, email: str) -> str:
    token = signing.dumps({"s": site_id, "e": email.lower()}, salt=UNSUBSCRIBE_SALT,
                          compress=True)
    return absolute(reverse("mail:unsubscribe", args=[token]))


def read_unsubscribe(token: str) -> tuple[int, str]:
    """(site id, address) of an unsubscribe token; ``signing.BadSignature`` if forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["s"]), str(data["e"])


def page_of(conv: Conversation) -> str:
    """Where the widget runs for this visitor: their last page when it is on one of
    the site's allowed origins, else the site's first origin."""
    origins = sorted(conv.site.origin_list)
    page = conv.visitor.page_url
    if page:
        try:
            parts = urlsplit(page)
            if normalize_origin(f"{parts.scheme}://{parts.netloc}") in conv.site.origin_list:
                return page.split("#", 1)[0]
        except ValueError:
            pass
    return (origins[0] + "/") if origins else ""


def continue_url(conv: Conversation) -> str:
    """A new continue link for ``conv``'s visitor (stored, good once); "" when the
    site has no origin to open the widget on."""
    page = page_of(conv)
    if not page:
        return ""
    link = ContinueLink.objects.create(
        nonce=secrets.token_urlsafe(32), site_id=conv.site_id, visitor_id=conv.visitor_id,
        conversation=conv,
        expires_at=timezone.now() + timedelta(days=settings.PAPO["CONTINUE_LINK_DAYS"]))
    return f"{page}#{FRAGMENT}={link.nonce}"


@dataclass(frozen=True)
class Continued:
    token: str  # the visitor's widget token
    conversation: int


def redeem(site: Site, nonce: object) -> Continued:
    """Use a continue link once: the visitor's token for the widget to keep."""
    if not isinstance(nonce, str) or not (20 <= len(nonce) <= 64):
        raise PapoError("link_invalid", "this link is not a Papo link")
    with transaction.atomic():
        link = (ContinueLink.objects.select_for_update().select_related("visitor")
                .filter(nonce=nonce, site=site).first())
        if link is None:
            raise PapoError("link_invalid", "this link is not for this site")
        if link.used_at is not None:
            raise PapoError("link_used", "this link was used already; write to us again here")
        if link.expires_at <= timezone.now():
            raise PapoError("link_expired", "this link has expired; write to us again here")
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return Continued(make_token(site.pk, link.visitor.public_id), link.conversation_id)
