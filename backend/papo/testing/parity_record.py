"""What storing messages did, recorded so that two runs on two databases compare.

``conversations/tests/test_append_parity.py`` plays one scenario on the ORM
path and on the hot path, each on a fresh database, and compares what each
left: the steps (each operation, its acks or errors, the events it published)
and the rows. Database ids differ between two databases and times between two
runs, so they are replaced here by what they stand for.
"""

from __future__ import annotations

import json

from conversations.models import Conversation, Message
from visitors.models import Visitor

MISSING = 2**31 - 1  # a conversation id no row has

TIMES = {"created_at", "updated_at", "queued_at", "first_agent_reply_at", "resolved_at",
         "first_seen_at", "last_seen_at"}


class Normalised:
    """Ids as labels (conversations C1, C2... in the order they were made, agents
    a0..., sites A and B) and times as ``<time>``, each checked where it can be:
    an ack's or a message frame's time is the stored message's, a conversation's
    first reply time its first visible agent message's."""

    def __init__(self, steps: list[dict], agents: list, sites: dict[int, str]) -> None:
        """``steps``: each operation played (``op``), its ``result`` and the
        ``events`` it published, and whether it was a ``batch`` of sends."""
        convs = list(Conversation.objects.order_by("pk"))
        self.convs = {c.pk: f"C{n}" for n, c in enumerate(convs, 1)} | {MISSING: "missing"}
        self.users = {u.pk: f"a{n}" for n, u in enumerate(agents)}
        self.sites = sites
        messages = list(Message.objects.order_by("conversation_id", "seq"))
        self.times = {(m.conversation_id, m.seq): m.created_at.isoformat() for m in messages}
        self.steps = [self.step(s) for s in steps]
        self.conversations = [self.conversation(c, [m for m in messages
                                                    if m.conversation_id == c.pk])
                              for c in convs]
        self.messages = [self.value({
            "conversation": m.conversation_id, "seq": m.seq, "author": m.author,
            "agent": m.agent_id, "body": m.body, "event": m.event, "data": m.data,
            "internal": m.internal, "client_id": m.client_id, "created_at": m.created_at})
            for m in messages]
        self.visitors = [v.public_id for v in Visitor.objects.order_by("public_id")]

    def step(self, step: dict) -> dict:
        evs = [self.event(group, ev) for group, ev in step["events"]]
        if step["batch"]:
            # In production a batch's hot-path messages are published first, in
            # conversation order (their rows are locked in that order), and the other
            # sends' events after them; on the ORM path alone all come in arrival
            # order. Different chats' events have no order between them (a socket
            # orders each chat's by seq); one chat's keep theirs (the sort is stable).
            evs.sort(key=lambda ev: str(ev["conv"]))
        return {"op": self.value(step["op"]), "result": self.value(step["result"]),
                "events": evs}

    def event(self, group: str, ev: dict) -> dict:
        assert ev["group"] == group and ev["type"] == "papo.event", ev
        meta = {k: v for k, v in ev.items() if k not in ("type", "text", "group")}
        return {"group": self.group(group), "frame": self.value(json.loads(ev["text"])),
                **self.value(meta)}

    def group(self, name: str) -> str:
        kind, _, rest = name.rpartition(".")
        labels = {"papo.c": self.convs, "papo.sa": self.sites, "papo.sw": self.sites,
                  "papo.a": self.users}.get(kind)
        return f"{kind}.{labels[int(rest)]}" if labels else name

    def value(self, value, parent: str = ""):
        if isinstance(value, list | tuple):
            return [self.value(v, parent) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, v in value.items():
            if key in TIMES and v is not None:
                v = self.time(value, v)
            elif key in ("conversation", "conv") and isinstance(v, int):
                v = self.convs[v]
            elif key in ("agent", "assignee") and isinstance(v, int):
                v = self.users[v]
            elif key == "site" and isinstance(v, int):
                v = self.sites[v]
            elif key == "id" and parent in ("conversation", "agent", "assignee"):
                v = self.convs[v] if parent == "conversation" else self.users[v]
            elif key == "id" and parent != "visitor":  # the visitor's public id is ours
                raise AssertionError(f"an id of what? {parent!r}: {value!r}")
            else:
                v = self.value(v, key)
            out[key] = v
        return out

    def time(self, owner: dict, value) -> str:
        stamp = value if isinstance(value, str) else value.isoformat()
        if owner.keys() >= {"conversation", "seq", "created_at"}:  # a message or an ack
            stored = self.times.get((owner["conversation"], owner["seq"]))
            return "as stored" if stamp == stored else f"{stamp}, stored {stored}"
        return "<time>"

    def conversation(self, c: Conversation, messages: list[Message]) -> dict:
        reply = next((m for m in messages if m.author == "agent" and not m.internal), None)
        first_reply = c.first_agent_reply_at
        return self.value({
            "conversation": c.pk, "site": c.site_id, "visitor": c.visitor.public_id,
            "status": c.status, "assignee": c.assignee_id, "last_seq": c.last_seq,
            "visible_seq": c.visible_seq, "visitor_read_seq": c.visitor_read_seq,
            "agent_read_seq": c.agent_read_seq,
            "seqs": [m.seq for m in messages],
            "first reply time": None if first_reply is None else (
                "the first visible reply's" if reply and first_reply == reply.created_at
                else "another time"),
            "update time": ("the last message's" if messages
                           and c.updated_at == messages[-1].created_at else "another time"),
            "queued": c.queued_at is not None, "resolved": c.resolved_at is not None})

    def as_dict(self) -> dict:
        return {"steps": self.steps, "conversations": self.conversations,
                "messages": self.messages, "visitors": self.visitors}


def differences(orm, hot, path: str = "") -> list[str]:
    """Where two recordings differ, leaf by leaf."""
    if isinstance(orm, dict) and isinstance(hot, dict) and orm.keys() == hot.keys():
        return [d for k in orm for d in differences(orm[k], hot[k], f"{path}.{k}")]
    if isinstance(orm, list) and isinstance(hot, list) and len(orm) == len(hot):
        return [d for n, (a, b) in enumerate(zip(orm, hot, strict=True))
                for d in differences(a, b, f"{path}[{n}]")]
    return [] if orm == hot else [f"{path}: ORM path {orm!r}, hot path {hot!r}"]


def first_difference(orm: dict, hot: dict) -> str:
    for n, (a, b) in enumerate(zip(orm["steps"], hot["steps"], strict=True)):
        if a != b:
            return f"step {n} {a['op']}:\n" + "\n".join(differences(a, b)[:8])
    return "\n".join(differences(orm, hot)[:8])
