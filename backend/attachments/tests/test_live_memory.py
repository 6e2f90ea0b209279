"""A 50 MB upload does not grow the server: the body goes through files, a chunk at a
time (papo/body_cap.py, attachments.actions), never whole in memory.

The server's peak resident memory (``VmHWM``, reset through ``/proc/<pid>/clear_refs``
just before the upload) is compared with its resident memory before it. Measured on
this machine (2 cores): the peak rose by 1.3 to 1.5 MiB for the 50 MB upload (89.2 MiB
before, 90.4 MiB at the peak and after). With daphne's own way of handing a body over
(every chunk queued for the app at once) the same upload raised it by 49 MiB (89.7 to
138.9 MiB), which the process then kept.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from papo.testing import files
from papo.testing.live import start_live, stop_live

pytestmark = [pytest.mark.live]

MIB = 1024 * 1024
SIZE = 50 * 1000 * 1000


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture(scope="module")
def big_uploads():
    live = start_live("embedded", env={"PAPO_UPLOAD_MAX_BYTES": str(60 * MIB)})
    yield live
    stop_live(live)


def test_a_50_mb_upload_keeps_the_servers_memory_flat(big_uploads):
    live = big_uploads
    team = live.team("ana", site_fields={"file_max_bytes": 60 * MIB, "file_types": "other"})

    async def token():
        peer, welcome = await live.visitor(team.site_key)
        await peer.close()
        return welcome["token"]

    visitor = asyncio.run(token())
    pid = live.server.proc.pid
    warm = files.upload(live.server.http, f"/api/widget/{team.site_key}/uploads",
                        os.urandom(2 * MIB), "warm.bin", token=visitor, origin=live.host.origin)
    assert warm.status == 201  # every code path loaded once before measuring
    before = _kib(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here
    data = os.urandom(SIZE)
    answer = files.upload(live.server.http, f"/api/widget/{team.site_key}/uploads", data,
                          "big.bin", token=visitor, origin=live.host.origin)
    assert answer.status == 201, answer.body
    assert answer.body["size"] == SIZE
    peak, after = _kib(pid, "VmHWM"), _kib(pid, "VmRSS")
    grew = (peak - before) / 1024
    print(f"server RSS before {before / 1024:.1f} MiB, peak during the 50 MB upload "
          f"{peak / 1024:.1f} MiB (+{grew:.1f}), after {after / 1024:.1f} MiB")
    assert grew < 12, f"the server's memory grew by {grew:.1f} MiB for a 50 MB upload"
