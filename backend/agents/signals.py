"""What ends an agent's console access, wired to Django's signals (``AgentsConfig.ready``).

Each receiver only names the user (and the session or site) and hands over to
``agents.sessions`` / ``agents.actions`` / ``conversations.routing`` (whose open
chats must go back to the queue); the sockets decide with ``sessions.access_verdict``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save

from conversations import routing

from . import actions, sessions
from .models import Membership


def on_logged_out(sender, request, user, **kwargs) -> None:
    """End the sockets of the session being logged out (sent before it is flushed)."""
    if user is None:
        return
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    sessions.do_end_agent_sockets(user.pk, session_key=session_key)


def on_user_saved(sender, instance, created: bool, **kwargs) -> None:
    """A deactivated user's sockets end (saving an inactive user again is harmless)."""
    if not created and not instance.is_active:
        sessions.do_end_agent_sockets(instance.pk)
        routing.requeue_chats_of(instance.pk)


def on_membership_deleted(sender, instance: Membership, **kwargs) -> None:
    """Removed by ``actions.do_remove_membership``, or with its site or user."""
    actions.membership_removed(instance.user_id, instance.site_id)


def connect() -> None:
    user_logged_out.connect(on_logged_out, dispatch_uid="papo.agents.logged_out")
    post_save.connect(on_user_saved, sender=get_user_model(),
                      dispatch_uid="papo.agents.user_saved")
    post_delete.connect(on_membership_deleted, sender=Membership,
                        dispatch_uid="papo.agents.membership_deleted")
