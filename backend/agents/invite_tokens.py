"""The set-password link of an invitation: Django's password-reset tokens, under a
salt of their own, so a reset token is never an invite token nor the reverse.

A token is good once and for a while: it hashes the invitee's password (setting
one ends it), their last login, and their pending invites with the time each was
last sent (re-inviting or revoking ends every link sent before), and expires
after ``PASSWORD_RESET_TIMEOUT`` (``PAPO_INVITE_SECONDS``, three days).
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Invite


class InviteTokens(PasswordResetTokenGenerator):
    key_salt = "papo.agents.invite_tokens.InviteTokens"

    def _make_hash_value(self, user, timestamp: int) -> str:
        pending = sorted((i.pk, i.sent_at.timestamp())
                         for i in Invite.objects.filter(user_id=user.pk))
        return f"{super()._make_hash_value(user, timestamp)}{pending}"

    def check_token(self, user, token) -> bool:
        """Only while an invitation waits: accepted or revoked, the link is spent."""
        return (user is not None and Invite.objects.filter(user_id=user.pk).exists()
                and super().check_token(user, token))


tokens = InviteTokens()


def link_path(user) -> str:
    """The set-password page for ``user``'s pending invites (make it absolute with
    the request's host, or ``mail.links.absolute`` in a mail)."""
    return reverse("console:invite_accept", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)})
