"""Appending a message: the one place ``seq`` is allocated and messages are published.

``append`` must run inside a transaction that holds the conversation row
(``select_for_update`` on PostgreSQL; on SQLite the IMMEDIATE transaction
holds the database write lock). Reading ``last_seq``, inserting the message
and advancing ``last_seq`` then happen with no other writer in between, so
seq has no gaps and no duplicates under concurrent senders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from bus import events, groups
from papo.errors import PapoError
from papo.prepared import run_prepared, run_prepared_many
from visitors.models import Visitor

from . import serializers
from .models import Conversation, Message


def check_body(body: object) -> str:
    if not isinstance(body, str):
        raise PapoError("invalid", "body must be a string")
    body = body.strip()
    if not body:
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
           to_site: bool = False) -> Message:
    """Insert the next message of ``conv`` and publish it after commit.

    ``internal`` notes take the next seq like any message but are published to
    console groups only; ``visible_seq`` (the visitor's last seq) skips them.
    """
    now = timezone.now()
    seq = conv.last_seq + 1
    msg = Message.objects.create(
        conversation=conv, seq=seq, author=author, agent=agent, body=body,
        client_id=client_id, event=event, data=data or {}, created_at=now, internal=internal,
    )
    prev_visible = conv.visible_seq
    conv.last_seq = seq
    conv.updated_at = now
    fields = ["last_seq", "updated_at"]
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
            conversation=conv.pk, seq=msg.seq, prev=prev_visible,
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
        conversation=conv.pk, seq=msg.seq,
    )


def publish_conversation(conv: Conversation, event: str) -> None:
    """Tell the site's agents and the visitor that a conversation changed."""
    last = conv.messages.order_by("-seq").first()
    events.publish(
        groups.site_agents(conv.site_id),
        {"type": "conversation", "event": event,
         "conversation": serializers.conversation_for_console(conv, last)},
        conversation=conv.pk,
        assignee=conv.assignee_id if conv.status == Conversation.Status.OPEN else None,
    )
    events.publish(
        groups.visitor(conv.visitor.public_id),
        {"type": "conversation", "event": event,
         "conversation": serializers.conversation_for_widget(conv)},
        conversation=conv.pk,
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


# --- the hot path: a message into an open conversation, without the ORM -------------------
# ``append`` above takes five to seven statements (BEGIN, lock, duplicate check,
# INSERT, UPDATE, COMMIT) and most of a millisecond of ORM compilation each, for
# every message. The common case, a message into a conversation that is already
# open, does the same steps in plain SQL: on PostgreSQL as one statement (lock the
# row, look for the client id, advance ``last_seq``, insert under the lock); on
# SQLite as three statements, inside the IMMEDIATE transaction, which holds the
# write lock throughout. ``append_many`` runs the statements of several sends
# (a batch: realtime.sending) in one transaction, a lone one on PostgreSQL
# autocommitted. Anything else (a first message, a claim, an error, a duplicate
# on SQLite) is left to the caller's ORM path, which also raises the exact
# errors. On PostgreSQL a concurrent duplicate of the same client id, unseen by
# the statement's snapshot, fails the unique constraint and the batch is retried
# on the ORM path, where it is found.

_FIND_VISITOR_CONV = """
    SELECT c.id, c.visible_seq, v.public_id, true AS writable, c.last_seq, c.status, c.site_id
    FROM conversations_conversation c JOIN visitors_visitor v ON v.id = c.visitor_id
    WHERE c.visitor_id = %(visitor)s AND c.status <> 'resolved'
"""
_FIND_AGENT_CONV = """
    SELECT c.id, c.visible_seq, v.public_id, (c.status = 'open' OR %(internal)s) AS writable,
           c.last_seq, c.status, c.site_id
    FROM conversations_conversation c JOIN visitors_visitor v ON v.id = c.visitor_id
    WHERE c.id = %(conversation)s AND EXISTS (
        SELECT 1 FROM agents_membership mb
        WHERE mb.site_id = c.site_id AND mb.user_id = %(agent)s)
"""
_VISITOR_DUP = """
    SELECT m.conversation_id, m.seq, m.created_at FROM conversations_message m
    JOIN conversations_conversation c ON c.id = m.conversation_id
    WHERE c.visitor_id = %(visitor)s AND m.author = 'visitor' AND m.client_id = %(client_id)s
"""
# PostgreSQL runs the send statement on a generic plan (it is prepared), made
# once per connection from whatever statistics the tables had then. Written as
# the join above, such a plan may look the client id up by (author, client_id)
# alone: a walk over every visitor message's index entry, which grows with the
# table (seen without ANALYZE: PostgreSQL's CPU per send doubled by 16,000
# messages). Here the visitor's conversations are an array worked out first, so
# the only plan is the unique index searched on all three of its columns.
_VISITOR_DUP_PG = """
    SELECT m.conversation_id, m.seq, m.created_at FROM conversations_message m
    WHERE m.conversation_id = ANY(ARRAY(
            SELECT c.id FROM conversations_conversation c WHERE c.visitor_id = %(visitor)s))
      AND m.author = 'visitor' AND m.client_id = %(client_id)s
"""
_AGENT_DUP = """
    SELECT m.conversation_id, m.seq, m.created_at FROM conversations_message m
    WHERE m.conversation_id = %(conversation)s AND m.author = 'agent'
      AND m.client_id = %(client_id)s
"""
_INSERT = """
    INSERT INTO conversations_message (conversation_id, seq, author, agent_id, body, event,
                                       data, internal, client_id, created_at)
"""
_SET = """
    last_seq = c.last_seq + 1,
    visible_seq = CASE WHEN %(internal)s THEN c.visible_seq ELSE c.last_seq + 1 END,
    first_agent_reply_at = CASE WHEN %(author)s = 'agent' AND NOT %(internal)s
        THEN COALESCE(c.first_agent_reply_at, %(now)s) ELSE c.first_agent_reply_at END,
    updated_at = %(now)s
"""
_PG_ONE_STATEMENT = (  # constants only: every value is a parameter
    "WITH conv AS ({find} FOR UPDATE OF c), dup AS ({dup}), "
    "upd AS (UPDATE conversations_conversation c SET {set} FROM conv "
    "  WHERE c.id = conv.id AND conv.writable AND NOT EXISTS (SELECT 1 FROM dup) "
    "  RETURNING c.id, c.last_seq, c.status, c.site_id, conv.visible_seq AS prev_visible, "
    "  conv.public_id), "
    "ins AS ({insert} SELECT id, last_seq, %(author)s::varchar, %(agent)s::bigint, "
    "  %(body)s::text, '', '{{}}'::jsonb, %(internal)s::boolean, %(client_id)s::varchar, "
    "  %(now)s::timestamptz FROM upd RETURNING conversation_id) "
    "SELECT false, upd.id, upd.last_seq, upd.status, upd.site_id, upd.prev_visible, "
    "  upd.public_id, %(now)s FROM upd JOIN ins ON ins.conversation_id = upd.id "
    "UNION ALL "
    "SELECT true, dup.conversation_id, dup.seq, NULL, NULL, NULL, NULL, dup.created_at FROM dup"
)
PG_SEND_SQL = {
    Message.Author.VISITOR: _PG_ONE_STATEMENT.format(
        find=_FIND_VISITOR_CONV, dup=_VISITOR_DUP_PG, set=_SET, insert=_INSERT),
    Message.Author.AGENT: _PG_ONE_STATEMENT.format(
        find=_FIND_AGENT_CONV,
        dup=_AGENT_DUP.replace("%(conversation)s", "(SELECT id FROM conv)"),
        set=_SET, insert=_INSERT),
}


def _steps_in_a_transaction(cursor, params: dict) -> tuple | None:
    """SQLite: find, check, insert, advance, holding the write lock (IMMEDIATE)."""
    visitor = params["author"] == Message.Author.VISITOR
    cursor.execute(_FIND_VISITOR_CONV if visitor else _FIND_AGENT_CONV, params)
    found = cursor.fetchone()
    if found is None or not found[3]:
        return None
    conv_id, prev_visible, public_id, _, last_seq, status, site_id = found
    cursor.execute(_VISITOR_DUP if visitor else _AGENT_DUP, {**params, "conversation": conv_id})
    if cursor.fetchone() is not None:
        return None  # the ORM path answers duplicates here
    cursor.execute(_INSERT + " VALUES (%(conversation)s, %(seq)s, %(author)s, %(agent)s, "
                   "%(body)s, '', '{}', %(internal)s, %(client_id)s, %(now)s)",
                   {**params, "conversation": conv_id, "seq": last_seq + 1})
    cursor.execute("UPDATE conversations_conversation AS c SET " + _SET  # noqa: S608
                   + " WHERE c.id = %(conversation)s", {**params, "conversation": conv_id})
    return (False, conv_id, last_seq + 1, status, site_id, prev_visible, public_id,
            params["created_at"])


@dataclass(frozen=True)
class FastSend:
    """One message for :func:`append_many`, checked already."""

    author: str
    body: str
    client_id: str
    visitor: Visitor | None = None
    agent: object = None
    conversation_id: int | None = None
    internal: bool = False


def append_many(sends: list[FastSend]) -> list[tuple[Message, bool] | None]:
    """Several messages (from different sockets) on the fast path, in one
    transaction: one commit for all, and on PostgreSQL one round trip for all
    the statements (a pipeline). Each gets ``(message, duplicate)``, or None
    when the ORM path must decide; the new ones are published after the commit.

    Conversation rows are locked in the order given; callers pass the sends
    sorted by conversation so that two batches never wait on each other in a
    circle. A batch on PostgreSQL that meets a racing duplicate (a unique
    violation) or a deadlock anyway is rolled back whole and every send in it
    is left to the ORM path (None), which finds the duplicate or waits its turn.
    """
    if connection.in_atomic_block or connection.vendor not in ("postgresql", "sqlite"):
        return [None] * len(sends)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [{"author": s.author, "body": s.body, "client_id": s.client_id,
               "internal": s.internal, "now": stamp, "created_at": now,
               "agent": s.agent.pk if s.agent else None,
               "visitor": s.visitor.pk if s.visitor else None,
               "conversation": s.conversation_id} for s in sends]
    try:
        if connection.vendor == "postgresql" and len(sends) == 1:
            # alone: one autocommitted statement, one round trip, no BEGIN/COMMIT
            return [_stored(sends[0], run_prepared(PG_SEND_SQL[sends[0].author], params[0]))]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                rows = run_prepared_many([(PG_SEND_SQL[s.author], p)
                                          for s, p in zip(sends, params, strict=True)])
            else:
                with connection.cursor() as cursor:
                    rows = [_steps_in_a_transaction(cursor, p) for p in params]
            done = [_stored(s, row) for s, row in zip(sends, rows, strict=True)]
    except (IntegrityError, OperationalError) as exc:
        if not isinstance(exc, IntegrityError) and not _lost_a_lock_race(exc):
            raise
        return [None] * len(sends)
    return done


def _lost_a_lock_race(exc: OperationalError) -> bool:
    """A deadlock or serialisation failure: nothing is wrong, the batch just lost."""
    return getattr(getattr(exc, "__cause__", None), "sqlstate", None) in ("40P01", "40001")


def _stored(send: FastSend, row: tuple | None) -> tuple[Message, bool] | None:
    """The message a fast-path row stands for; a new one is published on commit."""
    if row is None:
        return None
    duplicate, conv_id, seq, status, site_id, prev_visible, public_id, created_at = row
    msg = Message(conversation_id=conv_id, seq=seq, author=send.author, agent=send.agent,
                  body=send.body, client_id=send.client_id, created_at=created_at,
                  internal=send.internal)
    if duplicate:
        return msg, True
    conv = Conversation(pk=conv_id, status=status, site_id=site_id)
    conv.visitor = send.visitor if send.visitor is not None else Visitor(public_id=public_id)
    publish_message(conv, msg, prev_visible=prev_visible)
    return msg, False
