"""Visitor-side actions: the widget's hello and profile updates."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.availability import Availability, for_widgets
from bus import events, groups
from conversations import messages, queue, serializers
from conversations.actions import current_conversation
from conversations.models import Conversation, Message
from papo.errors import PapoError
from papo.text import without_bidi_controls
from sites.models import Site

from .identity import check_user_hash
from .models import Visitor
from .tokens import TokenError, make_token, read_token

REPLAY_LIMIT = 1000


@dataclass
class Welcome:
    visitor: Visitor
    token: str
    conversation: Conversation | None
    messages: list[Message]
    has_more: bool
    available: Availability
    more_after: bool = False  # a resume that stopped short of the newest message
    queue: dict | None = None  # the ``queue`` frame that follows, while the chat waits

    def frame(self, version: int, extra: dict) -> dict:
        return {
            "type": "welcome",
            "v": version,
            "token": self.token,
            "visitor": self.visitor.as_public(),
            "conversation": serializers.conversation_for_widget(self.conversation)
            if self.conversation else None,
            "messages": [serializers.message(m, for_console=False) for m in self.messages],
            "has_more": self.has_more,
            "agents_online": self.available.agents_online,
            "config": self.visitor.site.widget_config(self.available.agents_online,
                                                      self.available.opens_at),
            **({"more_after": self.more_after} if version >= 2 else {}),
            **extra,
        }


def _str(value: object, field: str, cap: int, *, label: bool = False) -> str:
    """A string field, trimmed and capped; a ``label`` (a name, an e-mail, a page
    title: text agents read as who or where) also loses its bidi controls."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PapoError("invalid", f"{field} must be a string")
    if label:
        value = without_bidi_controls(value)
    return value.strip()[:cap]


def _url(value: object, field: str) -> str:
    url = _str(value, field, 2000)
    return url if url.startswith(("http://", "https://")) else ""


def _time_zone(value: object) -> str:
    """A real IANA zone name, or "" (an unknown name is dropped, not refused)."""
    name = _str(value, "timezone", 64)
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return ""
    return name


def _apply_profile(visitor: Visitor, *, name=None, email=None, page=None, locale=None,
                   user_agent=None, time_zone=None) -> list[str]:
    """Copy the given fields onto ``visitor``; returns the changed field names."""
    changed = []
    values: dict[str, str] = {}
    if name is not None:
        values["name"] = _str(name, "name", 200, label=True)
    if email is not None:
        email = _str(email, "email", 254, label=True)
        if email and ("@" not in email or any(c.isspace() for c in email)):
            raise PapoError("invalid", "email is not an email address")
        values["email"] = email
    if page is not None:
        if not isinstance(page, dict):
            raise PapoError("invalid", "page must be an object")
        values["page_url"] = _url(page.get("url"), "page.url")
        values["page_title"] = _str(page.get("title"), "page.title", 500, label=True)
        values["referrer"] = _url(page.get("referrer"), "page.referrer")
    if locale is not None:
        values["locale"] = _str(locale, "locale", 35, label=True)
    if user_agent is not None:
        values["user_agent"] = user_agent[:500]
    if time_zone is not None:
        values["time_zone"] = _time_zone(time_zone)
    for field, value in values.items():
        if getattr(visitor, field) != value:
            setattr(visitor, field, value)
            changed.append(field)
    return changed


def _identified_visitor(site: Site, token_visitor: Visitor | None, identify: dict) -> Visitor:
    """The visitor a valid ``identify`` proves, linked across devices by user id."""
    if not isinstance(identify, dict):
        raise PapoError("invalid", "identify must be an object")
    user_id = _str(identify.get("user_id"), "identify.user_id", 200)
    if not user_id:
        raise PapoError("invalid", "identify.user_id is required")
    if not check_user_hash(site.identity_secret, user_id, identify.get("user_hash")):
        raise PapoError("identity_invalid", "user_hash does not match user_id")
    known = Visitor.objects.filter(site=site, external_id=user_id).first()
    if known is not None:
        return known
    if token_visitor is not None and not token_visitor.external_id:
        token_visitor.external_id = user_id
        token_visitor.verified = True
        if token_visitor.pk is None:
            token_visitor.persist()
        else:
            token_visitor.save(update_fields=["external_id", "verified"])
        return token_visitor
    try:
        with transaction.atomic():
            return Visitor.objects.create(site=site, external_id=user_id, verified=True)
    except IntegrityError:  # another device identified at the same moment
        return Visitor.objects.get(site=site, external_id=user_id)


