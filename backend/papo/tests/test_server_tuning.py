"""``papo.server_tuning.write_at_once``: Twisted's TCP writes with the eager path.

Runs a real Twisted reactor (asyncio, as under daphne) in a child process,
serving over real TCP to a client that reads slowly through a small receive
buffer, so writes are taken whole, in part, and not at all, and that the
bytes arrive complete and in order either way; then that a peer that goes
away still ends in ``connectionLost``.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]

SERVER = r"""
import asyncio, hashlib, os, sys
from twisted.internet import asyncioreactor
asyncioreactor.install(asyncio.new_event_loop())
from twisted.internet import protocol, reactor
from papo.server_tuning import write_at_once
write_at_once()

CHUNKS = [os.urandom(n) for n in (1, 700, 70_000, 3_000_000)] * 4

class Writer(protocol.Protocol):
    def connectionMade(self):
        digest = hashlib.sha256()
        for chunk in CHUNKS:  # one reactor turn: the later writes meet a queue
            self.transport.write(chunk)
            digest.update(chunk)
        print("sent", sum(map(len, CHUNKS)), digest.hexdigest(), flush=True)
        reactor.callLater(0.5, self.after)  # while the peer still reads

    def after(self):
        self.transport.write(b"tail")

    def connectionLost(self, reason):
        print("lost", reason.type.__name__, flush=True)
        reactor.stop()

factory = protocol.Factory.forProtocol(Writer)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print("port", port.getHost().port, flush=True)
reactor.run()
"""


def test_eager_writes_arrive_whole_and_in_order_and_errors_still_close():
    proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=BACKEND,
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", port))
        kind, total, digest = proc.stdout.readline().split()
        assert kind == "sent"
        received = bytearray()
        while len(received) < int(total) + 4:
            data = client.recv(65536)
            assert data, "the server closed before sending everything"
            received += data
            if len(received) < 1_000_000:
                time.sleep(0.001)  # slow at first: the server's writes must queue
        assert hashlib.sha256(received[: int(total)]).hexdigest() == digest
        assert received[int(total):] == b"tail"
        # the peer resets the connection: Twisted still closes it
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        client.close()
        assert proc.stdout.readline().split()[0] == "lost"
        assert proc.wait(10) == 0
    finally:
        proc.kill()
