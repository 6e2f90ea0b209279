"""The security headers Django 5.2 does not send itself: CSP and Permissions-Policy.

Django's own middleware already sends ``X-Content-Type-Options``,
``Referrer-Policy``, ``Cross-Origin-Opener-Policy`` (SecurityMiddleware) and
``X-Frame-Options`` (XFrameOptionsMiddleware); settings.py names their values.

The policy is strict because nothing Papo serves needs less: the console's
pages carry no inline script, style or event handler (the bundle reads its
configuration from ``data-`` attributes and builds the DOM with text nodes),
and Django 5.2's admin has none either. So a payload that slipped past the
escaping still could not run: no inline script, no ``eval``, no plugin, no
``<base>`` rewrite, no framing, no form posting elsewhere.

It goes on every response, not only pages: on a script or JSON response it is
inert, and an SVG or HTML file opened directly gets the same limits. A view
that needs another policy sets its own header; this one is only a default.

The widget is not covered by this header at all: it runs inside the customer's
page, under the customer's policy (see docs/security.md for what it needs).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    # Neither the console nor the admin uses any of these; a script that got in
    # must not get them either.
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "payment", "usb",
))


def _static_origin() -> str:
    """The origin of STATIC_URL when static files come from elsewhere (a CDN), else ""."""
    parts = urlsplit(settings.STATIC_URL or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(request: HttpRequest) -> str:
    """The policy for one response.

    ``connect-src`` names this host's WebSocket scheme explicitly: CSP 3 says
    ``'self'`` covers ``ws:``/``wss:`` of the same host, but older browsers did
    not agree. The host comes from ``get_host()``, which only returns hosts in
    ALLOWED_HOSTS.
    """
    static = _static_origin()
    own = f"'self' {static}".strip()
    connect = "'self'"
    try:
        connect += f" {'wss' if request.is_secure() else 'ws'}://{request.get_host()}"
    except DisallowedHost:
        pass
    directives = {
        "default-src": "'self'",
        "script-src": own,
        "style-src": own,
        "img-src": f"{own} data:",  # the console's empty favicon is a data: URL
        "font-src": own,
        "connect-src": connect,
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Content-Security-Policy and Permissions-Policy, unless the view set its own."""
    if "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = content_security_policy(request)
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    return response


@sync_and_async_middleware
def security_headers(get_response):
    """The middleware. Sync and async, so daphne's requests take no thread hop for it."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            return add_security_headers(request, await get_response(request))

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            return add_security_headers(request, get_response(request))

    return middleware
