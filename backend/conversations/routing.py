"""Routing: who gets a conversation, and putting chats back when an agent is gone.

A new conversation goes to the online agent of its site with the fewest open
conversations below their capacity; ties go to the agent idle longest (the
one whose last assignment is oldest). With nobody free it waits in the
site's queue and is assigned, oldest first, as soon as someone frees up or
comes online. Each decision locks the site row, so two decisions on one site
never pick the same last free slot (PostgreSQL; SQLite serialises writers).

Outside the site's business hours (``Site.hours_at``) routing hands nothing
out, as when no agent is online: chats wait, agents may still take them by
hand, and the queue is routed when the hours open (``agents.availability``).
Every move of the queue is told to the visitors waiting in it (``queue``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.models import AgentConnection, Membership, Presence, fresh_since
from sites.models import Site

from . import messages, queue
from .models import Conversation, Message
from .serializers import agent_name

log = logging.getLogger("papo.routing")

NEVER = datetime.min.replace(tzinfo=UTC)


def open_count_subquery(site_id: int):
    return Subquery(
        Conversation.objects.filter(
            site_id=site_id, assignee=OuterRef("user_id"), status=Conversation.Status.OPEN
        )
        .values("assignee")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )


def online_members(site_id: int):
    """Memberships of agents who chose online and hold a live console socket."""
    return Membership.objects.filter(
        site_id=site_id,
        user__is_active=True,
        user__presence__status=Presence.Status.ONLINE,
    ).filter(
        Exists(AgentConnection.objects.filter(user=OuterRef("user_id"), seen_at__gte=fresh_since()))
    )


def answering(site_id: int) -> int:
    """How many agents can answer the site's chats now: its online agents while its
    hours are open, else 0 (the widgets' availability, the queue's estimate)."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None or not site.hours_at().open:
        return 0
    return online_members(site_id).count()


def free_members(site_id: int):
    """Online memberships with room for one more conversation, annotated with ``open``."""
    return (
        online_members(site_id)
        .annotate(open=Coalesce(open_count_subquery(site_id), Value(0)))
        .filter(open__lt=F("max_concurrent"))
        .select_related("user", "user__presence")
    )


def pick_order(member: Membership) -> tuple:
    """Who of the free members (:func:`free_members`) takes the next conversation:
    the lowest of these. Fewest open, then idle longest (never assigned first),
    then the lowest user id."""
    last = member.user.presence.last_assigned_at
    return (member.open, last is not None, last or NEVER, member.user_id)


def assign(conv: Conversation, user, *, event: str = "assigned",
           data: dict | None = None, new: bool = False) -> datetime:
    """Give ``conv`` (locked by the caller) to ``user`` and tell everyone; returns
    the time stored as the agent's last assignment. ``new``: it was created in this
    transaction, so it was in nobody's line (everyone waiting is ahead of it)."""
    if conv.status == Conversation.Status.WAITING and not new:
        queue.moved(conv.site_id)
    conv.assignee = user
    conv.status = Conversation.Status.OPEN
    now = timezone.now()
    Presence.objects.filter(user=user).update(last_assigned_at=now)
    note = messages.append(
        conv, author=Message.Author.SYSTEM, event=event,
        data=data if data is not None else {"agent": agent_name(user)}, to_site=True,
        also_save=("assignee", "status"),
    )
    messages.publish_conversation(conv, event, note)
    return now


def to_queue(conv: Conversation, *, event: str, data: dict,
             queued_at: datetime | None = None) -> None:
    """Put ``conv`` (locked by the caller) in its site's queue, with nobody
    assigned, and tell everyone with an ``event`` system message. It keeps its
    place (``queued_at``) unless given a new one. The caller routes it after
    (:func:`assign_waiting`)."""
    conv.status = Conversation.Status.WAITING
    conv.assignee = None
    fields = ["status", "assignee"]
    if not conv.left_message and not answering(conv.site_id):
        conv.left_message = True  # nobody to wait for: it waits as a message (queue.py)
        fields.append("left_message")
    if queued_at is not None:
        conv.queued_at = queued_at
        fields.append("queued_at")
    conv.save(update_fields=fields)
    note = messages.append(conv, author=Message.Author.SYSTEM, event=event, data=data)
    messages.publish_conversation(conv, event, note)
    # It keeps its place (usually near the front): those it went back ahead of, and its
    # own visitor, hear of the line (a place past the line's cap hears on the next move).
    queue.moved(conv.site_id)


