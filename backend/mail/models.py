"""What Papo mailed, who asked not to be mailed, and the links its mails carry."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentMail(models.Model):
    """One mail Papo decided to send, by a key that makes sending it idempotent.

    A task may run twice (its worker died and it was given back): the second
    run finds the key and sends nothing. The rows are also what the daily caps
    count (``mail.caps``) and what an operator reads to see what went out.
    """

    class Kind(models.TextChoices):
        UNANSWERED = "unanswered", "Unanswered chat (to the site)"
        FOLLOWUP = "followup", "Reply the visitor did not see"
        TRANSCRIPT = "transcript", "Transcript (to the visitor)"
        SITE_TRANSCRIPT = "site_transcript", "Transcript (to the site)"
        INVITE = "invite", "Invitation to a site (set a password)"
        ADDED = "added", "Added to a site"

    class Status(models.TextChoices):
        PENDING = "pending", "Being sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent"

    key = models.CharField(max_length=120, unique=True)
    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE,
                                     null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=200, blank=True)  # why not sent
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["to", "status", "created_at"]),
                   models.Index(fields=["site", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.status}"


class OptOut(models.Model):
    """An address that asked a site's mails to stop (the List-Unsubscribe link)."""

    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "email"], name="one_opt_out")]

    def __str__(self) -> str:
        return f"{self.email} (site {self.site_id})"


class ContinueLink(models.Model):
    """A "continue the chat" link: opens one visitor's conversation in the widget on
    any device, once, before it expires, on the site it was made for."""

    nonce = models.CharField(max_length=43, primary_key=True)
    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey("visitors.Visitor", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"continue conversation {self.conversation_id}"
