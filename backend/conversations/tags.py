"""Tags: a site's labels for conversations, each with its colour.

Who may do what (checked here, whatever client asks):

- a site's owners and admins keep its list of tags (create, rename, recolour, delete);
- any agent of the site puts the site's tags on its conversations and takes them off;
- nobody else: another site's tag or conversation looks like a missing one
  (``not_found``), so ids cannot be probed.

Same shape as every Papo action: checks raise ``PapoError`` and change nothing,
the write is one transaction, and events go out after commit to every console of
the site: ``tags`` (the site's whole list, after it changed) and ``conversation``
with the event ``tagged`` (the conversation's view, whose ``tags`` lists its tag
ids). Tags are agent-only: nothing here is ever published to a visitor's group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from agents.access import manager_of
from bus import events, groups
from papo.errors import PapoError
from papo.text import without_bidi_controls

from . import access, serializers
from .models import Conversation, ConversationTag, Tag

MAX_NAME = 40
MAX_TAGS_PER_SITE = 200
MAX_TAGS_PER_CONVERSATION = 20
_COLOR = re.compile(r"#[0-9a-f]{6}")
_SPACES = re.compile(r"\s+")


# --- reading ----------------------------------------------------------------------------
def as_view(tag: Tag, site_key: str) -> dict:
    return {"id": tag.pk, "site": site_key, "name": tag.name, "color": tag.color}


def site_tags(site_id: int, site_key: str) -> list[dict]:
    return [as_view(t, site_key) for t in Tag.objects.filter(site_id=site_id).order_by("name")]


def tags_of(user) -> list[dict]:
    """The tags of every site ``user`` is an agent of (the console's ``welcome``)."""
    rows = (Tag.objects.filter(site__members__user=user).select_related("site")
            .order_by("site__name", "name"))
    return [as_view(t, t.site.key) for t in rows]


def ids_by_conversation(conversation_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each conversation's tag ids (by tag name), in one query."""
    out: dict[int, list[int]] = {}
    for conv, tag in (ConversationTag.objects.filter(conversation_id__in=list(conversation_ids))
                      .order_by("tag__name").values_list("conversation_id", "tag_id")):
        out.setdefault(conv, []).append(tag)
    return out


def attach(conversations: list[Conversation]) -> list[Conversation]:
    """Give each row its tag ids for ``serializers.conversation_for_console`` (one query
    for a whole page instead of one per row)."""
    known = ids_by_conversation(c.pk for c in conversations)
    for conv in conversations:
        conv.papo_tags = known.get(conv.pk, [])
    return conversations


# --- checks -----------------------------------------------------------------------------
def clean_name(name: object) -> str:
    """One line of at most 40 characters, spaces collapsed, no bidi controls."""
    if not isinstance(name, str):
        raise PapoError("invalid", "name must be a string")
    name = _SPACES.sub(" ", without_bidi_controls(name)).strip()
    if not name:
        raise PapoError("invalid", "a tag needs a name")
    if len(name) > MAX_NAME or not name.isprintable():
        raise PapoError("invalid", f"a tag's name is at most {MAX_NAME} printable characters")
    return name


def clean_color(color: object) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color.lower()):
        raise PapoError("invalid", "color must be #rrggbb")
    return color.lower()


def _tag_of_site(user, tag_id: object, *, lock: bool = False) -> Tag:
    """A tag of a site ``user`` is an agent of; any other looks missing."""
    if not isinstance(tag_id, int) or isinstance(tag_id, bool):
        raise PapoError("invalid", "tag must be a tag id")
    qs = Tag.objects.select_related("site").filter(pk=tag_id, site__members__user=user)
    tag = (qs.select_for_update(of=("self",)) if lock else qs).first()
    if tag is None:
        raise PapoError("not_found", "no such tag")
    return tag


# --- the site's list --------------------------------------------------------------------
def publish_tags(site_id: int, site_key: str) -> None:
    events.publish(groups.site_agents(site_id),
                   {"type": "tags", "site": site_key, "tags": site_tags(site_id, site_key)},
                   site=site_id)


def do_save_tag(user, site_key: object, name: object, color: object,
                tag_id: object = None) -> dict:
    """Create (no id) or change a tag of a site ``user`` keeps the tags of."""
    name, color = clean_name(name), clean_color(color)
    with transaction.atomic():
        site = manager_of(user, site_key).site
        if tag_id is None:
            if Tag.objects.filter(site=site).count() >= MAX_TAGS_PER_SITE:
                raise PapoError("invalid", f"a site has at most {MAX_TAGS_PER_SITE} tags")
            tag = Tag(site=site)
        else:
            tag = _tag_of_site(user, tag_id, lock=True)
            if tag.site_id != site.pk:
                raise PapoError("not_found", "no such tag")
        if Tag.objects.filter(site=site, name__iexact=name).exclude(pk=tag.pk).exists():
            raise PapoError("invalid", f"the tag {name!r} already exists")
        tag.name, tag.color = name, color
        try:
            with transaction.atomic():
                tag.save()
        except IntegrityError as exc:  # a concurrent save took the name
            raise PapoError("invalid", f"the tag {name!r} already exists") from exc
        publish_tags(site.pk, site.key)
        return as_view(tag, site.key)


def do_delete_tag(user, tag_id: object) -> int:
    """Delete a tag (and take it off every conversation: the ``tags`` event says so)."""
    with transaction.atomic():
        tag = _tag_of_site(user, tag_id, lock=True)
        manager_of(user, tag.site.key)
        site_id, site_key, pk = tag.site_id, tag.site.key, tag.pk
        tag.delete()
        publish_tags(site_id, site_key)
    return pk


# --- on conversations -------------------------------------------------------------------
def publish_tagged(conv: Conversation) -> None:
    """The conversation's new view to every console of its site (never to the visitor).

    ``assignee`` and ``last_seq`` as ``messages.publish_conversation`` gives them: a
    console follows assignment by these on every conversation event."""
    last = conv.messages.order_by("-seq").first()
    events.publish(
        groups.site_agents(conv.site_id),
        {"type": "conversation", "event": "tagged",
         "conversation": serializers.conversation_for_console(conv, last)},
        site=conv.site_id, conversation=conv.pk, last_seq=conv.last_seq,
        assignee=conv.assignee_id if conv.status == Conversation.Status.OPEN else None,
    )


def do_tag(user, conversation_id: int, tag_id: object, *, on: bool) -> Conversation:
    """Put a tag on a conversation (``on``) or take it off; the same twice changes
    nothing and tells nobody. Any agent of the site may, in any status."""
    with transaction.atomic():
        conv = access.get_visible(user, conversation_id, lock=True)
        tag = _tag_of_site(user, tag_id)
        if tag.site_id != conv.site_id:
            raise PapoError("not_found", "no such tag")
        links = ConversationTag.objects.filter(conversation=conv)
        if on:
            if links.filter(tag=tag).exists():
                return conv
            if links.count() >= MAX_TAGS_PER_CONVERSATION:
                raise PapoError("invalid", f"a conversation has at most "
                                           f"{MAX_TAGS_PER_CONVERSATION} tags")
            ConversationTag.objects.create(conversation=conv, tag=tag, added_by=user)
        elif not links.filter(tag=tag).delete()[0]:
            return conv
        publish_tagged(conv)
    return conv
