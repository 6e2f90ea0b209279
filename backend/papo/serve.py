"""Run Papo under daphne with Papo's own transport limits.

``python -m papo.serve --port 8000`` is daphne with:
- the WebSocket message and frame cap set to ``PAPO_MAX_FRAME_BYTES`` (64 KiB),
  so an oversized frame is refused by the protocol layer with close code 1009
  before it is buffered or parsed;
- a listen backlog of ``PAPO_LISTEN_BACKLOG`` (default 2048) instead of
  Twisted's 50, which a reconnect storm overflows;
- ``PAPO_WS_CONNECT_TIMEOUT`` (default 20 s, daphne's own server default)
  for a socket to be accepted, instead of its command line's 5 s. After a
  restart thousands of widgets come back at once and queue for their checks;
  at 5 s daphne refused the later ones after their work was done, they all
  came back again, and the queue never drained (docs/performance.md).

- protocol failures (such as that 1009) sent as a close frame the client can
  read, instead of autobahn's default of dropping the TCP connection (1006).

- autobahn's per-connection bookkeeping made lighter
  (:func:`lighter_websocket_connections`): measured under a flood of
  handshakes, it took 14 % of the process's time (debug-log text nobody
  reads) and 2 KB of every held connection.

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


class _Deferred:
    """``fn(*args, **kwargs)`` as text, made only if something formats it."""

    __slots__ = ("args", "fn", "kwargs")

    def __init__(self, fn, args, kwargs) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def __str__(self) -> str:
        return str(self.fn(*self.args, **self.kwargs))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _deferred(fn):
    return lambda *args, **kwargs: _Deferred(fn, args, kwargs)


def lighter_websocket_connections() -> None:
    """Costs autobahn pays on every connection and frame, for nothing:

    - it copies its ~40 protocol options from the factory into each
      connection's ``__dict__``. Here the factory hands out a protocol class
      that holds them as class attributes instead, which autobahn then finds
      and leaves alone: the same values, read the same way, stored once.
    - it builds the text of its debug log lines (a pretty-print of those
      options per connection; coloured names and values on every frame sent
      and received) before the logger drops them, debug being off. The text
      is now made only if a line is written.
    """
    from pprint import pformat

    from autobahn.twisted import websocket as ab_twisted
    from autobahn.websocket import protocol as ab_protocol
    from autobahn.websocket.protocol import WebSocketServerFactory

    ab_protocol.pformat = _deferred(pformat)
    ab_protocol.Timings.__str__ = lambda self: pformat(self._timings)  # the one real use
    for module in (ab_protocol, ab_twisted):
        module.hltype = _deferred(module.hltype)
        module.hlval = _deferred(module.hlval)

    set_options = WebSocketServerFactory.setProtocolOptions

    def set_options_shared(self, *args, **kwargs) -> None:
        set_options(self, *args, **kwargs)
        base = self.__dict__.get("_papo_protocol_base") or self.protocol
        self._papo_protocol_base = base
        # staticmethod: an option that is a function (e.g. perMessageCompressionAccept)
        # must stay a plain function, not become a method of the connection
        self.protocol = type(base.__name__, (base,), {
            attr: staticmethod(value) if callable(value) else value
            for attr in base.CONFIG_ATTRS for value in [getattr(self, attr)]})

    WebSocketServerFactory.setProtocolOptions = set_options_shared


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
    lighter_websocket_connections()
    tune_gc()
    cap = str(settings.PAPO["MAX_FRAME_BYTES"])
    backlog = os.environ.get("PAPO_LISTEN_BACKLOG", "2048")
    connect_timeout = os.environ.get("PAPO_WS_CONNECT_TIMEOUT", "20")
    interface = args.bind.replace(":", r"\:")
    CommandLineInterface().run([
        "-e", f"tcp:port={args.port}:interface={interface}:backlog={backlog}",
        "--websocket-max-message-size", cap,
        "--websocket-max-frame-size", cap,
        "--websocket_connect_timeout", connect_timeout,
        *rest,
        "papo.asgi:application",
    ])


if __name__ == "__main__":
    main(sys.argv[1:])
