"""Read-only views the console's pages and socket need beyond conversations."""

from __future__ import annotations

from agents.models import Membership
from agents.presence import agents_of, status_of
from conversations import queries, serializers, tags

from .models import CannedResponse


def console_welcome(user) -> dict:
    """Everything a console needs on (re)connect, in one hop."""
    sites = [
        # On the wire an owner is an "admin" (both manage the site; what only an owner
        # may do is on the console's site pages, not the socket): protocol v2's roles.
        {"key": m.site.key, "name": m.site.name, "role": "admin" if m.manages else "agent",
         "max_concurrent": m.max_concurrent, "files": m.site.files_config()}
        for m in Membership.objects.filter(user=user).select_related("site").order_by("site__name")
    ]
    return {
        "agent": {"id": user.pk, "name": serializers.agent_name(user),
                  "username": user.get_username()},
        "status": status_of(user),
        "sites": sites,
        "agents": agents_of(user),
        "counts": queries.counts(user),
        "canned": canned_of(user),
        "tags": tags.tags_of(user),
    }


def canned_of(user) -> list[dict]:
    """Canned responses of every site ``user`` is a member of."""
    return [c.as_view() for c in CannedResponse.objects.filter(site__members__user=user)
            .select_related("site").order_by("site__name", "shortcut")]
