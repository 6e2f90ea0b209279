"""Agent presence, shared by every process through the database.

A console socket registers an ``AgentConnection`` and refreshes it on every
heartbeat; ``sweep`` drops the ones whose process died without saying so and
requeues the chats of agents gone past the grace period. Presence changes are
published to the agents of the same sites (console) and as availability to
those sites' widgets.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from bus import events, groups
from conversations import queue, ratings, routing
from conversations.models import Conversation
from conversations.serializers import agent_name
from papo.cache import shared
from papo.errors import PapoError

from . import availability
from .models import AgentConnection, Membership, Presence, fresh_since

log = logging.getLogger("papo.presence")


def status_of(user) -> str:
    """online / away / offline as others see it."""
    presence = Presence.objects.filter(user=user).first()
    live = AgentConnection.objects.filter(user=user, seen_at__gte=fresh_since()).exists()
    if not live or presence is None:
        return Presence.Status.OFFLINE
    return presence.status


def agents_of(user) -> list[dict]:
    """Every agent sharing a site with ``user``, with status, load and their ratings
    of the last 30 days on the sites they share with ``user`` (``rating``, null when
    none: another tenant's ratings of the same person are not this one's business)."""
    site_ids = list(Membership.objects.filter(user=user).values_list("site_id", flat=True))
    live = AgentConnection.objects.filter(user=OuterRef("user_id"), seen_at__gte=fresh_since())
    rows = (
        Membership.objects.filter(site_id__in=site_ids, user__is_active=True)
        .select_related("user", "site", "user__presence")
        .annotate(live=Exists(live))
        .order_by("user_id")
    )
    open_counts = dict(
        Conversation.objects.filter(status=Conversation.Status.OPEN, site_id__in=site_ids)
        .values_list("assignee")
        .annotate(n=Count("*"))
        .values_list("assignee", "n")
    )
    rated = ratings.agent_ratings(site_ids)
    agents: dict[int, dict] = {}
    for m in rows:
        presence = getattr(m.user, "presence", None)
        status = (presence.status if presence else Presence.Status.ONLINE) if m.live else "offline"
        entry = agents.setdefault(m.user_id, {
            "id": m.user_id, "name": agent_name(m.user), "status": status,
            "open": open_counts.get(m.user_id, 0), "sites": [],
            "rating": rated.get(m.user_id),
        })
        entry["sites"].append(m.site.key)
    return list(agents.values())


def _publish_presence(user) -> None:
    """Tell agents of the user's sites, and those sites' widgets, what changed."""
    availability.forget()
    status = status_of(user)
    frame = {"type": "presence", "agent": {
        "id": user.pk, "name": agent_name(user), "status": status,
        "open": Conversation.objects.filter(assignee=user, status="open").count(),
    }}
    for site_id in Membership.objects.filter(user=user).values_list("site_id", flat=True):
        events.publish(groups.site_agents(site_id), frame, site=site_id)
        availability.publish(site_id)


def publish_left_site(user_id: int, site_id: int) -> None:
    """The agent is no longer a member of ``site_id``: its agents see them offline.

    Called after the membership row is gone, so :func:`_publish_presence` (which
    reaches the sites the user *is* a member of) can no longer tell this one.
    """
    availability.forget()
    user = get_user_model().objects.filter(pk=user_id).first()
    events.publish(groups.site_agents(site_id), {"type": "presence", "agent": {
        "id": user_id, "name": agent_name(user),
        "status": Presence.Status.OFFLINE,
        "open": Conversation.objects.filter(assignee_id=user_id, site_id=site_id,
                                            status=Conversation.Status.OPEN).count(),
    }}, site=site_id)
    availability.publish(site_id)


def _assign_for(user) -> None:
    for site_id in Membership.objects.filter(user=user).values_list("site_id", flat=True):
        routing.assign_waiting(site_id)


def do_agent_connect(user, channel_name: str) -> str:
    """Register a console socket; returns the agent's status."""
    now = timezone.now()
    with transaction.atomic():
        was = status_of(user)
        AgentConnection.objects.update_or_create(
            channel_name=channel_name, defaults={"user": user, "seen_at": now}
        )
        presence, _ = Presence.objects.get_or_create(user=user)
        Presence.objects.filter(pk=presence.pk).update(last_seen_at=now)
        status = status_of(user)
        if status != was:
            _publish_presence(user)
        if status == Presence.Status.ONLINE:
            _assign_for(user)
    return status


def do_agent_heartbeat(user, channel_name: str) -> None:
    now = timezone.now()
    updated = AgentConnection.objects.filter(channel_name=channel_name).update(seen_at=now)
    if not updated:  # swept while we were away (a long pause): come back
        do_agent_connect(user, channel_name)
        return
    Presence.objects.filter(user=user).update(last_seen_at=now)


def do_agent_disconnect(user, channel_name: str) -> None:
    with transaction.atomic():
        was = status_of(user)
        AgentConnection.objects.filter(channel_name=channel_name).delete()
        Presence.objects.filter(user=user).update(last_seen_at=timezone.now())
        if status_of(user) != was:
            _publish_presence(user)


def do_set_presence(user, status: object) -> str:
    if status not in (Presence.Status.ONLINE, Presence.Status.AWAY):
        raise PapoError("invalid", "status must be 'online' or 'away'")
    with transaction.atomic():
        Presence.objects.update_or_create(user=user, defaults={"status": status})
        _publish_presence(user)
        if status == Presence.Status.ONLINE:
            _assign_for(user)
    return status


def sweep() -> dict:
    """Drop dead sockets, publish who went offline, requeue chats past the grace period;
    then the sites' hours that turned (``availability.hours_tick``) and the waiting
    chats whose visitor left past the site's hold (``queue.abandon_gone``)."""
    with transaction.atomic():
        dead = AgentConnection.objects.filter(seen_at__lt=fresh_since())
        user_ids = set(dead.values_list("user_id", flat=True))
        removed, _ = dead.delete()
        for presence in Presence.objects.filter(user_id__in=user_ids).select_related("user"):
            if not AgentConnection.objects.filter(user_id=presence.user_id).exists():
                _publish_presence(presence.user)
    requeued = routing.requeue_absent_agents()
    turned = availability.hours_tick()
    abandoned = queue.abandon_gone()
    if removed or requeued or abandoned:
        log.info("sweep: %d dead console sockets removed, %d conversations requeued, "
                 "%d abandoned", removed, requeued, abandoned)
    return {"removed": removed, "requeued": requeued, "hours_turned": turned,
            "abandoned": abandoned}


def maybe_sweep() -> None:
    """Sweep at most once per ``SWEEP_SECONDS`` across all processes (cache lock)."""
    if shared().add("papo:sweep-lock", 1, timeout=settings.PAPO["SWEEP_SECONDS"]):
        sweep()


