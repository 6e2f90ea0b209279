"""Run Papo under daphne with Papo's own transport limits.

``python -m papo.serve --port 8000`` is daphne with:
- the WebSocket message and frame cap set to ``PAPO_MAX_FRAME_BYTES`` (64 KiB),
  so an oversized frame is refused by the protocol layer with close code 1009
  before it is buffered or parsed;
- a listen backlog of ``PAPO_LISTEN_BACKLOG`` (default 4096; the kernel caps
  it at ``net.core.somaxconn``) instead of Twisted's 50, which a reconnect
  storm overflows;
- at most ``PAPO_HANDSHAKES_IN_PROGRESS`` connections being set up at once
  (``papo.accept_gate``): the rest wait in that backlog, so a reconnect storm
  is served in arrival order instead of all at once; and at most
  ``PAPO_HANDSHAKES_IN_PROGRESS_PER_IP`` of them from one address (more are
  closed as soon as they are accepted), so one client holding half-sent
  handshakes cannot fill that gate;
- ``PAPO_WS_CONNECT_TIMEOUT`` (default 20 s, daphne's own server default)
  for a socket to be accepted, instead of its command line's 5 s. After a
  restart thousands of widgets come back at once and queue for their checks;
  at 5 s daphne refused the later ones after their work was done, they all
  came back again, and the queue never drained (docs/performance.md);
- request bodies capped where they arrive (``papo.body_cap``): 413 at once for an
  upload over ``PAPO_UPLOAD_MAX_BYTES`` or any other body over
  ``PAPO_MAX_REQUEST_BYTES``, and large bodies handed to the app as their file, a
  chunk at a time, rather than queued whole in memory;
- no age limit on a WebSocket (daphne closes each after 24 h by default):
  thousands of widgets that reconnected together after a restart would all
  be closed together a day later, a reconnect storm every day. Papo ends a
  socket itself when its session, token or membership does.

and with the changes to Twisted, autobahn and the garbage collector that
``papo.server_tuning`` makes (each measured or a bug fixed, said there):
protocol failures answered with a close code instead of a dropped socket,
the size cap applied to what clients send only, lighter per-connection
bookkeeping, frames written at once, and collection tuned for thousands of
sockets.

Any other daphne option can follow (e.g. ``-v 2``; never ``--proxy-headers``,
docs/security.md says why).
"""

from __future__ import annotations

import argparse
import os
import sys


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

    from papo import accept_gate, body_cap, server_tuning

    server_tuning.apply()
    body_cap.install()
    accept_gate.install(settings.PAPO["HANDSHAKES_IN_PROGRESS"],
                        settings.PAPO["HANDSHAKE_SLOW_SECONDS"],
                        settings.PAPO["HANDSHAKES_IN_PROGRESS_PER_IP"],
                        exempt=settings.PAPO_TRUSTED_PROXIES)
    cap = str(settings.PAPO["MAX_FRAME_BYTES"])
    backlog = os.environ.get("PAPO_LISTEN_BACKLOG", "4096")
    connect_timeout = os.environ.get("PAPO_WS_CONNECT_TIMEOUT", "20")
    interface = args.bind.replace(":", r"\:")
    CommandLineInterface().run([
        "-e", f"tcp:port={args.port}:interface={interface}:backlog={backlog}",
        "--websocket-max-message-size", cap,
        "--websocket-max-frame-size", cap,
        "--websocket_connect_timeout", connect_timeout,
        "--websocket_timeout", "-1",
        *rest,
        "papo.asgi:application",
    ])


if __name__ == "__main__":
    main(sys.argv[1:])
