"""Who is asking, on the console's server-rendered pages: one place for the page
rules, so each view says only what it needs (a member, a manager, an owner).

The actions check again (``agents.actions``, ``agents.site_actions``): a page
rule only decides what to show; the action decides what may change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agents.models import MANAGERS, Membership
from agents.site_actions import may_create_sites
from sites.models import SeenOrigin

# A refused origin is news for this long after it was last seen (the header's
# warning and the install check's alert).
REFUSED_NEWS = timedelta(days=30)


class Refused(Exception):
    """The page answers 403 with ``refused.html`` (``reason``: which sentence)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def memberships(request: HttpRequest) -> list[Membership]:
    return list(Membership.objects.filter(user=request.user).select_related("site")
                .order_by("site__name"))


def member(request: HttpRequest, key: str, *, manage: bool = False,
           own: bool = False) -> Membership:
    """The user's membership of site ``key``: 404 when they have none (another
    tenant's site looks like a missing one), :class:`Refused` when their role
    may not see the page."""
    m = (Membership.objects.filter(user=request.user, site__key=key).select_related("site")
         .first())
    if m is None:
        raise Http404("no such site")
    if own and not m.owns:
        raise Refused("owner_only")
    if manage and not m.manages:
        raise Refused("admin_only")
    return m


def site_page(*, manage: bool = False, own: bool = False) -> Callable:
    """A page of one site: the view is called as ``view(request, member, ...)`` with the
    user's membership of the URL's ``key`` (:func:`member`'s rules: 404 for another
    tenant's site), and a role that may not see it gets the 403 page."""
    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def page(request: HttpRequest, key: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                m = member(request, key, manage=manage, own=own)
            except Refused as exc:
                return refused(request, exc.reason)
            return view(request, m, *args, **kwargs)
        return page
    return wrap


def refused(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "console/refused.html", {reason: True} if reason else {},
                  status=403)


def refused_origins(sites: list) -> dict[int, int]:
    """Per site, how many origins its widget was refused on lately that the site
    still does not allow."""
    since = timezone.now() - REFUSED_NEWS
    allowed = {s.pk: s.origin_list for s in sites}
    out: dict[int, int] = {}
    for site_id, origin in (SeenOrigin.objects.filter(site_id__in=allowed, allowed=False,
                                                      last_seen_at__gte=since)
                            .values_list("site_id", "origin")):
        if origin not in allowed[site_id]:
            out[site_id] = out.get(site_id, 0) + 1
    return out


def _nav(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {"sites": [], "may_create": False}
    managed = [m.site for m in memberships(request) if m.role in MANAGERS]
    refused = refused_origins(managed)
    return {"sites": [{"site": s, "refused": refused.get(s.pk, 0)} for s in managed],
            "may_create": may_create_sites(request.user)}


def nav(request: HttpRequest) -> dict:
    """Context processor: the header's links (the sites the user manages, each with
    its refused origins; whether they may create one), read only if a page shows them."""
    return {"console_nav": SimpleLazyObject(lambda: _nav(request))}
