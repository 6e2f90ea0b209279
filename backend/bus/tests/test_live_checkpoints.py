"""The embedded server's write-ahead log stays bounded while sends are stored on the
event loop (``bus.db.here``).

That connection never checkpoints on its own commits (a checkpoint writes and syncs
pages, which would stall every socket): every ``PAPO_DB_CHECKPOINT_EVERY`` commits a
checkpoint runs in a hop. Proved on a real daphne over SQLite, against the same
sends with checkpoints left to SQLite's own threshold, which a chat never reaches:
there the log holds every send.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from papo.testing.live import HostPage, LivePapo
from papo.testing.server import Daphne, Stack

SENDS = 90


async def _log_size_after_sends(every: int) -> int:
    stack = Stack.embedded()
    host = HostPage()
    try:
        stack.migrate()
        live = LivePapo(stack=stack, host=host)
        team = live.team("ana", max_concurrent=5)
        server = Daphne(stack, {"PAPO_DB_ON_LOOP": "1",
                                "PAPO_DB_CHECKPOINT_EVERY": str(every)}).start()
        try:
            console = await live.console(team.agents["ana"], server=server)
            visitor, _ = await live.visitor(team.site_key, server=server)
            i = 0
            while i < SENDS:  # as fast as the visitor's frame allowance lets them
                reply = await visitor.request({"type": "send", "client_id": f"c-{i}",
                                               "body": f"message {i} " + "x" * 200})
                if reply.get("code") == "rate_limited":
                    await asyncio.sleep(reply["retry_after"])
                    continue
                assert reply["type"] == "ack", reply
                i += 1
            await console.expect("message", client_id=f"c-{SENDS - 1}")
            await visitor.close()
            await console.close()
            wal = Path(stack.env["PAPO_VAR_DIR"]) / "papo.sqlite3-wal"
            return wal.stat().st_size
        finally:
            server.stop()
    finally:
        host.close()
        stack.close()


async def test_the_log_is_checkpointed_in_a_hop_every_so_many_commits():
    bounded = await _log_size_after_sends(10)
    grown = await _log_size_after_sends(10**6)
    # every 10 of the 90 commits the log was copied back and started again
    assert bounded * 2 < grown, (bounded, grown)