def assign_waiting(site_id: int, *, skip: tuple[int, int] | None = None,
                   new: Conversation | None = None) -> int:
    """Hand queued conversations of a site to free agents, oldest first.

    Returns how many were assigned. Runs in (or opens) a transaction holding
    the site row so concurrent calls queue up instead of overfilling an agent.
    ``skip`` is (conversation id, user id): that agent does not get that chat
    in this pass (a chat sent back to the queue does not go straight back to
    the agent it left; it goes to someone else, or waits). ``new`` is a chat just
    created (see :func:`assign`).

    Under that lock nobody else assigns in this site, so the free agents and
    their loads are read once and each decision is made in memory
    (:func:`pick_order`): an agent coming back to a queue of 100 takes them
    in one query, not 100 picks. (A new chat on PostgreSQL, measured alone:
    15 ms of work instead of 18; a burst of them still queues on this lock.)

    Every round trip made under the lock is one the site's other new chats wait
    for, on every process: inside a caller's transaction no savepoint is made
    (its error fails the caller's transaction anyway), and ``new`` is the
    caller's own object, so what it already knows is not read again.
    """
    assigned = 0
    with transaction.atomic(savepoint=False):
        site = Site.objects.select_for_update().filter(pk=site_id).first()
        if site is None or not site.hours_at().open:
            return 0
        waiting = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("site", "visitor")
            .filter(site_id=site_id, status=Conversation.Status.WAITING)
            .order_by("queued_at", "pk")
        )
        free = list(free_members(site_id))
        if not free:
            return 0
        room = sum(m.max_concurrent - m.open for m in free)
        for conv in waiting[:room + (skip is not None)]:
            if new is not None and conv.pk == new.pk:
                conv = new
            candidates = [m for m in free if (conv.pk, m.user_id) != skip]
            if not candidates:
                continue
            member = min(candidates, key=pick_order)
            member.user.presence.last_assigned_at = assign(conv, member.user,
                                                           new=conv is new)
            member.open += 1
            if member.open >= member.max_concurrent:
                free.remove(member)
            assigned += 1
    return assigned


def requeue_absent_agents() -> int:
    """Put back in the queue the open chats of agents offline past the grace period.

    "Offline" is judged from the last heartbeat any of their sockets sent, so an
    agent whose process was killed is caught too. Returns how many were requeued.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.PAPO["AGENT_GRACE_SECONDS"])
    absent = Presence.objects.filter(last_seen_at__lt=cutoff).values("user_id")
    return _requeue(Conversation.objects.filter(assignee__in=absent), "offline past grace")


def requeue_chats_of(user_id: int, site_id: int | None = None) -> int:
    """Requeue an agent's open chats (of one site, or all): they lost access to them
    (membership removed, account deactivated) and must not sit with nobody."""
    convs = Conversation.objects.filter(assignee_id=user_id)
    if site_id is not None:
        convs = convs.filter(site_id=site_id)
    return _requeue(convs, "lost access")


def _requeue(convs, reason: str) -> int:
    """Each open conversation of ``convs`` back to the queue (one transaction each),
    then routed again. Returns how many were requeued."""
    stale = convs.filter(status=Conversation.Status.OPEN)
    requeued = 0
    site_ids: set[int] = set()
    for conv_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            conv = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("site", "visitor", "assignee")
                .filter(pk=conv_id, status=Conversation.Status.OPEN)
                .first()
            )
            if conv is None or conv.assignee_id is None:
                continue
            previous = conv.assignee
            to_queue(conv, event="requeued", data={"agent": agent_name(previous)})
            log.info("requeued conversation %s: %s %s", conv.pk, previous, reason)
            requeued += 1
            site_ids.add(conv.site_id)
    for site_id in site_ids:
        assign_waiting(site_id)
    return requeued
