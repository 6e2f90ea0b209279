"""The one rule for a client's address, used by HTTP views and WebSocket consumers.

``X-Forwarded-For`` is believed only when the direct peer is one of
``PAPO_TRUSTED_PROXIES``; otherwise anyone could pick the address their
rate limits are counted against.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings


def client_ip(peer: str | None, forwarded_for: str | None) -> str:
    """Return the address to count limits against.

    With a trusted proxy in front, the right-most address in X-Forwarded-For
    that is not itself a trusted proxy is the client (proxies append).
    """
    peer = peer or "unknown"
    trusted = set(settings.PAPO_TRUSTED_PROXIES)
    if not forwarded_for or peer not in trusted:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


def scope_client_ip(scope: dict) -> str:
    """Client address of an ASGI connection scope."""
    peer = (scope.get("client") or [None])[0]
    return client_ip(peer, header(scope, b"x-forwarded-for"))


def header(scope: dict, name: bytes) -> str | None:
    """First value of a header in an ASGI scope, decoded as latin-1 (as HTTP says)."""
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def ratelimit_ip(request) -> str:
    """django-ratelimit's RATELIMIT_IP_META_KEY hook."""
    return client_ip(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))
