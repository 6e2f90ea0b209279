"""The visitor's rating of a conversation, and the figures made from ratings.

A rating is a score from 1 to 5 and an optional comment, stored on the
conversation (``rating_score``, ``rating_comment``, ``rated_at``) once it is
resolved, by its own visitor, once: a second rating is refused, so a
conversation's score (and any CSAT figure made from it) never changes after
the fact, and a double submit cannot count twice. It is an event in the
stream like any other: a ``rated`` system message, and a ``rated``
conversation event for the site's consoles.

The queries below are what the console shows per agent and what a report
(CSAT per site or per agent over a period) is built on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from papo.errors import PapoError
from visitors.models import Visitor

from . import access, messages
from .models import Conversation, Message

SCORES = range(1, 6)
COMMENT_MAX = 1000
WINDOW_DAYS = 30  # the agents' directory sums the ratings of this many days


def check_rating(score: object, comment: object) -> tuple[int, str]:
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        raise PapoError("invalid", "score must be an integer from 1 to 5")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise PapoError("invalid", "comment must be a string")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise PapoError("invalid", f"comment is longer than {COMMENT_MAX} characters")
    if "\x00" in comment:
        raise PapoError("invalid", "comment contains a NUL character")
    return score, comment


def do_rate(visitor: Visitor, conversation_id: object, score: object,
            comment: object = "") -> Conversation:
    """Store the visitor's rating of their resolved conversation, once.

    Refused (nothing changed): another visitor's or site's conversation
    (``not_found``), one that is not resolved, or one already rated
    (``invalid_state``). The ``rated`` message's data holds the score (as text,
    as every system data value) and the comment; the widget's copy of it leaves
    the comment out (``serializers.message``): it is feedback for the team, and
    the visitor already knows what they wrote.
    """
    score, comment = check_rating(score, comment)
    with transaction.atomic():
        conv = access.get_visitors_own(visitor, conversation_id, lock=True)
        if conv.status != Conversation.Status.RESOLVED:
            raise PapoError("invalid_state", "only a resolved conversation can be rated")
        if conv.rated_at is not None:
            raise PapoError("invalid_state", "this conversation is already rated")
        conv.rating_score, conv.rating_comment, conv.rated_at = score, comment, timezone.now()
        conv.save(update_fields=["rating_score", "rating_comment", "rated_at"])
        messages.append(conv, author=Message.Author.SYSTEM, event="rated",
                        data={"score": str(score), "comment": comment})
        messages.publish_conversation(conv, "rated")
    return conv


# --- figures ---------------------------------------------------------------------------------
def rated(site_ids: list[int], since: datetime | None = None,
          until: datetime | None = None) -> QuerySet[Conversation]:
    """The rated conversations of these sites, rated in ``[since, until)``."""
    qs = Conversation.objects.filter(site_id__in=site_ids, rated_at__isnull=False)
    if since is not None:
        qs = qs.filter(rated_at__gte=since)
    if until is not None:
        qs = qs.filter(rated_at__lt=until)
    return qs


def summary(qs: QuerySet[Conversation]) -> dict:
    """``{"average": 4.3, "count": 12}`` of rated conversations (average ``None`` if none)."""
    row = qs.aggregate(average=Avg("rating_score"), count=Count("pk"))
    average = row["average"]
    return {"average": None if average is None else round(float(average), 2),
            "count": row["count"]}


def agent_ratings(site_ids: list[int], days: int = WINDOW_DAYS) -> dict[int, dict]:
    """Per agent (by user id): ``{"average", "count"}`` of the ratings of the last
    ``days`` days on these sites, for the conversations they had when they closed.
    Agents with no rating in the window are absent."""
    since = timezone.now() - timedelta(days=days)
    rows = (rated(site_ids, since).filter(assignee__isnull=False).values("assignee")
            .annotate(average=Avg("rating_score"), count=Count("pk")))
    return {r["assignee"]: {"average": round(float(r["average"]), 2), "count": r["count"]}
            for r in rows}
