"""Who may see which conversation. One rule, used by every agent-side action (and one
for a visitor's own: :func:`get_visitors_own`)."""

from __future__ import annotations

from django.db.models import QuerySet

from agents.models import Membership
from papo import staff as staff_rules
from papo.errors import PapoError

from .models import Conversation


def membership(user, site_id: int) -> Membership:
    try:
        return Membership.objects.get(user=user, site_id=site_id)
    except Membership.DoesNotExist as exc:
        raise PapoError("not_found", "no such conversation") from exc


def visible_conversations(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(site__members__user=user)


def get_visible(user, conversation_id: int, *, lock: bool = False) -> Conversation:
    """The conversation, if ``user`` is an agent of its site; else ``not_found``.

    Other sites' conversations look exactly like missing ones, so ids can't be
    probed. With ``lock`` the row is locked for the rest of the transaction
    (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
    """
    conv = _get(conversation_id, lock)
    if not Membership.objects.filter(user=user, site_id=conv.site_id).exists():
        raise PapoError("not_found", "no such conversation")
    return conv


def get_for(user, conversation_id: int, *, lock: bool = False,
            staff: bool = False) -> Conversation:
    """:func:`get_visible` for an agent; with ``staff`` (the Django admin, see
    ``papo.staff``) any conversation, once ``user`` holds the admin's permission
    to change conversations. An agent's socket never passes ``staff``."""
    if not staff:
        return get_visible(user, conversation_id, lock=lock)
    staff_rules.require(user, "conversations.change_conversation")
    return _get(conversation_id, lock)


def get_visitors_own(visitor, conversation_id: object, *, lock: bool = False) -> Conversation:
    """The visitor's own conversation on their site, else ``not_found``: another
    visitor's, another site's and a missing one look the same, so ids can't be probed."""
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        raise PapoError("invalid", "conversation must be a conversation id (integer)")
    qs = Conversation.objects.select_related("site", "visitor", "assignee").filter(
        pk=conversation_id, site_id=visitor.site_id, visitor__public_id=visitor.public_id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    conv = qs.first()
    if conv is None:
        raise PapoError("not_found", "no such conversation")
    return conv


def _get(conversation_id: int, lock: bool) -> Conversation:
    qs = Conversation.objects.select_related("site", "visitor", "assignee")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise PapoError("not_found", "no such conversation") from exc
