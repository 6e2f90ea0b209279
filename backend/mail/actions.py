"""What a visitor may ask of the mail: their own conversation's transcript."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from conversations.actions import current_conversation
from papo.errors import PapoError
from visitors.actions import do_update_visitor
from visitors.models import Visitor

from . import tasks
from .models import SentMail
from .sending import refusal


def do_request_transcript(visitor: Visitor, email: object = None) -> str:
    """Mail the visitor's current conversation to them (to ``email``, which becomes
    their address, or to the one they gave before); returns the address.

    Only the conversation's own content goes, only to the address the visitor
    gave, within the daily caps (``mail.sending``): a transcript is no way to
    mail strangers anything of one's choosing.
    """
    if not settings.PAPO_EMAIL_ENABLED:
        raise PapoError("mail_unavailable", "this site does not send e-mail")
    if email is not None:
        visitor = do_update_visitor(visitor, email=email)  # checks it is an address
    if not visitor.email:
        raise PapoError("invalid", "an e-mail address is needed")
    conv = current_conversation(visitor)
    if conv is None:
        raise PapoError("not_found", "no conversation yet")
    why = refusal(SentMail(site_id=conv.site_id, to=visitor.email.lower(),
                           kind=SentMail.Kind.TRANSCRIPT))
    if why:
        raise PapoError("mail_refused", f"not sent: {why}")
    with transaction.atomic():
        tasks.send_transcript.enqueue(conv.pk, visitor.email)
    return visitor.email
