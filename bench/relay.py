"""The baseline: a minimal chat relay written directly on ``websockets``.

No Django, no database, no channel layer: conversations live in a dict. It
speaks just enough of Papo's protocol (hello/welcome, send/ack, message,
assignment to the least-loaded agent) for the same load generator to drive
it, so every Papo figure can be reported as a ratio to what the bare
transport does on the same machine, in the same run.

    python bench/relay.py --port 9100
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time

from websockets.asyncio.server import serve


class Relay:
    def __init__(self) -> None:
        self.rooms: dict[int, set] = {}
        self.seq: dict[int, int] = {}
        self.agents: dict[object, int] = {}  # console socket -> open conversations
        self.ids = itertools.count(1)
        self.pending: set[asyncio.Task] = set()

    async def handler(self, ws) -> None:
        console = ws.request.path.startswith("/ws/console/")
        conv: int | None = None
        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "hello":
                    if console:
                        self.agents[ws] = 0
                    await ws.send(json.dumps({"type": "welcome", "v": 1, "token": "t",
                                              "agent": {"id": id(ws)},
                                              "conversation": None, "messages": []}))
                elif kind == "send":
                    if not console and conv is None:
                        conv = self.open_conversation(ws)
                    target = frame.get("conversation", conv) if console else conv
                    self.seq[target] += 1
                    seq = self.seq[target]
                    await ws.send(json.dumps({
                        "type": "ack", "ref": frame.get("ref"), "client_id": frame["client_id"],
                        "conversation": target, "seq": seq, "duplicate": False}))
                    text = json.dumps({"type": "message", "message": {
                        "conversation": target, "seq": seq,
                        "author": "agent" if console else "visitor", "body": frame["body"],
                        "client_id": frame["client_id"], "created_at": time.time()}})
                    for peer in list(self.rooms.get(target, ())):
                        try:
                            await peer.send(text)
                        except Exception:  # a peer that left
                            self.rooms[target].discard(peer)
                elif kind == "ping":
                    await ws.send(json.dumps({"type": "pong", "ref": frame.get("ref")}))
        finally:
            self.agents.pop(ws, None)
            for room in self.rooms.values():
                room.discard(ws)

    def open_conversation(self, visitor) -> int:
        conv = next(self.ids)
        self.seq[conv] = 0
        self.rooms[conv] = {visitor}
        if self.agents:
            agent = min(self.agents, key=self.agents.get)
            self.agents[agent] += 1
            self.rooms[conv].add(agent)
            task = asyncio.ensure_future(agent.send(json.dumps({
                "type": "conversation", "event": "assigned",
                "conversation": {"id": conv, "assignee": {"id": id(agent)}}})))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return conv


async def main(port: int) -> None:
    relay = Relay()
    async with serve(relay.handler, "127.0.0.1", port, max_size=65536, ping_interval=None,
                     backlog=2048):
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=9100)
    asyncio.run(main(parser.parse_args().port))
