"""Half-open handshakes: the flood of issue #19 (point 9), for the live suites.

A client connects, sends an upgrade request but for its last line, and holds
the connection: to the server, a handshake still arriving. Plain blocking
sockets in one thread (run it with ``asyncio.to_thread``): thousands cost the
test process one descriptor each and nothing else.

They end with a reset (``SO_LINGER`` 0), not a FIN: closed normally, each would
leave its port in TIME_WAIT for a minute, and while it does nothing on the
machine can listen on that port number on all addresses (nginx's
``listen PORT``): a later suite that picked one of those ports failed to start.
"""

from __future__ import annotations

import contextlib
import socket
import struct

RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s


def half_open(port: int, path: str, n: int, source: str) -> list[socket.socket]:
    """``n`` connections from ``source`` to 127.0.0.1:``port``, each with an upgrade
    request for ``path`` sent but for its last line. Close them with ``close_all``."""
    partial = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n").encode()
    held: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = socket.socket()
            held.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
            sock.bind((source, 0))
            sock.connect(("127.0.0.1", port))
            with contextlib.suppress(ConnectionError):  # the server may have closed it
                sock.sendall(partial)
    except BaseException:
        close_all(held)
        raise
    return held


def still_open(sock: socket.socket) -> bool:
    """Has the server left this connection open (no FIN, no reset, nothing to read)?"""
    sock.setblocking(False)
    try:
        data = sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except ConnectionError:
        return False
    assert data == b"", f"the server answered a half-sent handshake: {data!r}"
    return False


def close_all(socks: list[socket.socket]) -> None:
    for sock in socks:
        sock.close()
