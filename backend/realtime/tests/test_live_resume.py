"""Resume of any size, over real sockets, on both stacks.

A visitor and their agent are away while 5,000 messages (internal notes among
them) are stored. Each comes back, is welcomed with what fits, and pages
forward (``history``/``open`` with ``after_seq``) until the newest message,
while the conversation goes on live. Every message either may see arrives,
in order, once; nothing stalls at the first thousand.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from papo.testing.client import Peer, client_id

pytestmark = pytest.mark.live

AWAY = 5000

SEED = """
from django.utils import timezone
from conversations.models import Conversation, Message
conv = Conversation.objects.get(pk={conv})
now, seq, visible, rows = timezone.now(), conv.last_seq, conv.visible_seq, []
for i in range({n}):
    seq += 1
    agent = i % 2 == 1
    internal = agent and i % 7 == 3
    rows.append(Message(conversation=conv, seq=seq, author="agent" if agent else "visitor",
                        agent_id={agent} if agent else None, body=f"away {{i}}",
                        internal=internal, created_at=now))
    visible = visible if internal else seq
Message.objects.bulk_create(rows, batch_size=1000)
Conversation.objects.filter(pk=conv.pk).update(last_seq=seq, visible_seq=visible, updated_at=now)
print(seq, visible)
"""


def seqs_shown(peer: Peer, conv: int) -> list[int]:
    """Every seq of ``conv`` this socket was sent, in the order it was sent."""
    return [m["seq"] for m in peer.messages(conv)]


async def page_forward(peer: Peer, frame: dict, more: bool, conv: int) -> int:
    """Ask for what follows the last seq sent, as a client does, until there is no
    more; returns how many pages it took."""
    pages = 0
    while more:
        last = seqs_shown(peer, conv)[-1]
        reply = await peer.request({**frame, "after_seq": last, "limit": 200}, timeout=20)
        assert reply["type"] == "history", reply
        more, pages = reply["has_more"], pages + 1
    return pages


async def test_thousands_of_messages_while_away_all_arrive_in_order_once(live_papo):
    team = live_papo.team("ana")
    ana = team.agents["ana"]
    tab, welcome = await live_papo.visitor(team.site_key)
    first = await tab.request({"type": "send", "client_id": client_id(), "body": "hello"})
    conv = first["conversation"]
    console = await live_papo.console(ana)
    await console.request({"type": "open", "conversation": conv})
    seen = (await tab.expect("message", event="assigned"))["message"]["seq"]
    await tab.close()
    await console.close()

    out = await asyncio.to_thread(live_papo.stack.manage, "shell", "-c",
                                  SEED.format(conv=conv, n=AWAY, agent=ana["id"]))
    last, visible = map(int, out.strip().splitlines()[-1].split())

    # Back: each is welcomed with what fits, then pages while the chat goes on.
    back = await live_papo.widget(team.site_key)
    await back.send({"type": "hello", "v": 2, "token": welcome["token"],
                     "resume": {"conversation": conv, "last_seq": seen}})
    again = await back.expect("welcome", timeout=20)
    assert again["more_after"] is True and len(again["messages"]) == 1000
    console = await live_papo.console(ana)
    assert console.welcome["live_from"] == {str(conv): last}
    await console.request({"type": "open", "conversation": conv, "after_seq": seen,
                           "limit": 200}, timeout=20)
    other_tab, _ = await live_papo.visitor(team.site_key, token=welcome["token"])
    other_console = await live_papo.console(ana)  # the agent's second browser tab

    async def meanwhile() -> list[int]:
        stored = []
        for i in range(5):
            a = await other_tab.request({"type": "send", "client_id": client_id(),
                                         "body": f"live {i}"})
            b = await other_console.request({"type": "send", "conversation": conv,
                                       "client_id": client_id(), "body": f"reply {i}"})
            stored += [a["seq"], b["seq"]]
            await asyncio.sleep(0.05)
        return stored

    pages, live = await asyncio.gather(
        asyncio.gather(page_forward(back, {"type": "history"}, True, conv),
                       page_forward(console, {"type": "open", "conversation": conv},
                                    console.frames[-1]["has_more"], conv)),
        meanwhile())
    assert pages[0] >= 15 and pages[1] >= 20, pages  # thousands: many pages, none skipped
    newest = max(live)
    for peer in (back, console):  # in a page or live, whichever came first
        for _ in range(100):
            if newest in seqs_shown(peer, conv):
                break
            await peer.quiet(0.1)

    stored = await asyncio.to_thread(
        live_papo.stack.manage, "shell", "-c",
        "import json; from conversations.models import Message as M; "
        f"qs = M.objects.filter(conversation_id={conv}, seq__gt={seen}).order_by('seq'); "
        "print(json.dumps(list(qs.values_list('seq', 'internal'))))")
    rows = json.loads(stored.strip().splitlines()[-1])
    for_visitor = [s for s, internal in rows if not internal]
    for_agent = [s for s, _ in rows]
    assert len(for_agent) == AWAY + 10
    assert seqs_shown(back, conv) == for_visitor, "the widget: every message, in order, once"
    assert seqs_shown(console, conv) == for_agent, "the console: every message, in order, once"
    for peer in (back, console, other_tab, other_console):
        await peer.close()
