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


TLS_SERVER = r"""
import asyncio, sys
from twisted.internet import asyncioreactor
asyncioreactor.install(asyncio.new_event_loop())
from twisted.internet import protocol, reactor, ssl
from papo.server_tuning import write_at_once
write_at_once()

class Greeter(protocol.Protocol):
    def connectionMade(self):
        self.transport.write(b"secret greeting")

    def connectionLost(self, reason):
        reactor.stop()

context = ssl.DefaultOpenSSLContextFactory(sys.argv[1], sys.argv[2])
port = reactor.listenSSL(0, protocol.Factory.forProtocol(Greeter), context,
                         interface="127.0.0.1")
print("port", port.getHost().port, flush=True)
reactor.run()
"""


def test_tls_endpoints_still_encrypt_every_byte(tmp_path):
    """A daphne on an ``ssl:`` endpoint: what the eager path writes is already
    encrypted (Twisted wraps the protocol in TLS), and the client reads it whole."""
    import ssl

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-c", TLS_SERVER, str(key), str(cert)],
                            cwd=BACKEND, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        context = ssl.create_default_context(cafile=cert)
        context.check_hostname = False
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                context.wrap_socket(raw) as tls:
            got = b""
            while len(got) < len(b"secret greeting"):
                got += tls.recv(100)
        assert got == b"secret greeting"
        assert proc.wait(10) == 0
    finally:
        proc.kill()



STARTTLS_SERVER = r"""
import asyncio, sys
from twisted.internet import asyncioreactor
asyncioreactor.install(asyncio.new_event_loop())
from twisted.internet import protocol, reactor, ssl
from papo.server_tuning import write_at_once
write_at_once()

context = ssl.DefaultOpenSSLContextFactory(sys.argv[1], sys.argv[2])

class Upgrader(protocol.Protocol):
    def connectionMade(self):
        self.transport.write(b"plain prelude\n")
        self.transport.startTLS(context)  # the same connection, TLS from here on
        self.transport.write(b"secret greeting")

    def connectionLost(self, reason):
        reactor.stop()

port = reactor.listenTCP(0, protocol.Factory.forProtocol(Upgrader), interface="127.0.0.1")
print("port", port.getHost().port, flush=True)
reactor.run()
"""


def test_a_connection_upgraded_with_starttls_is_left_to_twisteds_write(tmp_path):
    """startTLS turns a plain connection into a TLS one in place: its writes must go
    through the TLS layer (written eagerly, the greeting left in the clear and the
    client's handshake failed on it)."""
    import ssl

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-c", STARTTLS_SERVER, str(key), str(cert)],
                            cwd=BACKEND, stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        context = ssl.create_default_context(cafile=cert)
        context.check_hostname = False
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            prelude = b""
            while not prelude.endswith(b"\n"):
                prelude += raw.recv(1)
            assert prelude == b"plain prelude\n"
            with context.wrap_socket(raw) as tls:
                got = b""
                while len(got) < len(b"secret greeting"):
                    got += tls.recv(100)
        assert got == b"secret greeting"
        assert proc.wait(10) == 0
    finally:
        proc.kill()
