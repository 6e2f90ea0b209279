"""Appending a message: the one place ``seq`` is allocated and messages are published.

``append`` must run inside a transaction that holds the conversation row
(``select_for_update`` on PostgreSQL; on SQLite the IMMEDIATE transaction
holds the database write lock). Reading ``last_seq``, inserting the message
and advancing ``last_seq`` then happen with no other writer in between, so
seq has no gaps and no duplicates under concurrent senders.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from attachments import actions as attachment_actions
from bus import events, groups
from papo.errors import PapoError

from . import serializers
from .models import Conversation, Message


def check_body(body: object, *, empty_ok: bool = False) -> str:
    """A message's text; ``empty_ok`` for one that carries files."""
    if not isinstance(body, str):
        raise PapoError("invalid", "body must be a string")
    body = body.strip()
    if not body and not empty_ok:
        raise PapoError("body_empty", "message body is empty")
    cap = settings.PAPO["MAX_BODY_CHARS"]
    if len(body) > cap:
        raise PapoError("body_too_long", f"body is longer than {cap} characters")
    if "\x00" in body:
        raise PapoError("invalid", "body contains a NUL character")
    return body


def check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= 64):
        raise PapoError("invalid", "client_id must be a string of 1 to 64 characters")
    if not client_id.isprintable():
        raise PapoError("invalid", "client_id must be printable")
    return client_id


def append(conv: Conversation, *, author: str, body: str = "", agent=None, client_id=None,
           event: str = "", data: dict | None = None, internal: bool = False,
           to_site: bool = False, files: list | None = None,
           also_save: tuple[str, ...] = ()) -> Message:
    """Insert the next message of ``conv`` and publish it after commit.

    ``also_save``: fields of ``conv`` the caller changed for the same event (an
    assignment), written in the same UPDATE as its ``last_seq``.
    ``internal`` notes take the next seq like any message but are published to
    console groups only; ``visible_seq`` (the visitor's last seq) skips them.
    ``files``: uploads claimed for it (``attachments.actions.claim``), bound to it here.
    """
    now = timezone.now()
    seq = conv.last_seq + 1
    msg = Message.objects.create(
        conversation=conv, seq=seq, author=author, agent=agent, body=body,
        client_id=client_id, event=event, data=data or {}, created_at=now, internal=internal,
        files=[row.as_message_file() for row in files or ()],
    )
    if files:
        attachment_actions.bind(files, msg)
    prev_visible = conv.visible_seq
    conv.last_seq = seq
    conv.updated_at = now
    fields = ["last_seq", "updated_at", *also_save]
    if not internal:
        conv.visible_seq = seq
        fields.append("visible_seq")
    if author == Message.Author.AGENT and not internal and conv.first_agent_reply_at is None:
        conv.first_agent_reply_at = now
        fields.append("first_agent_reply_at")
    conv.save(update_fields=fields)
    publish_message(conv, msg, prev_visible=prev_visible, to_site=to_site)
    return msg


def publish_message(conv: Conversation, msg: Message, *, prev_visible: int | None = None,
                    to_site: bool = False) -> None:
    if not msg.internal:
        # ``prev`` is the visitor's previous visible seq: a widget socket that holds
        # it has no gap even when notes took the seqs in between.
        events.publish(
            groups.visitor(conv.visitor.public_id),
            {"type": "message", "message": serializers.message(msg, for_console=False)},
            site=conv.site_id, conversation=conv.pk, seq=msg.seq, prev=prev_visible,
        )
    # A waiting chat belongs to the whole site's queue; an open one to its watchers.
    # ``to_site``: a message every console of the site must see in order, such as
    # the one that assigns a chat; its new assignee joins the chat's group only
    # when it hears of the assignment, so on that group it would miss the message.
    console_group = (
        groups.site_agents(conv.site_id)
        if conv.status == Conversation.Status.WAITING or to_site
        else groups.conversation(conv.pk)
    )
    events.publish(
        console_group,
        {"type": "message", "message": serializers.message(msg, for_console=True)},
        site=conv.site_id, conversation=conv.pk, seq=msg.seq,
    )


def publish_conversation(conv: Conversation, event: str, last: Message | None = None) -> None:
    """Tell the site's agents and the visitor that a conversation changed. ``last``:
    its latest message, when the caller has just appended it (saves reading it back)."""
    if last is None or last.seq != conv.last_seq:
        last = conv.messages.select_related("agent").order_by("-seq").first()
    events.publish(
        groups.site_agents(conv.site_id),
        {"type": "conversation", "event": event,
         "conversation": serializers.conversation_for_console(conv, last)},
        site=conv.site_id, conversation=conv.pk, last_seq=conv.last_seq,
        assignee=conv.assignee_id if conv.status == Conversation.Status.OPEN else None,
    )
    events.publish(
        groups.visitor(conv.visitor.public_id),
        {"type": "conversation", "event": event,
         "conversation": serializers.conversation_for_widget(conv)},
        site=conv.site_id, conversation=conv.pk,
    )


def page(conv: Conversation, *, before_seq: int | None = None, after_seq: int | None = None,
         limit: int | None = None, visible_only: bool = False) -> tuple[list[Message], bool]:
    """A page of history: after ``after_seq`` (all of it, oldest first, for resume)
    or the ``limit`` messages before ``before_seq`` (latest page when absent).
    ``visible_only`` leaves out internal notes (every visitor-facing read)."""
    limit = limit or settings.PAPO["HISTORY_PAGE"]
    qs = conv.messages.select_related("agent")
    if visible_only:
        qs = qs.filter(internal=False)
    if after_seq is not None:
        rows = list(qs.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
        return rows[:limit], len(rows) > limit
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    rows = list(qs.order_by("-seq")[: limit + 1])
    has_more = len(rows) > limit
    return list(reversed(rows[:limit])), has_more
