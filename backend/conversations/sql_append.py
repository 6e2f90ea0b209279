"""Appending messages on the hot path: plain SQL for a message into an open conversation.

``messages.append`` takes five to seven statements (BEGIN, lock, duplicate
check, INSERT, UPDATE, COMMIT) and most of a millisecond of ORM compilation
each, for every message. The common case, a message into a conversation that
is already open, does the same steps in plain SQL: on PostgreSQL as one
statement (lock the row, look for the client id, advance ``last_seq``, insert
under the lock); on SQLite as three statements, inside the IMMEDIATE
transaction, which holds the write lock throughout. :func:`append_many` runs
the statements of several sends (a batch: realtime.sending) in one
transaction, a lone one on PostgreSQL autocommitted. Anything else (a first
message, a claim, a refusal, a duplicate on SQLite) is left to the caller's
ORM path (``conversations.actions``), which also raises the exact errors. On
PostgreSQL a concurrent duplicate of the same client id, unseen by the
statement's snapshot, fails the unique constraint and the batch is retried on
the ORM path, where it is found.

Two paths store messages, so they must agree: same rows, same events, same
refusals. ``conversations/tests/test_append_parity.py`` drives both with the
same random sends on SQLite and PostgreSQL and compares. The SQL names its
tables, columns and status values from the models (:data:`_NAMES`), never
by hand, so a model change reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from agents.models import Membership
from papo.prepared import run_prepared, run_prepared_many
from visitors.models import Visitor

from .messages import publish_message
from .models import Conversation, Message


class _Table:
    """A model as str.format sees it: ``{Message}`` is its table, ``{Message.seq}`` a
    column, ``{Message.Author.VISITOR}`` would not do: see :data:`_NAMES` for values."""

    def __init__(self, model) -> None:
        self.model = model

    def __format__(self, spec: str) -> str:
        return self.model._meta.db_table

    def __getattr__(self, field: str) -> str:
        return self.model._meta.get_field(field).column


def _literal(value: str) -> str:
    """A model's choice value as an SQL string literal (constants of our code only)."""
    if not value.isidentifier():
        raise ValueError(f"not a plain choice value: {value!r}")
    return f"'{value}'"


_NAMES = {
    "Conversation": _Table(Conversation), "Message": _Table(Message),
    "Visitor": _Table(Visitor), "Membership": _Table(Membership),
    "RESOLVED": _literal(Conversation.Status.RESOLVED),
    "OPEN": _literal(Conversation.Status.OPEN),
    "VISITOR": _literal(Message.Author.VISITOR), "AGENT": _literal(Message.Author.AGENT),
}


def _sql(template: str) -> str:
    return template.format(**_NAMES)

_FIND_VISITOR_CONV = _sql("""
    SELECT c.{Conversation.id}, c.{Conversation.visible_seq}, v.{Visitor.public_id},
           true AS writable, c.{Conversation.last_seq}, c.{Conversation.status},
           c.{Conversation.site}
    FROM {Conversation} c JOIN {Visitor} v ON v.{Visitor.id} = c.{Conversation.visitor}
    WHERE c.{Conversation.visitor} = %(visitor)s AND c.{Conversation.status} <> {RESOLVED}
""")
# An agent's visible reply goes only to an open chat of theirs (a waiting chat is
# claimed by the ORM path first; another agent's chat is refused there, with its
# reason); an internal note goes to any chat of the agent's sites.
_FIND_AGENT_CONV = _sql("""
    SELECT c.{Conversation.id}, c.{Conversation.visible_seq}, v.{Visitor.public_id},
           ((c.{Conversation.status} = {OPEN} AND c.{Conversation.assignee} = %(agent)s)
            OR %(internal)s) AS writable,
           c.{Conversation.last_seq}, c.{Conversation.status}, c.{Conversation.site}
    FROM {Conversation} c JOIN {Visitor} v ON v.{Visitor.id} = c.{Conversation.visitor}
    WHERE c.{Conversation.id} = %(conversation)s AND EXISTS (
        SELECT 1 FROM {Membership} mb
        WHERE mb.{Membership.site} = c.{Conversation.site}
          AND mb.{Membership.user} = %(agent)s)
""")
_VISITOR_DUP = _sql("""
    SELECT m.{Message.conversation}, m.{Message.seq}, m.{Message.created_at} FROM {Message} m
    JOIN {Conversation} c ON c.{Conversation.id} = m.{Message.conversation}
    WHERE c.{Conversation.visitor} = %(visitor)s AND m.{Message.author} = {VISITOR}
      AND m.{Message.client_id} = %(client_id)s
""")
# PostgreSQL runs the send statement on a generic plan (it is prepared), made
# once per connection from whatever statistics the tables had then. Written as
# the join above, such a plan may look the client id up by (author, client_id)
# alone: a walk over every visitor message's index entry, which grows with the
# table (seen without ANALYZE: PostgreSQL's CPU per send doubled by 16,000
# messages). Here the visitor's conversations are an array worked out first, so
# the only plan is the unique index searched on all three of its columns.
_VISITOR_DUP_PG = _sql("""
    SELECT m.{Message.conversation}, m.{Message.seq}, m.{Message.created_at} FROM {Message} m
    WHERE m.{Message.conversation} = ANY(ARRAY(
            SELECT c.{Conversation.id} FROM {Conversation} c
            WHERE c.{Conversation.visitor} = %(visitor)s))
      AND m.{Message.author} = {VISITOR} AND m.{Message.client_id} = %(client_id)s
""")
_AGENT_DUP = _sql("""
    SELECT m.{Message.conversation}, m.{Message.seq}, m.{Message.created_at} FROM {Message} m
    WHERE m.{Message.conversation} = %(conversation)s AND m.{Message.author} = {AGENT}
      AND m.{Message.client_id} = %(client_id)s
""")
_INSERT = _sql("""
    INSERT INTO {Message} ({Message.conversation}, {Message.seq}, {Message.author},
                           {Message.agent}, {Message.body}, {Message.event}, {Message.data},
                           {Message.internal}, {Message.client_id}, {Message.created_at},
                           {Message.files})
""")
_SET = _sql("""
    {Conversation.last_seq} = c.{Conversation.last_seq} + 1,
    {Conversation.visible_seq} = CASE WHEN %(internal)s THEN c.{Conversation.visible_seq}
                                      ELSE c.{Conversation.last_seq} + 1 END,
    {Conversation.first_agent_reply_at} = CASE WHEN %(author)s = {AGENT} AND NOT %(internal)s
        THEN COALESCE(c.{Conversation.first_agent_reply_at}, %(now)s)
        ELSE c.{Conversation.first_agent_reply_at} END,
    {Conversation.updated_at} = %(now)s
""")
_UPDATE_SQLITE = ("UPDATE " + _sql("{Conversation}") + " AS c SET " + _SET  # noqa: S608
                  + _sql(" WHERE c.{Conversation.id} = %(conversation)s"))
