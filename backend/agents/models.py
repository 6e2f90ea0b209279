"""Agents: who answers for which site, how much they can take, and whether they are here.

Presence has two halves. ``Presence.status`` is what the agent chose (online or
away). ``AgentConnection`` rows are live console sockets, each refreshed by a
heartbeat; a row older than ``PRESENCE_TTL`` is a dead socket (its process may
have been killed before ``disconnect()`` ran). An agent is *online* when they
chose online and hold at least one fresh connection. Both live in the database
so every daphne process sees the same answer, and routing can read them in the
same transaction that assigns a conversation.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Membership(models.Model):
    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        ADMIN = "admin", "Admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    max_concurrent = models.PositiveIntegerField("max concurrent conversations", default=5)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_membership_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site} ({self.role})"


class Presence(models.Model):
    class Status(models.TextChoices):
        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ONLINE)
    # When the agent last got a conversation: routing's tie-break (idle longest first).
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # When the last live connection was seen: the grace period counts from here.
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.status}"


class AgentConnection(models.Model):
    """One open console socket, kept fresh by heartbeats."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_connections"
    )
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.user} via {self.channel_name}"


def fresh_since() -> timezone.datetime:
    """Connections seen after this instant are alive."""
    return timezone.now() - timedelta(seconds=settings.PAPO["PRESENCE_TTL"])
