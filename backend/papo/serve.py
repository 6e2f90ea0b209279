"""Run Papo under daphne with Papo's own transport limits.

``python -m papo.serve --port 8000`` is daphne with:
- the WebSocket message and frame cap set to ``PAPO_MAX_FRAME_BYTES`` (64 KiB),
  so an oversized frame is refused by the protocol layer with close code 1009
  before it is buffered or parsed;
- a listen backlog of ``PAPO_LISTEN_BACKLOG`` (default 2048) instead of
  Twisted's 50, which a reconnect storm overflows.

- protocol failures (such as that 1009) sent as a close frame the client can
  read, instead of autobahn's default of dropping the TCP connection (1006).

- the garbage collector tuned for a server holding thousands of sockets
  (:func:`tune_gc`).

Any other daphne option can follow (e.g. ``-v 2``; never ``--proxy-headers``,
docs/security.md says why).
"""

from __future__ import annotations

import argparse
import gc
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


def tune_gc() -> None:
    """Collect less often, and never re-scan what was loaded at startup.

    With thousands of sockets the heap holds millions of objects, and a full
    collection stalls every socket of the process for tens of milliseconds (it
    showed as the p99 of the busy-desk benchmark). ``gc.freeze()`` moves
    Django, the app and the settings out of the collector's sight, and a larger
    first-generation threshold makes young collections rarer; reference cycles
    are still collected, a little later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


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
    tune_gc()
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
