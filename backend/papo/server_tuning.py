"""How daphne's stack (Twisted, autobahn) and the collector are set up for Papo.

Each function changes one behaviour of a library Papo does not own, found by
measurement or by a bug a client could see (docs/performance.md); ``apply()``
runs them all, once, before daphne starts (``papo.serve``).
"""

from __future__ import annotations

import gc


def apply() -> None:
    close_cleanly_on_protocol_errors()
    cap_only_what_clients_send()
    lighter_websocket_connections()
    write_at_once()
    tune_gc()


def close_cleanly_on_protocol_errors() -> None:
    """Make autobahn send the close code (e.g. 1009) rather than drop the socket."""
    from autobahn.websocket.protocol import WebSocketServerFactory

    reset = WebSocketServerFactory.resetProtocolOptions

    def reset_without_drop(self) -> None:
        reset(self)
        self.failByDrop = False

    WebSocketServerFactory.resetProtocolOptions = reset_without_drop


def cap_only_what_clients_send() -> None:
    """Apply daphne's message cap to frames received, not to frames sent.

    autobahn checks one ``maxMessagePayloadSize`` both ways, and refuses to send
    a larger message with an exception (a ``RuntimeError``, which daphne's send
    raises into the consumer). A welcome replaying a long chat on resume, or a
    console's history page of long replies, passes 64 KiB easily: that visitor
    could never have been welcomed back. The server's own frames are bounded
    by the page sizes, so they go out whole; the cap still guards the server
    against what clients send.
    """
    from autobahn.websocket.protocol import WebSocketProtocol

    send = WebSocketProtocol.sendMessage

    def send_uncapped(self, payload, *args, **kwargs):
        if not 0 < self.maxMessagePayloadSize < len(payload):  # nearly every frame
            return send(self, payload, *args, **kwargs)
        own = self.__dict__.get("maxMessagePayloadSize", _ABSENT)
        self.maxMessagePayloadSize = 0  # autobahn's "no limit"
        try:
            return send(self, payload, *args, **kwargs)
        finally:
            if own is _ABSENT:
                del self.maxMessagePayloadSize  # back to the class's (shared) value
            else:
                self.maxMessagePayloadSize = own

    WebSocketProtocol.sendMessage = send_uncapped


_ABSENT = object()


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


def write_at_once() -> None:
    """Send on a TCP connection as soon as it is written to, when nothing is queued.

    Twisted queues every write and asks the event loop to say when the socket
    is writable: an ``epoll_ctl`` to start watching, a turn of the loop, the
    send, another ``epoll_ctl`` to stop, and Twisted's logging context around
    the callback, for every frame of every socket: under the busy desk the
    event loop did the same work in about a quarter fewer py-spy samples
    without it (docs/performance.md). A socket with nothing queued is
    almost always writable, so the data is sent straight away (asyncio's own
    transports do the same); only what the kernel did not take is queued, the
    usual way. A send that fails is queued too, so Twisted's own write path
    meets the error and closes the connection as it always has. (Not with a
    pull producer registered: it is asked for more only when the queue drains.
    Not on a connection upgraded with ``startTLS``, whose ``write`` hands the
    bytes to the TLS layer first. daphne's ``ssl:`` endpoints wrap the protocol
    instead, so what reaches this write there is already encrypted: a test
    holds both.)
    """
    from twisted.internet import tcp

    queue = tcp.Connection.write

    def write(self, data: bytes) -> None:
        if (not self.TLS and self._tempDataLen == 0 and len(self.dataBuffer) == self.offset
                and (self.producer is None or self.streamingProducer) and self.connected
                and not self._writeDisconnected and type(data) is bytes and data):
            sent = self.writeSomeData(data)
            if type(sent) is int and sent > 0:
                if sent == len(data):
                    return
                data = data[sent:]
        queue(self, data)

    tcp.Connection.write = write


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
