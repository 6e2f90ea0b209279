"""Sending one mail, once, within the caps, never to an address that opted out.

The rule against abuse (docs/security.md): an address a visitor typed into a
widget must not become a way to mail strangers. So a visitor-typed address
gets only mail about its own conversation (a reply to it, its transcript),
at most ``PAPO["MAIL_PER_ADDRESS_PER_DAY"]`` a day, every site at most
``PAPO["MAIL_PER_SITE_PER_DAY"]`` a day, each with a one-click unsubscribe
that is honoured for that site from then on. What is not sent is recorded
with its reason, so the caps and the opt-outs can be seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OptOut, SentMail

log = logging.getLogger("papo.mail")


def claim(key: str, *, kind: str, site_id: int, to: str,
          conversation_id: int | None = None) -> bool:
    """Record that the mail ``key`` is due; False if it was recorded already (the
    sweep that found it runs again every few seconds, and a task may run twice)."""
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key, kind=kind, site_id=site_id, to=to.lower(),
                                    conversation_id=conversation_id)
    except IntegrityError:
        return False
    return True


def refusal(row: SentMail) -> str:
    """Why ``row`` must not be sent now ("" if it may)."""
    if not settings.PAPO_EMAIL_ENABLED:
        return "mail is not configured"
    if OptOut.objects.filter(site_id=row.site_id, email__iexact=row.to).exists():
        return "the address unsubscribed"
    day = timezone.now() - timedelta(days=1)
    sent = SentMail.objects.filter(status=SentMail.Status.SENT, created_at__gte=day)
    if sent.filter(to=row.to).count() >= settings.PAPO["MAIL_PER_ADDRESS_PER_DAY"]:
        return "the address had its mails for the day"
    if sent.filter(site_id=row.site_id).count() >= settings.PAPO["MAIL_PER_SITE_PER_DAY"]:
        return "the site had its mails for the day"
    return ""


def send(key: str, build: Callable[[SentMail], EmailMultiAlternatives | None]) -> str:
    """Send the claimed mail ``key`` unless it went already or must not go; returns
    its status. ``build`` may answer None: what the mail was about is gone (an
    invitation revoked). A failure to reach the mail server raises (the task retries)."""
    row = SentMail.objects.get(key=key)
    if row.status != SentMail.Status.PENDING:
        return row.status
    reason = refusal(row)
    if reason:
        SentMail.objects.filter(pk=row.pk).update(status=SentMail.Status.SKIPPED,
                                                  reason=reason)
        log.info("mail %s to %s not sent: %s", key, row.to, reason)
        return SentMail.Status.SKIPPED
    message = build(row)
    if message is None:
        SentMail.objects.filter(pk=row.pk).update(status=SentMail.Status.SKIPPED,
                                                  reason="no longer due")
        return SentMail.Status.SKIPPED
    message.send()
    SentMail.objects.filter(pk=row.pk).update(status=SentMail.Status.SENT)
    log.info("mail %s sent to %s", key, row.to)
    return SentMail.Status.SENT
