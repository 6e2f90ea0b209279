"""Full-text search for the console: message bodies, visitors' names and e-mails.

What an agent finds is what they may read: messages of conversations on their
sites only, in every status (waiting, open, resolved), internal notes included
(agents read notes in the thread; a note found says ``internal``), system
messages never (they have no text). The same :class:`filters.Filter` as the
``filter`` request narrows it (site, status, assignee, tag, days).

Each word of the query must match (a word of two letters or more as a prefix:
"pedi" finds "pedidos"), accents and case aside. The indexes and why they are
built so: ``conversations.search_schema`` (PostgreSQL: a generated ``tsvector``
with a GIN index; SQLite: FTS5).

The answer holds:

- ``hits``: messages that match, newest first, each with its conversation, its
  ``seq`` (so the console can open the thread at it) and a snippet
  (``conversations.snippets``: parts, never markup), paged by ``cursor``;
- ``visitors`` (first page only): the latest conversations of visitors whose
  name or e-mail matches, with the matching field's snippet;
- ``conversations``: the console view of every conversation the two name.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

from papo.errors import PapoError

from . import filters, snippets
from .models import Conversation, Message
from .search_schema import MESSAGE_FTS, VISITOR_FTS

PAGE = 20
VISITOR_HITS = 10
WINDOW = 20_000  # newest messages read in order before the index is asked for the rest
WIDE_WINDOW = 200_000  # more of them, when the word is common (``_matching_messages``)
COMMON = 100  # matches of the word alone in WINDOW that make it common (0.5 %)
_CURSOR = re.compile(r"m(\d{1,19})")


def _fts5_query(wanted: list[str]) -> str:
    """An FTS5 query of folded words (``\\w`` only, so quoting them is enough)."""
    return " ".join(f'"{t}"*' if len(t) > 1 else f'"{t}"' for t in wanted)


# The SQL below names constant tables only; what the agent typed is always a parameter.
_TABLE = Message._meta.db_table
_PG_MESSAGES = f'"{_TABLE}"."search_doc" @@ papo_query(%s)'
_FTS5_MESSAGES = f'"{_TABLE}"."id" IN (SELECT rowid FROM {MESSAGE_FTS} WHERE {MESSAGE_FTS} MATCH %s)'  # noqa: E501, S608
_PG_VISITORS = ("SELECT id FROM visitors_visitor "
                "WHERE papo_visitor_doc(name, email) @@ papo_query(%s)")
_FTS5_VISITORS = f"SELECT rowid FROM {VISITOR_FTS} WHERE {VISITOR_FTS} MATCH %s"  # noqa: S608


def _message_match(q: str, wanted: list[str]) -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL(_PG_MESSAGES, (q,), output_field=BooleanField())  # noqa: S611
    return RawSQL(_FTS5_MESSAGES, (_fts5_query(wanted),),  # noqa: S611
                  output_field=BooleanField())


def _matching_visitors(q: str, wanted: list[str]) -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL(_PG_VISITORS, (q,))  # noqa: S611
    return RawSQL(_FTS5_VISITORS, (_fts5_query(wanted),))  # noqa: S611


def _before(cursor: object) -> int | None:
    """The message id a page ends before (None: the newest)."""
    if cursor is None:
        return None
    m = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if m is None:
        raise PapoError("invalid", "cursor is not one this server gave")
    return int(m.group(1))


_FIELDS = ("pk", "conversation_id", "seq", "author", "internal", "created_at", "body")


def _matching_messages(f: filters.Filter, q: str, wanted: list[str], before: int | None,
                       n: int) -> list[tuple]:
    """Up to ``n`` matching messages, newest first, below id ``before``.

    In steps, because PostgreSQL cannot tell a rare word from a common one when the
    word is a prefix (its estimate is a fixed 0.5 % of the rows). Left to itself it
    walked the messages newest first looking for matches: quick for a common word,
    all 1,000,000 rows for a rare one (0.5 to 1.2 s in bench/search.py). Sorting
    every match from the full-text index instead is quick for a rare word and slow
    for a common one (0.3 s for a common word narrowed to resolved chats). So:

    1. the newest :data:`WINDOW` messages, newest first (bounded work, and enough
       for a common word);
    2. if the page is not full and the word alone is common in that window (the
       filters, not the word, were the rare part), :data:`WIDE_WINDOW` more, in order;
    3. the rest through the full-text index, sorted: few rows by now, or the word
       would have filled the window.
    """
    matching = Message.objects.filter(f.q("conversation__"), _message_match(q, wanted))

    def walk(lo: int, hi: int) -> list[tuple]:
        return list(matching.filter(pk__gte=lo, pk__lt=hi).order_by("-pk")
                    .values_list(*_FIELDS)[: n - len(rows)])

    top = before if before is not None else (
        Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows: list[tuple] = []
    lo = max(0, top - WINDOW)
    rows += walk(lo, top)
    if len(rows) < n and lo > 0:
        word_alone = Message.objects.filter(_message_match(q, wanted), pk__gte=lo, pk__lt=top)
        if word_alone.values("pk")[:COMMON].count() >= COMMON:
            lo, hi = max(0, lo - WIDE_WINDOW), lo
            rows += walk(lo, hi)
    if len(rows) < n and lo > 0:
        # "pk + 0": an order no index gives, so the full-text index finds the rows
        rest = (matching.filter(pk__lt=lo).annotate(newest=F("pk") + 0)
                .order_by("-newest").values_list(*_FIELDS))
        rows += list(rest[: n - len(rows)])
    return rows


def _visitor_hit(conv: Conversation, wanted: list[str]) -> dict:
    name, email = conv.visitor.name, conv.visitor.email
    named = any(part["match"] for part in snippets.parts(name, wanted))
    field, text = ("name", name) if named or not email else ("email", email)
    return {"conversation": conv.pk, "field": field, "snippet": snippets.parts(text, wanted)}


def search(user, frame: dict) -> dict:
    """The ``search`` request (``realtime.protocol`` checked the fields' shapes)."""
    f = filters.parse(user, frame)
    q: str = frame["q"]
    wanted = snippets.terms(q)
    cursor = frame.get("cursor")
    before = _before(cursor)
    limit = frame.get("limit") or PAGE
    answer: dict = {"q": q, "visitors": [], "hits": [], "conversations": [], "cursor": None}
    if not wanted:
        return answer
    rows = _matching_messages(f, q, wanted, before, limit + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        answer["cursor"] = f"m{rows[-1][0]}"
    answer["hits"] = [
        {"conversation": conv, "seq": seq, "author": author, "internal": internal,
         "created_at": created.isoformat(), "snippet": snippets.parts(body, wanted)}
        for _, conv, seq, author, internal, created, body in rows]
    if cursor is None:
        found = list(Conversation.objects.filter(
            f.q(), visitor_id__in=_matching_visitors(q, wanted))
            .select_related("visitor").order_by("-updated_at", "-pk")[:VISITOR_HITS])
        answer["visitors"] = [_visitor_hit(c, wanted) for c in found]
    ids = list(dict.fromkeys([h["conversation"] for h in answer["visitors"]]
                             + [h["conversation"] for h in answer["hits"]]))
    convs = filters.with_last_message(Conversation.objects.filter(pk__in=ids))
    by_id = {v["id"]: v for v in filters.views(list(convs))}
    answer["conversations"] = [by_id[i] for i in ids if i in by_id]
    return answer
