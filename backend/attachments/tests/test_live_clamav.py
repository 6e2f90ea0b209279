"""The malware scanning hook against a real ClamAV daemon (Debian's clamav-daemon, which
``./papo test`` installs), started here on a local port with a signature database of
one signature made for the test: EICAR's test string. Nothing is downloaded."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from papo.testing import files
from papo.testing.live import start_live, stop_live
from papo.testing.server import Daphne, free_port

pytestmark = [pytest.mark.live, pytest.mark.security]

CLAMD = "/usr/sbin/clamd"


@pytest.fixture(scope="module")
def clamd():
    if not Path(CLAMD).exists():
        if os.environ.get("PAPO_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CLAMD} is missing (apt-get install clamav-daemon)")
        pytest.skip(f"{CLAMD} is missing (apt-get install clamav-daemon)")
    home = Path(tempfile.mkdtemp(prefix="papo-clamd-"))
    (home / "db").mkdir()
    signature = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
    (home / "db" / "papo.ndb").write_text(f"Papo.Test.EICAR:0:*:{signature}\n")
    port = free_port()
    (home / "clamd.conf").write_text(
        f"Foreground yes\nDatabaseDirectory {home / 'db'}\nTCPSocket {port}\n"
        f"TCPAddr 127.0.0.1\nLogFile {home / 'clamd.log'}\nStreamMaxLength 30M\n")
    log = open(home / "out.log", "wb")
    proc = subprocess.Popen([CLAMD, "-c", str(home / "clamd.conf")], stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"zPING\0")
                if s.recv(16).startswith(b"PONG"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"clamd did not start: {(home / 'out.log').read_text()}")
        time.sleep(0.2)
    yield proc, f"tcp://127.0.0.1:{port}"
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def scanned(clamd):
    _, url = clamd
    live = start_live("embedded", env={"CLAMD_URL": url, "PAPO_HTTP_RATE": "1000/m"})
    yield live
    stop_live(live)


def _token(live, key: str) -> str:
    async def hello():
        peer, welcome = await live.visitor(key)
        await peer.close()
        return welcome["token"]
    return asyncio.run(hello())


def test_every_file_is_scanned_before_it_can_be_sent(scanned, clamd):
    live = scanned
    team = live.team("ana")
    token = _token(live, team.site_key)

    def up(data: bytes, name: str, server=None):
        server = server or live.server
        return files.upload(server.http, f"/api/widget/{team.site_key}/uploads", data, name,
                            token=token, origin=live.host.origin)

    clean = up(b"just a note", "note.txt")
    assert clean.status == 201
    infected = up(b"see attached\n" + files.EICAR + b"\n", "invoice.txt")
    assert (infected.status, infected.code) == (422, "file_infected")
    assert "clamd found Papo.Test.EICAR" in live.server.log()  # logged, with the signature
    image = up(files.png(), "fine.png")  # images too (scanned as they came)
    assert image.status == 201
    # the scanner gone: uploads are refused (fail closed, the default)...
    proc, _ = clamd
    proc.terminate()
    proc.wait(10)
    down = up(b"another note", "later.txt")
    assert (down.status, down.code) == (503, "scan_unavailable")
    # ...or let through marked unscanned, when the operator chose to fail open
    fail_open = Daphne(live.stack, {"CLAMD_URL": f"tcp://127.0.0.1:{free_port()}",
                                    "PAPO_CLAMD_FAIL_OPEN": "1"}).start()
    try:
        through = up(b"another note", "later.txt", server=fail_open)
        assert through.status == 201
        assert "let through unscanned (fail open)" in fail_open.log()
    finally:
        fail_open.stop()