def do_visitor_hello(site: Site, hello: dict, user_agent: str = "") -> Welcome:
    """Authenticate (or create) the visitor, record where they are, replay history."""
    token = hello.get("token")
    resume = hello.get("resume")  # shape checked by realtime.protocol
    # No transaction around it all: a new visitor's hello writes nothing, and
    # each write below (identify, a returning visitor's page) stands alone.
    visitor = None
    if token is not None:
        try:
            public_id = read_token(token, site.pk)
        except TokenError as exc:
            raise PapoError(exc.code, exc.message) from exc
        visitor = Visitor.objects.filter(site=site, public_id=public_id).first()
        if visitor is None:  # signed by us for this site, not stored yet: see persist()
            visitor = Visitor(site=site, public_id=public_id)
    identify = hello.get("identify")
    if identify is not None:
        visitor = _identified_visitor(site, visitor, identify)
        identify_profile = {k: identify.get(k) for k in ("name", "email") if identify.get(k)}
    else:
        identify_profile = {}
    if site.verified_only and not (visitor and visitor.verified):
        raise PapoError("identity_required", "this site only chats with signed-in users")
    if visitor is None:
        visitor = Visitor(site=site)
    _apply_profile(visitor, page=hello.get("page"), locale=hello.get("locale"),
                   user_agent=user_agent, time_zone=hello.get("timezone"), **identify_profile)
    visitor.last_seen_at = timezone.now()
    if visitor.pk is not None:
        visitor.save()
    visitor.site = site

    conv = current_conversation(visitor)
    rows: list[Message] = []
    has_more = more_after = False
    if conv is not None:
        if resume is not None and resume["conversation"] == conv.pk:
            rows, has_more = messages.page(conv, after_seq=resume["last_seq"],
                                           limit=REPLAY_LIMIT, visible_only=True)
            more_after = has_more
        else:
            rows, has_more = messages.page(conv, visible_only=True)
    return Welcome(
        visitor=visitor,
        token=make_token(site.pk, visitor.public_id),
        conversation=conv,
        messages=rows,
        has_more=has_more,
        available=for_widgets(site),
        more_after=more_after,
        queue=queue.place_of(conv) if conv is not None else None,
    )


def do_update_visitor(visitor: Visitor, *, name=None, email=None, page=None) -> Visitor:
    """Profile changes from the widget: pre-chat form, offline email, navigation."""
    with transaction.atomic():
        changed = _apply_profile(visitor, name=name, email=email, page=page)
        if not changed:
            return visitor
        if visitor.pk is None and set(changed) <= {"page_url", "page_title", "referrer"}:
            return visitor  # browsing only: kept in memory until there is a row
        visitor.persist()
        visitor.last_seen_at = timezone.now()
        visitor.save(update_fields=[*changed, "last_seen_at"])
        conv = (
            Conversation.objects.select_related("site", "visitor", "assignee")
            .filter(visitor=visitor)
            .exclude(status=Conversation.Status.RESOLVED)
            .first()
        )
        if conv is not None:
            messages.publish_conversation(conv, "updated")
        events.publish(groups.visitor(visitor.public_id),
                       {"type": "visitor", "visitor": visitor.as_public()},
                       site=visitor.site_id)
    return visitor


def visitor_history(visitor: Visitor, before_seq: int | None, after_seq: int | None,
                    limit: int | None) -> tuple[Conversation | None, list[Message], bool]:
    """A page of the visitor's current conversation: older than ``before_seq`` (the
    latest page without it), or, with ``after_seq``, forward from it (resume)."""
    conv = current_conversation(visitor)
    if conv is None:
        return None, [], False
    rows, has_more = messages.page(conv, before_seq=before_seq, after_seq=after_seq, limit=limit,
                                   visible_only=True)
    return conv, rows, has_more