_INSERT_SQLITE = _INSERT + (" VALUES (%(conversation)s, %(seq)s, %(author)s, %(agent)s, "
                            "%(body)s, '', '{}', %(internal)s, %(client_id)s, %(now)s, '[]')")
_PG_ONE_STATEMENT = (  # constants only: every value is a parameter
    "WITH conv AS ({find} FOR UPDATE OF c), dup AS ({dup}), "
    "upd AS (UPDATE {Conversation} c SET {set} FROM conv "
    "  WHERE c.{Conversation.id} = conv.{Conversation.id} AND conv.writable "
    "  AND NOT EXISTS (SELECT 1 FROM dup) "
    "  RETURNING c.{Conversation.id} AS id, c.{Conversation.last_seq} AS last_seq, "
    "  c.{Conversation.status} AS status, c.{Conversation.site} AS site_id, "
    "  conv.{Conversation.visible_seq} AS prev_visible, conv.{Visitor.public_id} AS public_id), "
    "ins AS ({insert} SELECT id, last_seq, %(author)s::varchar, %(agent)s::bigint, "
    "  %(body)s::text, '', '{{}}'::jsonb, %(internal)s::boolean, %(client_id)s::varchar, "
    "  %(now)s::timestamptz, '[]'::jsonb FROM upd "
    "  RETURNING {Message.conversation} AS conversation_id) "
    "SELECT false, upd.id, upd.last_seq, upd.status, upd.site_id, upd.prev_visible, "
    "  upd.public_id, %(now)s FROM upd JOIN ins ON ins.conversation_id = upd.id "
    "UNION ALL "
    "SELECT true, dup.{Message.conversation}, dup.{Message.seq}, NULL, NULL, NULL, NULL, "
    "  dup.{Message.created_at} FROM dup"
)
PG_SEND_SQL = {
    Message.Author.VISITOR: _PG_ONE_STATEMENT.format(
        find=_FIND_VISITOR_CONV, dup=_VISITOR_DUP_PG, set=_SET, insert=_INSERT, **_NAMES),
    Message.Author.AGENT: _PG_ONE_STATEMENT.format(
        find=_FIND_AGENT_CONV,
        dup=_AGENT_DUP.replace("%(conversation)s", _sql("(SELECT {Conversation.id} FROM conv)")),
        set=_SET, insert=_INSERT, **_NAMES),
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
    cursor.execute(_INSERT_SQLITE, {**params, "conversation": conv_id, "seq": last_seq + 1})
    cursor.execute(_UPDATE_SQLITE, {**params, "conversation": conv_id})
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
    attachments: tuple[str, ...] = ()  # a send with files never takes this path


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
    if not sends:  # a batch of first messages only: no empty transaction to commit
        return []
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
