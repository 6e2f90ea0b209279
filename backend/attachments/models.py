"""Files visitors and agents attach to messages.

An upload is a row before it is a message's: the file is checked (type from its
bytes, images re-encoded, scanned) and stored when it arrives over HTTP, and a
``send`` names it by ``public_id``. Sending binds it, once, to that message and
its conversation (``attachments.actions.claim``); a file never sent is deleted
by ``attachments.tasks.sweep_orphans``. Rows go with their site, visitor,
conversation or message, and their stored files with them (``signals``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_public_id() -> str:
    """What clients name a file by: 128 random bits, never a row number."""
    return "f_" + secrets.token_urlsafe(16)


class Attachment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id,
                                 editable=False)
    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE,
                             related_name="attachments")
    # Who uploaded it: a visitor, or an agent (kept when the agent's user is deleted:
    # the file is the conversation's by then).
    visitor = models.ForeignKey("visitors.Visitor", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="attachments")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    # The uploader's own id for the upload, so a retry after a lost answer stores nothing twice.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Set when a message carries it; until then it is the uploader's alone.
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE,
                                     null=True, blank=True, related_name="attachments")
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    # False until the file is stored: only a ready upload can be sent.
    ready = models.BooleanField(default=False)

    name = models.CharField(max_length=255)  # attachments.names.safe_name
    content_type = models.CharField(max_length=100)  # from the bytes (attachments.sniff)
    kind = models.CharField(max_length=20)  # sites.models.FILE_TYPES
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file_key = models.CharField(max_length=255)  # in storages["attachments"]
    thumb_key = models.CharField(max_length=255, blank=True)
    scan = models.CharField(max_length=10, blank=True)  # clean | off | unscanned

    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["message_id", "position"]  # no join: rows are locked with FOR UPDATE
        constraints = [
            models.UniqueConstraint(
                fields=["site", "visitor", "client_id"],
                condition=models.Q(client_id__isnull=False, visitor__isnull=False),
                name="one_upload_per_visitor_client_id"),
            models.UniqueConstraint(
                fields=["site", "agent", "client_id"],
                condition=models.Q(client_id__isnull=False, agent__isnull=False),
                name="one_upload_per_agent_client_id"),
        ]
        indexes = [
            # the orphan sweep: unsent uploads, oldest first
            models.Index(fields=["created_at"], condition=models.Q(message__isnull=True),
                         name="unsent_uploads"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.name} ({self.content_type}, {self.size} B)"

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    def as_upload(self, duplicate: bool = False) -> dict:
        """The answer to its upload: what the uploader may name in a ``send``."""
        return {"id": self.public_id, "name": self.name, "type": self.content_type,
                "size": self.size, "width": self.width, "height": self.height,
                "duplicate": duplicate}

    def as_message_file(self) -> dict:
        """What the message keeps of it (``Message.files``): links are made per reader."""
        return {"id": self.public_id, "name": self.name, "type": self.content_type,
                "size": self.size, "width": self.width, "height": self.height,
                "thumb": bool(self.thumb_key)}
