"""Whose site is it: the one check of an agent's membership, for every caller
(the console's socket and pages, tags, canned responses, reports)."""

from __future__ import annotations

from papo.errors import PapoError

from .models import Membership


def member_of(user, site_key: object) -> Membership:
    """The user's membership of the site; other sites look like missing ones."""
    if not isinstance(site_key, str):
        raise PapoError("invalid", "site must be a site key")
    m = Membership.objects.filter(user=user, site__key=site_key).select_related("site").first()
    if m is None:
        raise PapoError("not_found", "no such site")
    return m


def manager_of(user, site_key: object) -> Membership:
    """The user's membership of the site if they manage it (an owner or an admin)."""
    m = member_of(user, site_key)
    if not m.manages:
        raise PapoError("forbidden", "only the site's owners and admins may do this")
    return m
