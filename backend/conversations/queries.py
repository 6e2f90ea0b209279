"""Read-only views of conversations for the console (lists, history)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from agents.models import Membership
from papo.errors import PapoError
from sites.models import Site

from . import access, messages, serializers, tags
from .models import Conversation, Message

BOXES = {
    "queue": ({"status": Conversation.Status.WAITING}, ("queued_at", "pk")),
    "mine": ({"status": Conversation.Status.OPEN}, ("-updated_at", "-pk")),
    "open": ({"status": Conversation.Status.OPEN}, ("-updated_at", "-pk")),
    "resolved": ({"status": Conversation.Status.RESOLVED}, ("-resolved_at", "-pk")),
}


def search_filter(q: str) -> Q:
    """Conversations whose visitor's name or email, or any message, contains ``q``."""
    words = Message.objects.filter(conversation=OuterRef("pk"), body__icontains=q)
    return Q(visitor__name__icontains=q) | Q(visitor__email__icontains=q) | Q(Exists(words))


def list_conversations(user, box: str, site_key: str | None = None, before: int | None = None,
                       limit: int | None = None, q: str | None = None) -> tuple[list[dict], bool]:
    filters, order = BOXES[box]
    limit = limit or 50
    qs = access.visible_conversations(user).filter(**filters)
    q = (q or "").strip()
    if q:
        qs = qs.filter(search_filter(q))
    if box == "mine":
        qs = qs.filter(assignee=user)
    if site_key is not None:
        if not Membership.objects.filter(user=user, site__key=site_key).exists():
            raise PapoError("not_found", "no such site")
        qs = qs.filter(site__key=site_key)
    if before is not None:
        qs = qs.filter(pk__lt=before) if order[0].startswith("-") else qs.filter(pk__gt=before)
    last_id = Subquery(
        Message.objects.filter(conversation=OuterRef("pk")).order_by("-seq").values("pk")[:1]
    )
    rows = list(
        qs.select_related("site", "visitor", "assignee")
        .annotate(last_message_id=last_id)
        .order_by(*order)[: limit + 1]
    )
    tags.attach(rows)
    lasts = Message.objects.select_related("agent").in_bulk(  # previews name the author
        [r.last_message_id for r in rows if r.last_message_id])
    return (
        [serializers.conversation_for_console(r, lasts.get(r.last_message_id))
         for r in rows[:limit]],
        len(rows) > limit,
    )


def counts(user) -> dict[str, int]:
    visible = access.visible_conversations(user)
    return {
        "queue": visible.filter(status=Conversation.Status.WAITING).count(),
        "mine": visible.filter(status=Conversation.Status.OPEN, assignee=user).count(),
        "open": visible.filter(status=Conversation.Status.OPEN).count(),
    }


def history(user, conversation_id: int, *, before_seq=None, after_seq=None, limit=None):
    conv = access.get_visible(user, conversation_id)
    rows, has_more = messages.page(conv, before_seq=before_seq, after_seq=after_seq, limit=limit)
    return conv, rows, has_more


def visitor_history(user, conversation_id: int, limit: int = 20) -> dict:
    """The other conversations of this conversation's visitor, newest first."""
    conv = access.get_visible(user, conversation_id)
    rows = list(
        Conversation.objects.filter(visitor_id=conv.visitor_id, site_id=conv.site_id)
        .exclude(pk=conv.pk)
        .select_related("site", "visitor", "assignee")
        .annotate(last_message_id=Subquery(
            Message.objects.filter(conversation=OuterRef("pk")).order_by("-seq")
            .values("pk")[:1]))
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    tags.attach(rows)
    lasts = Message.objects.select_related("agent").in_bulk(  # previews name the author
        [r.last_message_id for r in rows if r.last_message_id])
    return {
        "visitor": conv.visitor.public_id,
        "conversations": [serializers.conversation_for_console(r, lasts.get(r.last_message_id))
                          for r in rows[:limit]],
        "has_more": len(rows) > limit,
    }


def last_seqs(conversation_ids: list[int]) -> dict[int, int]:
    """Each conversation's ``last_seq`` (the newest message's seq), by id."""
    return dict(Conversation.objects.filter(pk__in=conversation_ids)
                .values_list("pk", "last_seq"))


def watched_ids(user) -> list[int]:
    """Open conversations assigned to ``user``: their consoles always watch these."""
    return list(
        Conversation.objects.filter(assignee=user, status=Conversation.Status.OPEN)
        .values_list("pk", flat=True)
    )


def site_ids_of(user) -> list[int]:
    return list(Site.objects.filter(members__user=user).values_list("pk", flat=True))
