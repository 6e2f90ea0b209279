"""The queue as a waiting visitor sees it: their place in line and a rough wait.

A waiting visitor gets a ``queue`` frame: when their chat enters the queue, on
every hello while it waits, and whenever the line ahead of them moves (a chat
ahead assigned, resolved, abandoned; one put back ahead of them). A new chat
behind them changes nothing for them, so it tells only its own visitor.

Cost: a site's queue may hold hundreds. A move tells only the first ``CAP + 1``
(51) visitors, in one query and one batch of events: past the cap a place reads
"50+", which a move does not change (the 51st is told too, as the one pushed
past the cap when a chat is put back ahead of it). The moves and newcomers of
a site, in one transaction or a burst under one process's event loop, are told
by one run (``bus.events.publish_soon``, :func:`tell`). While
the site is unavailable (closed, or no agent online) nothing is sent: the widget
shows its away copy then, and the queue is told again when it opens.

A visitor keeps their place while they have no page of the site open for up to
the site's ``queue_hold_minutes``; past that, :func:`abandon_gone` (the presence
sweep) closes the chat as ``abandoned``, with a system message, so no agent is
handed a chat nobody is waiting in. "No page open" is read from the visitor's
``last_seen_at``, written cheaply by the widget socket: on hello, at most once
a minute on its pings (only a visitor with a conversation) and when it closes.
A left message (``Conversation.left_message``: nobody could answer when it was
written, or when it waited) is never abandoned: it waits for the team.

The wait is estimated from the site's own recent first responses (the median
time from ``queued_at`` to the first agent reply over its latest answered live
chats), times the rounds of agents a place is behind (``ceil(position / agents
online)``), and rounded so it promises no false precision: 0 for "under a
minute", up to 5 for "a few minutes", then steps of 5 minutes, 60 for "an hour
or more"; None with too little history.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bus import events, groups

from . import messages
from .models import Conversation, Message

CAP = 50
RECENT = 50  # answered chats the estimate reads
MIN_SAMPLES = 3  # fewer: no estimate
WINDOW = timedelta(days=14)
TYPICAL_TTL = 60.0  # seconds this process keeps a site's typical wait

_typical: dict[int, tuple[float, float | None]] = {}


def typical_wait(site_id: int) -> float | None:
    """The median wait (seconds) of the site's latest answered live chats, or None."""
    now = time.monotonic()
    hit = _typical.get(site_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = (Conversation.objects
            .filter(site_id=site_id, left_message=False, queued_at__isnull=False,
                    first_agent_reply_at__gte=timezone.now() - WINDOW)
            .order_by("-first_agent_reply_at")
            .values_list("queued_at", "first_agent_reply_at")[:RECENT])
    waits = [(replied - queued).total_seconds() for queued, replied in rows if replied >= queued]
    value = statistics.median(waits) if len(waits) >= MIN_SAMPLES else None
    if len(_typical) > 10_000:
        _typical.clear()
    _typical[site_id] = (now + TYPICAL_TTL, value)
    return value


def worded_minutes(seconds: float) -> int:
    """Minutes as the widget words them: 0, 1 to 5 ("a few"), 10, 15 ... 55, 60 (an hour+)."""
    minutes = seconds / 60
    if minutes < 1:
        return 0
    if minutes <= 5:
        return math.ceil(minutes)
    return min(60, 5 * round(minutes / 5))


def wait_minutes(site_id: int, position: int, agents: int) -> int | None:
    typical = typical_wait(site_id)
    if typical is None:
        return None
    return worded_minutes(typical * math.ceil(position / max(1, agents)))


def frame(conversation_id: int, position: int, wait: int | None) -> dict:
    """``position`` 1 is next; past ``CAP`` it is sent as ``CAP`` with ``beyond``."""
    return {"type": "queue", "conversation": conversation_id, "position": min(position, CAP),
            "beyond": position > CAP, "wait": wait}


def _serving(site_id: int) -> int:
    from .routing import answering  # routing tells this module of every move

    return answering(site_id)


def position_of(conv: Conversation) -> int:
    """1 + the waiting chats ahead of ``conv`` (counted up to ``CAP + 1``)."""
    ahead = Conversation.objects.filter(
        Q(queued_at__lt=conv.queued_at) | Q(queued_at=conv.queued_at, pk__lt=conv.pk),
        site_id=conv.site_id, status=Conversation.Status.WAITING,
    ).values("pk")[:CAP]
    return len(ahead) + 1


def place_of(conv: Conversation) -> dict | None:
    """The ``queue`` frame for ``conv`` now (None unless it waits and someone can answer)."""
    if conv.status != Conversation.Status.WAITING or conv.queued_at is None:
        return None
    agents = _serving(conv.site_id)
    if not agents:
        return None
    place = position_of(conv)
    return frame(conv.pk, place, wait_minutes(conv.site_id, place, agents))


# --- telling the visitors --------------------------------------------------------------
# What each site's next tell must cover (filled after commits, emptied by the tell):
# whether its line moved, and the chats that joined it. One tell per site per window.
_asks: dict[int, tuple[bool, set[int]]] = {}
_asks_lock = threading.Lock()


def moved(site_id: int) -> None:
    """The line of ``site_id`` moved in this transaction: tell the first ``CAP + 1``."""
    _ask(site_id, line=True)


def joined(conv: Conversation) -> None:
    """``conv`` entered the queue in this transaction: tell its visitor their place."""
    _ask(conv.site_id, conversation=conv.pk)


def _ask(site_id: int, *, line: bool = False, conversation: int | None = None) -> None:
    transaction.on_commit(partial(_note, site_id, line, conversation))
    events.publish_soon(f"queue:{site_id}", partial(tell, site_id))


def _note(site_id: int, line: bool, conversation: int | None) -> None:
    with _asks_lock:
        moved_before, convs = _asks.get(site_id, (False, set()))
        if conversation is not None:
            convs.add(conversation)
        _asks[site_id] = (moved_before or line, convs)


def tell(site_id: int) -> None:
    """Tell what the site's asks since the last tell need: the line's first ``CAP + 1``
    if it moved, and each newcomer not among them."""
    with _asks_lock:
        line, convs = _asks.pop(site_id, (False, set()))
    told = publish_line(site_id) if line else set()
    for conv_id in convs - told:
        publish_place(conv_id)


def publish_line(site_id: int) -> set[int]:
    """Each of the first ``CAP + 1`` waiting visitors their place; returns whose chats."""
    agents = _serving(site_id)
    if not agents:
        return set()
    line = list(Conversation.objects
                .filter(site_id=site_id, status=Conversation.Status.WAITING,
                        queued_at__isnull=False)
                .order_by("queued_at", "pk")
                .values_list("pk", "visitor__public_id")[:CAP + 1])
    for place, (conv_id, public_id) in enumerate(line, 1):
        events.publish(groups.visitor(public_id),
                       frame(conv_id, place, wait_minutes(site_id, place, agents)),
                       site=site_id, conversation=conv_id)
    return {conv_id for conv_id, _ in line}


def publish_place(conversation_id: int) -> None:
    conv = Conversation.objects.select_related("visitor").filter(pk=conversation_id).first()
    if conv is None:
        return
    place = place_of(conv)
    if place is not None:
        events.publish(groups.visitor(conv.visitor.public_id), place, site=conv.site_id,
                       conversation=conv.pk)


# --- leaving the line ------------------------------------------------------------------
def unanswerable(site_id: int) -> int:
    """Nobody can answer the site now (closed, or its last agent gone): what waits is
    a message left for the team from now on (never abandoned). Returns how many."""
    return Conversation.objects.filter(
        site_id=site_id, status=Conversation.Status.WAITING, left_message=False,
    ).update(left_message=True)


def abandon_gone(now=None) -> int:
    """Close the live waiting chats whose visitor has had no page open for longer than
    their site's ``queue_hold_minutes``; returns how many."""
    now = now or timezone.now()
    # Only visitors gone a minute or more (the shortest hold) are looked at closely.
    candidates = (Conversation.objects
                  .filter(status=Conversation.Status.WAITING, left_message=False,
                          site__queue_hold_minutes__gt=0,
                          visitor__last_seen_at__lt=now - timedelta(minutes=1))
                  .values_list("pk", "site__queue_hold_minutes", "visitor__last_seen_at"))
    gone = [pk for pk, hold, seen in candidates if seen < now - timedelta(minutes=hold)]
    closed = 0
    for conv_id in gone:
        with transaction.atomic():
            conv = (Conversation.objects.select_for_update(of=("self",))
                    .select_related("site", "visitor")
                    .filter(pk=conv_id, status=Conversation.Status.WAITING,
                            left_message=False).first())
            if conv is None:
                continue
            hold = conv.site.queue_hold_minutes
            if not hold or conv.visitor.last_seen_at >= now - timedelta(minutes=hold):
                continue  # came back, or the site changed its mind, meanwhile
            conv.status = Conversation.Status.RESOLVED
            conv.resolved_at = now
            conv.save(update_fields=["status", "resolved_at"])
            messages.append(conv, author=Message.Author.SYSTEM, event="abandoned",
                            data={"minutes": str(hold)})
            messages.publish_conversation(conv, "resolved")
            moved(conv.site_id)
            closed += 1
    return closed
