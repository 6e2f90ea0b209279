"""The one rule for what a proxy may tell us, used by HTTP views and WebSocket consumers.

A proxy's headers (``X-Forwarded-For``: the client's address;
``X-Forwarded-Proto``: whether the client came over TLS) are believed only
when the direct peer, the TCP connection's other end, is one of
``PAPO_TRUSTED_PROXIES``. From anyone else they are the client's own claims:
believed, they would let anyone pick the address their rate limits are
counted against, or claim ``https`` over plain http (and so pass the console
socket's origin check from an ``https://`` page origin, or dodge the HTTPS
redirect). ``from_trusted_proxy`` is that test; ``client_ip``,
``proxy_header`` (WebSocket scopes) and the ``proxy_headers`` middleware
(HTTP requests, before anything reads ``request.is_secure()``) apply it.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware


def from_trusted_proxy(peer: str | None) -> bool:
    """Is the direct peer one of ``PAPO_TRUSTED_PROXIES``, whose headers we believe?"""
    return bool(peer) and peer in settings.PAPO_TRUSTED_PROXIES


def client_ip(peer: str | None, forwarded_for: str | None) -> str:
    """Return the address to count limits against.

    With a trusted proxy in front, the right-most address in X-Forwarded-For
    that is not itself a trusted proxy is the client (proxies append).
    """
    if not forwarded_for or not from_trusted_proxy(peer):
        return peer or "unknown"
    trusted = set(settings.PAPO_TRUSTED_PROXIES)
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


def scope_peer(scope: dict) -> str | None:
    """The direct peer of an ASGI connection scope (a proxy's address, behind one)."""
    return (scope.get("client") or [None])[0]


def scope_client_ip(scope: dict) -> str:
    """Client address of an ASGI connection scope."""
    return client_ip(scope_peer(scope), header(scope, b"x-forwarded-for"))


def proxy_header(scope: dict, name: bytes) -> str | None:
    """A header only a proxy may set (e.g. ``x-forwarded-proto``): its value when
    the scope's direct peer is a trusted proxy, else None, as if it were absent."""
    return header(scope, name) if from_trusted_proxy(scope_peer(scope)) else None


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


# --- HTTP: what Django reads from a proxy ------------------------------------------------------
def _proxy_meta_keys() -> tuple[str, ...]:
    """The request.META keys Django believes a proxy for: the TLS header named by
    ``SECURE_PROXY_SSL_HEADER`` (``request.is_secure()``, hence the HTTPS redirect
    and the CSRF check's scheme), and X-Forwarded-Host/-Port should
    ``USE_X_FORWARDED_HOST``/``_PORT`` ever be switched on. X-Forwarded-For stays:
    ``client_ip`` applies the same rule to it itself."""
    keys = ["HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT"]
    ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if ssl_header and ssl_header[0] not in keys:
        keys.append(ssl_header[0])
    return tuple(keys)


def drop_untrusted_proxy_headers(request: HttpRequest) -> None:
    """Remove the proxy-only headers of a request whose peer is no trusted proxy."""
    if not from_trusted_proxy(request.META.get("REMOTE_ADDR")):
        for key in _proxy_meta_keys():
            request.META.pop(key, None)


@sync_and_async_middleware
def proxy_headers(get_response):
    """The middleware, first in MIDDLEWARE so that nothing (SecurityMiddleware's
    redirect, the CSP's ``ws``/``wss``, CSRF) reads a header a client made up.
    Sync and async, so daphne's requests take no thread hop for it."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            drop_untrusted_proxy_headers(request)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            drop_untrusted_proxy_headers(request)
            return get_response(request)

    return middleware
