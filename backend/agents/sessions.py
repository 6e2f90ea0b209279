"""When an agent's access ends, their open console sockets end with it.

A console socket is authorised once, at its handshake, from the Django session
cookie. Everything that can take that access away later goes through here:

- **Logout** (``user_logged_out``) ends the sockets opened with *that* session
  only; the agent's other browsers stay connected.
- **Deactivation** (``is_active`` turned off) and **every membership change**
  (one added, removed, or its role or capacity changed: ``agents.actions``) ask
  every socket of the user to re-check its access at once. A console learns
  its sites, roles and capacities only in its welcome, so a socket welcomed
  with other memberships than the user now has ends with ``access_changed``
  (4409) and the console reconnects to be welcomed with the new ones.
- A session that **expired or was deleted** from the store (flushed, removed by
  an admin, its password hash no longer matching) raises no signal: each socket
  re-checks with :func:`access_verdict` on its heartbeat and at most once every
  ``PAPO["SESSION_CHECK_SECONDS"]`` while frames flow (``ConsoleConsumer``).

Signals publish after commit to the agent's group (``bus.groups.agent``),
so every process hears it through the channel layer. The consumer decides with
:func:`access_verdict`, the one rule for "may this socket stay open".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user, get_user_model

from bus import events, groups

from .models import Membership

# The channel-layer message type; ``ConsoleConsumer.papo_access`` handles it.
ACCESS_MESSAGE = "papo.access"


@dataclass(frozen=True)
class Ending:
    """Why a console socket ends: the error frame's code and message, then the close code."""

    code: str
    close: int
    message: str


# The close codes are the protocol's (docs/protocol.md, "Close codes").
SESSION_ENDED = Ending("session_ended", 4401, "your session ended (logged out or expired)")
ACCESS_REVOKED = Ending("access_revoked", 4403, "this account no longer has console access")
ACCESS_CHANGED = Ending("access_changed", 4409, "your sites changed; reconnect")

# What a console socket is welcomed with: (site id, role, capacity) of each membership.
Welcomed = frozenset[tuple[int, str, int]]


def session_tag(session_key: str | None) -> str | None:
    """A one-way tag of a session key: what travels on the channel layer instead
    of the key itself, so a bearer credential never sits in Redis messages."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def do_end_agent_sockets(user_id: int, *, session_key: str | None = None) -> None:
    """After commit, tell every console socket of ``user_id`` that its access changed.

    With ``session_key`` only the sockets opened with that session end (a logout);
    without it each socket re-checks :func:`access_verdict` and ends if it fails.
    """
    message = {"type": ACCESS_MESSAGE, "session": session_tag(session_key)}
    events.publish_raw(groups.agent(user_id), message)


@cache
def _read_only_store() -> type:
    """The configured session store, minus the writes ``get_user`` may make.

    On a page load ``get_user`` flushes a session whose hash no longer matches
    and cycles the key of one verified by a ``SECRET_KEY_FALLBACKS`` secret; the
    response then carries the new cookie. A socket can set no cookie, so here
    the same rule only reads: cycling would log out a browser that is fine.
    """
    base = import_module(settings.SESSION_ENGINE).SessionStore

    class ReadOnlySessionStore(base):
        @property
        def key_salt(self) -> str:  # Django salts the data with the store's class name
            return "django.contrib.sessions." + base.__qualname__

        def cycle_key(self) -> None:
            pass

        def flush(self) -> None:
            pass

    return ReadOnlySessionStore


def memberships_of(user_id: int) -> Welcomed:
    """The user's memberships as a console's welcome shows them (see :data:`Welcomed`)."""
    return frozenset(Membership.objects.filter(user_id=user_id)
                     .values_list("site_id", "role", "max_concurrent"))


def access_verdict(user_id: int, session_key: str | None,
                   welcomed: Welcomed | None) -> Ending | None:
    """None while a console socket may stay open, else why it must end.

    The session must still exist, not be expired, and still log in ``user_id``
    the way Django's own ``get_user`` decides for a page load (active user,
    password hash unchanged); the user must still be a member of a site, and
    have exactly the memberships the socket was welcomed with (``welcomed``;
    None before the welcome): a site removed or added, a role or capacity
    changed, and the socket must reconnect to learn them.
    """
    if session_key:
        store = _read_only_store()(session_key)  # a fresh store: never a cached load
        if get_user(SimpleNamespace(session=store)).pk == user_id:
            current = memberships_of(user_id)
            if not current:
                return ACCESS_REVOKED
            if welcomed is not None and current != welcomed:
                return ACCESS_CHANGED
            return None
    active = get_user_model().objects.filter(pk=user_id, is_active=True).exists()
    return SESSION_ENDED if active else ACCESS_REVOKED
