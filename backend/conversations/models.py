"""Conversations and their messages: the source of truth for everything said.

Live events are hints; clients heal any gap by asking for ``seq > last_seen``.
``Conversation.last_seq`` is the per-conversation counter that numbers messages;
it is only ever advanced inside the transaction that inserts the message, while
the conversation row is locked (see ``conversations.actions``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class EndedBy(models.TextChoices):
        AGENT = "agent", _("Agent")
        VISITOR = "visitor", _("Visitor")

    site = models.ForeignKey(
        "papo_sites.Site", on_delete=models.CASCADE, related_name="conversations"
    )
    visitor = models.ForeignKey(
        "visitors.Visitor", on_delete=models.CASCADE, related_name="conversations"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    # The last seq the visitor may see (internal notes share the counter but not
    # the audience): the widget's ``last_seq``, and the "previous visible seq"
    # that live events carry so the widget socket does not mistake a note for a gap.
    visible_seq = models.PositiveIntegerField(default=0, editable=False)
    visitor_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    first_agent_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Who closed it last: an agent (resolve) or the visitor (end); "" while it is not closed.
    ended_by = models.CharField(max_length=10, choices=EndedBy.choices, blank=True, default="")
    # The visitor's rating, once per conversation (``conversations.ratings``): all three
    # are set together, and a second rating is refused, so a CSAT figure never moves.
    rating_score = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True, default="")
    rated_at = models.DateTimeField(null=True, blank=True)
    # Written while nobody could answer (the site closed, or no agent online), or
    # still waiting when that became so: a message left for later, not a place in
    # a live queue. It is never closed as abandoned, and its wait is not counted
    # in the queue's estimate (conversations/queue.py).
    left_message = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            # Two tabs or a double click can never open two live conversations.
            models.UniqueConstraint(
                fields=["site", "visitor"],
                condition=~models.Q(status="resolved"),
                name="one_unresolved_conversation_per_visitor",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_score__isnull=True)
                | models.Q(rating_score__gte=1, rating_score__lte=5),
                name="rating_score_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "queued_at"]),
            # each agent's open chats, which routing counts for every agent of the site
            # on every new chat (on the index above that read all of the site's open chats)
            models.Index(fields=["site", "assignee", "status"], name="conv_agent_load"),
            # ratings per agent and per site over a window (``conversations.ratings``)
            models.Index(fields=["assignee", "rated_at"], name="conv_agent_ratings"),
            models.Index(fields=["site", "rated_at"], name="conv_site_ratings"),
            # the site's latest first replies: the queue's wait estimate
            models.Index(fields=["site", "first_agent_reply_at"], name="conv_first_replies"),
            # the console's filtered lists, newest activity first (``conversations.filters``).
            # updated_at moves with every message, so indexing it costs every message's
            # conversation UPDATE its HOT path: one index for all the lists, not more.
            models.Index(fields=["site", "status", "updated_at", "id"],
                         name="conv_site_status_activity"),
            # ... and a range of days they started in (created_at never moves: no such cost)
            models.Index(fields=["site", "created_at"], name="conv_site_started"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.visitor} ({self.status})"


class Message(models.Model):
    class Author(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    author = models.CharField(max_length=10, choices=Author.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    # System messages record conversation events ("assigned", "resolved", ...);
    # ``data`` carries their details (agent names) for clients to render.
    event = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # An agent-only note: published to console groups only, never to the visitor.
    internal = models.BooleanField(default=False)
    # The files it carries, as the message shows them (attachments.models.Attachment.
    # as_message_file), kept with it so that every read serialises it without another
    # query; the links to them are made for each reader (conversations.serializers).
    files = models.JSONField(default=list, blank=True)
    # NULL, not "", for system messages: the unique constraint skips NULLs.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="one_message_per_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id}.{self.seq} {self.author}: {self.body[:40]}"


class Tag(models.Model):
    """A site's label for conversations ("billing", "bug"), with its colour.

    The site's owners and admins keep the list (``conversations.tags``); any agent of
    the site puts tags on its conversations and takes them off. Agent-only: a visitor
    never hears of tags."""

    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)
    # "#rrggbb", lower case: the console picks the text colour that reads on it
    color = models.CharField(max_length=7)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            # case-blind: "Billing" and "billing" are one tag
            models.UniqueConstraint("site", Lower("name"), name="one_tag_per_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ConversationTag(models.Model):
    """A tag on a conversation: who put it there and when (a report per tag counts these)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "tag"], name="one_link_per_tag"),
        ]
        # the filter by tag: a tag's conversations (the constraint's index serves the
        # other way, a conversation's tags)
        indexes = [models.Index(fields=["tag", "conversation"], name="convtag_by_tag")]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.tag_id}"
