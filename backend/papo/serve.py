"""Run Papo under daphne with Papo's own transport limits.

``python -m papo.serve --port 8000`` is daphne with:
- the WebSocket message and frame cap set to ``PAPO_MAX_FRAME_BYTES`` (64 KiB),
  so an oversized frame is refused by the protocol layer with close code 1009
  before it is buffered or parsed;
- a listen backlog of ``PAPO_LISTEN_BACKLOG`` (default 2048) instead of
  Twisted's 50, which a reconnect storm overflows.

- protocol failures (such as that 1009) sent as a close frame the client can
  read, instead of autobahn's default of dropping the TCP connection (1006).

Any other daphne option can follow (e.g. ``--proxy-headers``).
"""

from __future__ import annotations

import argparse
import os
import sys


def close_cleanly_on_protocol_errors() -> None:
    """Make autobahn send the close code (e.g. 1009) rather than drop the socket."""
    from autobahn.websocket.protocol import WebSocketServerFactory

    reset = WebSocketServerFactory.resetProtocolOptions

    def reset_without_drop(self) -> None:
        reset(self)
        self.failByDrop = False

    WebSocketServerFactory.resetProtocolOptions = reset_without_drop


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.settings")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bind", default=os.environ.get("PAPO_BIND", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args, rest = parser.parse_known_args(argv)

    import django

    django.setup()
    from daphne.cli import CommandLineInterface
    from django.conf import settings

    close_cleanly_on_protocol_errors()
    cap = str(settings.PAPO["MAX_FRAME_BYTES"])
    backlog = os.environ.get("PAPO_LISTEN_BACKLOG", "2048")
    interface = args.bind.replace(":", r"\:")
    CommandLineInterface().run([
        "-e", f"tcp:port={args.port}:interface={interface}:backlog={backlog}",
        "--websocket-max-message-size", cap,
        "--websocket-max-frame-size", cap,
        *rest,
        "papo.asgi:application",
    ])


if __name__ == "__main__":
    main(sys.argv[1:])
