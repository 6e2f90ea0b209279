"""Uploads nobody sent are deleted, with their stored files, by a real background
worker (``manage.py papo_worker``: the periodic ``attachments.tasks.sweep_orphans``),
on both stacks; sent files stay."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from papo.testing import files
from papo.testing.client import client_id
from papo.testing.worker import Worker

pytestmark = [pytest.mark.live]

SWEEP_ENV = {"PAPO_UPLOAD_ORPHAN_SECONDS": "2", "PAPO_UPLOAD_SWEEP_SECONDS": "1"}


def stored(live) -> set[Path]:
    root = Path(live.stack.env["PAPO_VAR_DIR"]) / "attachments"
    return {p for p in root.rglob("*") if p.is_file()}


async def test_a_file_never_sent_is_deleted_by_the_worker_and_a_sent_one_stays(live_papo):
    team = live_papo.team("ana")
    peer, welcome = await live_papo.visitor(team.site_key)
    path = f"/api/widget/{team.site_key}/uploads"

    def up(data: bytes, name: str):
        answer = files.upload(live_papo.server.http, path, data, name, token=welcome["token"],
                              origin=live_papo.host.origin)
        assert answer.status == 201, answer.body
        return answer.body

    before = stored(live_papo)
    sent = up(files.png(900, 700), "kept.png")
    ack = await peer.request({"type": "send", "client_id": client_id(), "body": "",
                              "attachments": [sent["id"]]})
    assert ack["type"] == "ack"
    kept = stored(live_papo) - before
    orphan = up(b"never sent", "orphan.txt")
    orphan_files = stored(live_papo) - before - kept
    assert len(kept) == 2 and len(orphan_files) == 1
    await asyncio.sleep(2.2)  # older than PAPO_UPLOAD_ORPHAN_SECONDS
    worker = Worker(live_papo.stack, SWEEP_ENV).start()
    try:
        deadline = time.monotonic() + 20
        while stored(live_papo) & orphan_files and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        worker.stop()
    left = stored(live_papo) - before
    assert left == kept, f"left {left}, expected only the sent image and its thumbnail"
    late = await peer.request({"type": "send", "client_id": client_id(), "body": "",
                               "attachments": [orphan["id"]]})
    assert late["code"] == "attachment_not_found"  # the row went with its file
    assert "deleted 1 uploads that were never sent" in worker.log()
