"""Whether anyone can answer a site's visitors now, as its widgets are told.

A site is *available* while its business hours are open (``Site.hours_at``)
and one of its agents is online. Widgets read it as ``agents_online`` (in
their config, welcome, and live ``availability`` frames), with ``opens_at``:
the next opening while the hours keep the site closed, so the widget can say
when the team is back. Unavailable is unavailable whatever the reason: routing
hands nothing out (``conversations.routing``), and what waits then is a message
left for the team (``conversations.queue.unanswerable``).

The hours open and close the site with no one acting, so something must notice:
each site stores its next change (``Site.hours_next_change``), and
:func:`hours_tick`, run by the presence sweep (``agents.presence.sweep``, at most
every ``SWEEP_SECONDS`` while any agent's console beats), finds the sites whose
time has come with one indexed query, tells their widgets and, at an opening,
routes their queue. Routing needs an online agent, and online agents beat, so
no opening that can be routed goes unnoticed; with nobody online the widgets
already show the away copy (a page loaded after the closing also gets the
"back at" line from its config).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bus import events, groups
from conversations import queue, routing
from sites.models import Site

_for_widgets: dict[int, tuple[float, bool]] = {}


def forget() -> None:
    """Presence or hours changed: this process's memo of who is online is stale."""
    _for_widgets.clear()


def site_has_online_agent(site_id: int) -> bool:
    return routing.online_members(site_id).exists()


def agents_online(site_id: int) -> bool:
    """Whether an agent of the site is online: this process's answer from the last
    second, if any. Widgets also get every change live as an ``availability``
    event, so a second of staleness never sticks."""
    now = time.monotonic()
    hit = _for_widgets.get(site_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(_for_widgets) > 10_000:
        _for_widgets.clear()
    online = site_has_online_agent(site_id)
    _for_widgets[site_id] = (now + 1.0, online)
    return online


@dataclass(frozen=True)
class Availability:
    agents_online: bool
    opens_at: datetime | None = None  # closed by the hours until then

    def fields(self) -> dict:
        return {"agents_online": self.agents_online,
                "opens_at": self.opens_at.isoformat() if self.opens_at else None}


def for_widgets(site: Site) -> Availability:
    """What a widget of ``site`` is told now (config and welcome)."""
    state = site.hours_at()
    if not state.open:
        return Availability(False, state.opens_at)
    return Availability(agents_online(site.pk))


def publish(site_id: int) -> None:
    """Tell the site's widgets whether anyone can answer; the queue follows: told its
    places when someone can, turned into left messages when nobody can."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return
    state = site.hours_at()
    available = Availability(state.open and site_has_online_agent(site_id), state.opens_at)
    events.publish(groups.site_widgets(site_id), {"type": "availability", **available.fields()},
                   site=site_id)
    if available.agents_online:
        queue.moved(site_id)
    else:
        queue.unanswerable(site_id)


def hours_tick() -> int:
    """Sites whose hours opened or closed them since they were last looked at: their
    widgets are told, an opened one's queue is routed. Returns how many turned."""
    due = Site.objects.filter(hours_next_change__lte=timezone.now())
    return sum(hours_turned(site_id) for site_id in list(due.values_list("pk", flat=True)[:500]))


def hours_turned(site_id: int) -> bool:
    """The site's hours may have opened or closed it (their time came, or they were
    edited): tell its widgets, route its queue if open, and note the next change.
    False if it was not due (another process's sweep took it)."""
    now = timezone.now()
    with transaction.atomic():
        site = (Site.objects.select_for_update()
                .filter(pk=site_id, hours_next_change__lte=now).first())
        if site is None:
            return False
        state = site.hours_at(now)
        Site.objects.filter(pk=site_id).update(hours_next_change=state.until)
        forget()
        publish(site_id)
        if state.open:
            routing.assign_waiting(site_id)
    return True
