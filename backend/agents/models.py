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
from django.utils.translation import gettext_lazy as _


class Membership(models.Model):
    """A user's place on a site. Roles, each with what the ones below may do:

    - **owner**: everything, and what only an owner may: delete the site, rotate its
      identity secret, make or unmake owners. A site that has an owner always keeps
      one (``agents.actions``);
    - **admin**: the site's settings, its agents (add, invite, change, remove: not
      its owners), canned responses;
    - **agent**: answers the site's chats.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        AGENT = "agent", _("Agent")

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

    @property
    def manages(self) -> bool:
        """May change the site's settings and its agents (an owner or an admin)."""
        return self.role in MANAGERS

    @property
    def owns(self) -> bool:
        return self.role == self.Role.OWNER


# The roles that manage a site (settings, agents, canned responses).
MANAGERS = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})


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


class Invite(models.Model):
    """An invitation to a site that waits for its invitee to set a password
    (``agents.invites``); accepting it makes the membership.

    ``user`` is the invitee's account, made for the address when it had none
    (``new_user``: such an account is removed with its last invite if it was
    never used). ``sent_at`` moves on every re-invite, which ends the links sent
    before it.
    """

    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="invites")
    role = models.CharField(max_length=10, choices=Membership.Role.choices,
                            default=Membership.Role.AGENT)
    max_concurrent = models.PositiveIntegerField("max concurrent conversations", default=5)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    new_user = models.BooleanField(default=False)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_invite_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.site} ({self.role})"
