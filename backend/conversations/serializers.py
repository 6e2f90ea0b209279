"""Rows to protocol objects (docs/protocol.md, "Shared objects").

Two audiences: the widget (a visitor sees agent names, never agent ids or
other visitors) and the console (agents of the conversation's site).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from attachments import links
from papo.text import without_bidi_controls

from .models import Conversation, ConversationTag, Message


def iso(value) -> str | None:
    return value.isoformat() if value else None


def agent_name(user: AbstractBaseUser | None) -> str:
    """The name visitors and agents see; names come from Django users, which the
    admin edits freely, so bidi controls are taken out here, on every way out."""
    if user is None:
        return ""
    full = without_bidi_controls(user.get_full_name()).strip()  # type: ignore[attr-defined]
    return full or without_bidi_controls(user.get_username())


def agent_ref(user: AbstractBaseUser | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": agent_name(user)}


def message(msg: Message, *, for_console: bool) -> dict:
    if msg.internal and not for_console:  # defence in depth: callers filter notes out
        raise ValueError("internal notes are never serialised for the widget")
    data = msg.data
    if msg.event == "rated" and not for_console:  # the comment is for the team
        data = {k: v for k, v in data.items() if k != "comment"}
    agent = None
    if msg.agent_id is not None:
        agent = agent_ref(msg.agent) if for_console else {"name": agent_name(msg.agent)}
    return {
        "conversation": msg.conversation_id,
        "seq": msg.seq,
        "author": msg.author,
        "agent": agent,
        "body": msg.body,
        "event": msg.event,
        "data": data,
        "client_id": msg.client_id,
        "created_at": iso(msg.created_at),
        **({"internal": msg.internal} if for_console else {}),
        **({"attachments": files_for(msg.files, msg.conversation_id,
                                     "console" if for_console else "widget")}
           if msg.files else {}),
    }


def files_for(files: list[dict], conversation_id: int, audience: str) -> list[dict]:
    """A message's files (``Message.files``) for one reader, with fresh links made for
    that reader (attachments.links: signed, expiring, bound to this conversation)."""
    out = []
    for f in files:
        image = f.get("width") is not None
        out.append({
            "id": f["id"], "name": f["name"], "type": f["type"], "size": f["size"],
            "width": f.get("width"), "height": f.get("height"),
            "url": links.url(f["id"], conversation_id, audience),
            "thumb_url": links.url(f["id"], conversation_id, audience, "thumb")
            if image and f.get("thumb") else None,
        })
    return out


def conversation_for_widget(conv: Conversation) -> dict:
    return {
        "id": conv.pk,
        "status": conv.status,
        "agent": {"name": agent_name(conv.assignee)} if conv.assignee_id else None,
        "last_seq": conv.visible_seq,  # notes are not the visitor's business
        "agent_read_seq": min(conv.agent_read_seq, conv.visible_seq),
        "rating": conv.rating_score,  # the widget asks for a rating while this is null
    }


def conversation_for_console(conv: Conversation, last: Message | None = None) -> dict:
    return {
        "id": conv.pk,
        "site": conv.site.key,
        "status": conv.status,
        "assignee": agent_ref(conv.assignee) if conv.assignee_id else None,
        "visitor": conv.visitor.as_agent_view(),
        "last_seq": conv.last_seq,
        "visitor_read_seq": conv.visitor_read_seq,
        "agent_read_seq": conv.agent_read_seq,
        "created_at": iso(conv.created_at),
        "updated_at": iso(conv.updated_at),
        "queued_at": iso(conv.queued_at),
        "first_agent_reply_at": iso(conv.first_agent_reply_at),
        "resolved_at": iso(conv.resolved_at),
        "ended_by": conv.ended_by,
        "tags": tag_ids(conv),
        "rating": None if conv.rated_at is None else {
            "score": conv.rating_score, "comment": conv.rating_comment,
            "rated_at": iso(conv.rated_at)},
        "last_message": None
        if last is None
        else {
            "seq": last.seq,
            "author": last.author,
            "agent": agent_ref(last.agent) if last.agent_id is not None else None,
            "body": last.body[:200],
            "event": last.event,
            "data": last.data,
            "internal": last.internal,
            "created_at": iso(last.created_at),
            # a files-only message previews as its files ("📎 invoice.pdf"); no links here
            **({"files": [{"name": f["name"], "type": f["type"]} for f in last.files]}
               if last.files else {}),
        },
    }


def tag_ids(conv: Conversation) -> list[int]:
    """The conversation's tag ids: ``tags.attach`` gives a page of rows theirs in one
    query; a lone conversation asks for its own."""
    known = getattr(conv, "papo_tags", None)
    if known is not None:
        return known
    return list(ConversationTag.objects.filter(conversation_id=conv.pk)
                .order_by("tag__name").values_list("tag_id", flat=True))
