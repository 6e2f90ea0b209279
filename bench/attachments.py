"""Attachments: from drop to thumbnail on the other side, for a 5 MB photo, on the
embedded default stack (SQLite, in-memory layer, one daphne). Not part of the tests.

    python bench/attachments.py

A visitor uploads a 12-megapixel JPEG of about 5.7 MB (noise: it compresses badly),
sends it; the agent's console hears the message and fetches its thumbnail. Printed:
the time from the start of the upload to the thumbnail in hand, three times.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.test_settings")


def photo() -> bytes:
    from PIL import Image

    img = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60)
    return out.getvalue()


async def main() -> None:
    import django

    django.setup()
    from papo.testing import files
    from papo.testing.client import client_id
    from papo.testing.live import start_live, stop_live

    live = start_live("embedded")
    try:
        team = live.team("ana")
        agent = team.agents["ana"]
        console = await live.console(agent)
        peer, welcome = await live.visitor(team.site_key)
        data = photo()
        path = f"/api/widget/{team.site_key}/uploads"
        for _ in range(3):
            started = time.monotonic()
            up = await asyncio.to_thread(files.upload, live.server.http, path, data, "p.jpg",
                                         token=welcome["token"], origin=live.host.origin)
            uploaded = time.monotonic()
            ack = await peer.request({"type": "send", "client_id": client_id(), "body": "",
                                      "attachments": [up.body["id"]]})
            seen = await console.expect("message", seq=ack["seq"], timeout=10)
            thumb = seen["message"]["attachments"][0]["thumb_url"]
            status, _, _ = await asyncio.to_thread(files.get, live.server.http, thumb,
                                                   cookie=f"sessionid={agent['session']}")
            assert status == 200
            done = time.monotonic()
            print(f"{len(data) / 1e6:.1f} MB: upload and re-encode {uploaded - started:.2f} s, "
                  f"drop to thumbnail on the agent's side {done - started:.2f} s")
    finally:
        stop_live(live)


if __name__ == "__main__":
    asyncio.run(main())
