"""Routing: who gets a conversation, and putting chats back when an agent is gone.

A new conversation goes to the online agent of its site with the fewest open
conversations below their capacity; ties go to the agent idle longest (the
one whose last assignment is oldest). With nobody free it waits in the
site's queue and is assigned, oldest first, as soon as someone frees up or
comes online. Each decision locks the site row, so two decisions on one site
never pick the same last free slot (PostgreSQL; SQLite serialises writers).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.models import AgentConnection, Membership, Presence, fresh_since
from sites.models import Site

from . import messages
from .models import Conversation, Message
from .serializers import agent_name

log = logging.getLogger("papo.routing")


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


def free_members(site_id: int):
    """Online memberships with room for one more conversation, annotated with ``open``."""
    return (
        online_members(site_id)
        .annotate(open=Coalesce(open_count_subquery(site_id), Value(0)))
        .filter(open__lt=F("max_concurrent"))
        .select_related("user")
    )


def pick_agent(site_id: int):
    """The membership that should take the next conversation, or None."""
    return (
        free_members(site_id)
        .order_by("open", F("user__presence__last_assigned_at").asc(nulls_first=True), "user_id")
        .first()
    )


def assign(conv: Conversation, user, *, event: str = "assigned", data: dict | None = None) -> None:
    """Give ``conv`` (locked by the caller) to ``user`` and tell everyone."""
    conv.assignee = user
    conv.status = Conversation.Status.OPEN
    conv.save(update_fields=["assignee", "status"])
    Presence.objects.filter(user=user).update(last_assigned_at=timezone.now())
    messages.append(
        conv, author=Message.Author.SYSTEM, event=event,
        data=data if data is not None else {"agent": agent_name(user)}, to_site=True,
    )
    messages.publish_conversation(conv, event)


def assign_waiting(site_id: int) -> int:
    """Hand queued conversations of a site to free agents, oldest first.

    Returns how many were assigned. Runs in (or opens) a transaction holding
    the site row so concurrent calls queue up instead of overfilling an agent.
    """
    assigned = 0
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=site_id).first()
        while True:
            conv = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("site", "visitor")
                .filter(site_id=site_id, status=Conversation.Status.WAITING)
                .order_by("queued_at", "pk")
                .first()
            )
            if conv is None:
                break
            member = pick_agent(site_id)
            if member is None:
                break
            assign(conv, member.user)
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
            conv.status = Conversation.Status.WAITING
            conv.assignee = None
            conv.save(update_fields=["status", "assignee"])
            messages.append(
                conv, author=Message.Author.SYSTEM, event="requeued",
                data={"agent": agent_name(previous)},
            )
            messages.publish_conversation(conv, "requeued")
            log.info("requeued conversation %s: %s %s", conv.pk, previous, reason)
            requeued += 1
            site_ids.add(conv.site_id)
    for site_id in site_ids:
        assign_waiting(site_id)
    return requeued
