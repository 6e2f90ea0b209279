"""The mails, as background tasks (run by ``manage.py papo_worker``).

``sweep`` runs every ``PAPO["PERIODIC_TASKS"]["mail.tasks.sweep"]`` seconds
(worker/schedule.py) and finds what is due, by looking at the conversations
rather than by hooks in the hot path of every message:

- **unanswered**: a chat nobody answered goes to the site's notification
  address (else its admins): after a minute when no agent was there to
  answer (a left message: the site closed, or nobody online), after
  ``PAPO["UNANSWERED_MINUTES"]`` otherwise (a missed chat, the visitor's
  abandoned place in the queue included);
- **followup**: an agent's reply the visitor has not read after the site's
  ``followup_minutes`` goes to the visitor's e-mail, with a link to continue;
- **site_transcript**: a resolved chat of a site that wants transcripts.

Each due mail is claimed once under a key (``mail.sending.claim``) and sent
by ``deliver`` in a task of its own, so one unreachable mail server or bad
address delays only its own mail; a failure is retried with backoff.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from agents import invite_tokens
from agents.availability import for_widgets
from agents.models import MANAGERS, Invite, Membership
from conversations.models import Conversation, Message
from sites.models import Site

from . import compose, inbound, links, sending
from .models import SentMail

log = logging.getLogger("papo.mail")

RECENT = timedelta(days=2)  # older chats are not swept again
RETRIES = (10, 60, 300, 1800, 7200)  # seconds before each retry of an unreachable server


@task(queue_name="mail")
def sweep() -> int:
    """Find every mail that is due and hand each to ``deliver``; returns how many."""
    if not settings.PAPO_EMAIL_ENABLED:
        return 0
    due = [*_unanswered(), *_followups(), *_site_transcripts()]
    for key in due:
        deliver.enqueue(key)
    return len(due)


@task(queue_name="mail")
def deliver(key: str, attempt: int = 0) -> str:
    try:
        return sending.send(key, _BUILDERS[SentMail.objects.get(key=key).kind])
    except (smtplib.SMTPException, OSError) as exc:
        if attempt >= len(RETRIES):
            SentMail.objects.filter(key=key).update(status=SentMail.Status.SKIPPED,
                                                    reason=f"mail server: {exc!r}"[:200])
            log.warning("mail %s given up after %d tries: %r", key, attempt + 1, exc)
            return SentMail.Status.SKIPPED
        log.info("mail %s not sent (%r); again in %d s", key, exc, RETRIES[attempt])
        deliver.using(run_after=timezone.now() + timedelta(seconds=RETRIES[attempt])).enqueue(
            key, attempt + 1)
        return SentMail.Status.PENDING


@task(queue_name="mail")
def send_transcript(conversation_id: int, to: str) -> str:
    """The visitor asked for their transcript (``mail.actions.request_transcript``)."""
    conv = Conversation.objects.select_related("site").get(pk=conversation_id)
    key = f"transcript:{conv.pk}:{conv.last_seq}:{to.lower()}"
    sending.claim(key, kind=SentMail.Kind.TRANSCRIPT, site_id=conv.site_id, to=to,
                  conversation_id=conv.pk)
    return deliver.call(key)


# --- what is due ------------------------------------------------------------------------------
def _site_addresses(site) -> list[str]:
    if site.notify_email:
        return [site.notify_email]
    return sorted({m.user.email for m in Membership.objects.filter(
        site=site, role__in=MANAGERS, user__is_active=True).select_related("user")
        if m.user.email})


def _unanswered() -> list[str]:
    now = timezone.now()
    settle = timedelta(minutes=1)
    missed = timedelta(minutes=settings.PAPO["UNANSWERED_MINUTES"])
    done = set(SentMail.objects.filter(kind=SentMail.Kind.UNANSWERED, created_at__gte=now - RECENT)
               .values_list("conversation_id", flat=True))
    due = []
    for conv in (Conversation.objects.filter(first_agent_reply_at__isnull=True,
                                             created_at__gte=now - RECENT,
                                             created_at__lte=now - settle)
                 .exclude(pk__in=done).select_related("site")):
        nobody = conv.left_message or not for_widgets(conv.site).agents_online
        if not nobody and conv.created_at > now - missed:
            continue  # someone may still answer
        if conv.messages.filter(event="resolved").exists():
            continue  # an agent closed it without a word: their call, not a missed chat
        for to in _site_addresses(conv.site):
            key = f"unanswered:{conv.pk}:{to.lower()}"
            if sending.claim(key, kind=SentMail.Kind.UNANSWERED, site_id=conv.site_id, to=to,
                             conversation_id=conv.pk):
                due.append(key)
    return due


def _followups() -> list[str]:
    now = timezone.now()
    due = []
    candidates = (Conversation.objects.filter(
        updated_at__gte=now - RECENT, visible_seq__gt=F("visitor_read_seq"),
        site__followup_minutes__gt=0).exclude(visitor__email="")
        .select_related("site", "visitor"))
    for conv in candidates:
        unread = (Message.objects.filter(conversation=conv, author=Message.Author.AGENT,
                                         internal=False, seq__gt=conv.visitor_read_seq)
                  .order_by("-seq").first())
        if unread is None or unread.created_at > now - timedelta(
                minutes=conv.site.followup_minutes):
            continue
        key = f"followup:{conv.pk}:{unread.seq}"
        if sending.claim(key, kind=SentMail.Kind.FOLLOWUP, site_id=conv.site_id,
                         to=conv.visitor.email, conversation_id=conv.pk):
            due.append(key)
    return due


def _site_transcripts() -> list[str]:
    now = timezone.now()
    due = []
    for conv in (Conversation.objects.filter(
            status=Conversation.Status.RESOLVED, resolved_at__gte=now - RECENT,
            site__transcript_on_resolve=True).select_related("site")):
        for to in _site_addresses(conv.site):
            key = f"site_transcript:{conv.pk}:{conv.resolved_at.timestamp():.0f}:{to.lower()}"
            if sending.claim(key, kind=SentMail.Kind.SITE_TRANSCRIPT, site_id=conv.site_id,
                             to=to, conversation_id=conv.pk):
                due.append(key)
    return due


# --- the mails --------------------------------------------------------------------------------
def _conversation(row: SentMail) -> Conversation:
    return Conversation.objects.select_related("site", "visitor").get(pk=row.conversation_id)


def _console_url(conv: Conversation) -> str:
    return links.absolute(reverse("console:app") + f"?conversation={conv.pk}")


def _for_site(kind: str, notes: bool):
    def build(row: SentMail):
        conv = _conversation(row)
        return compose.build(kind=kind, site=conv.site, to=row.to,
                             language=compose.language_for("", conv.site), context={
                                 "visitor": conv.visitor,
                                 "visitor_name": conv.visitor.name or conv.visitor.email
                                 or f"#{conv.pk}",
                                 "messages": compose.thread(conv, notes=notes),
                                 "console_url": _console_url(conv)})
    return build


def _followup(row: SentMail):
    conv = _conversation(row)
    thread = compose.thread(conv)
    seen = conv.visitor_read_seq
    unseen = [m for m, seq in zip(thread, _visible_seqs(conv), strict=True) if seq > seen]
    return compose.build(kind="followup", site=conv.site, to=row.to,
                         language=compose.language_for(conv.visitor.locale, conv.site),
                         context={"messages": unseen or thread[-1:],
                                  "continue_url": links.continue_url(conv),
                                  "link_days": settings.PAPO["CONTINUE_LINK_DAYS"]},
                         reply_to=inbound.reply_address(conv))


def _transcript(row: SentMail):
    conv = _conversation(row)
    return compose.build(kind="transcript", site=conv.site, to=row.to,
                         language=compose.language_for(conv.visitor.locale, conv.site),
                         context={"messages": compose.thread(conv)},
                         reply_to=inbound.reply_address(conv))


def _visible_seqs(conv: Conversation) -> list[int]:
    return list(conv.messages.filter(internal=False).order_by("seq").values_list("seq", flat=True))


def _invite(row: SentMail):
    """``invite:<invite>:<sent at>:<language>``: the invitation as it stands now
    (None once revoked or sent again: that mail carries the link)."""
    _, pk, sent_at, language = row.key.split(":")
    invite = (Invite.objects.select_related("site", "user", "invited_by")
              .filter(pk=int(pk)).first())
    if invite is None or f"{invite.sent_at.timestamp():.3f}" != sent_at:
        return None
    by = invite.invited_by
    return compose.build(kind="invite", site=invite.site, to=row.to, language=language,
                         context={"inviter": (by.get_full_name() or by.get_username())
                                  if by else "", "role": invite.get_role_display(),
                                  "link": links.absolute(invite_tokens.link_path(invite.user)),
                                  "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)})


def _added(row: SentMail):
    """``added:<site>:<user>:<when>:<language>``: someone who has an account was
    made a member; they hear where to find it."""
    _, site_id, _user, _when, language = row.key.split(":")
    site = Site.objects.filter(pk=int(site_id)).first()
    if site is None:
        return None
    return compose.build(kind="added", site=site, to=row.to, language=language,
                         context={"console_url": links.absolute(reverse("console:app"))})


_BUILDERS = {
    SentMail.Kind.UNANSWERED: _for_site("unanswered", notes=False),
    SentMail.Kind.SITE_TRANSCRIPT: _for_site("site_transcript", notes=True),
    SentMail.Kind.FOLLOWUP: _followup,
    SentMail.Kind.TRANSCRIPT: _transcript,
    SentMail.Kind.INVITE: _invite,
    SentMail.Kind.ADDED: _added,
}
