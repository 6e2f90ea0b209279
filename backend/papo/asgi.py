"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Each socket route carries its own security: the widget route has no session
or auth middleware at all (a visitor is their signed token; the per-site
origin check runs in the consumer's handshake), the console route has
Django's session auth and checks that the Origin is our own.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware, InstanceSessionWrapper  # noqa: E402
from django.urls import re_path  # noqa: E402

from papo import body_cap, request_connections  # noqa: E402
from realtime.consumers.console import ConsoleConsumer  # noqa: E402
from realtime.consumers.widget import WidgetConsumer  # noqa: E402

request_connections.install()


async def refuse(scope, receive, send):
    """Any other socket path: refuse the handshake (HTTP 403), no stack trace."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


class SocketSessionMiddleware:
    """Channels' ``SessionMiddleware`` for a socket: the session in the scope, and
    the socket's own ``send``.

    Channels' version wraps ``send`` to save a changed session when an HTTP response
    starts; a socket sends no such message, yet the wrapper read the session (two
    lazy-object lookups) on every frame a console was sent."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


widget_routes = URLRouter([
    re_path(r"^ws/widget/(?P<site_key>[A-Za-z0-9_-]{1,64})/$", WidgetConsumer.as_asgi()),
    re_path(r"", refuse),
])
console_routes = CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(URLRouter([
    re_path(r"^ws/console/$", ConsoleConsumer.as_asgi()),
    re_path(r"", refuse),
]))))


async def websocket_router(scope, receive, send):
    """Dispatch by path so the console's auth middleware never wraps the widget."""
    path = scope.get("path", "")
    if path.startswith("/ws/widget/"):
        return await widget_routes(scope, receive, send)
    return await console_routes(scope, receive, send)


# Request bodies capped, and large ones read a chunk at a time (papo/body_cap.py)
application = ProtocolTypeRouter({"http": body_cap.guard(django_asgi_app),
                                  "websocket": websocket_router})
