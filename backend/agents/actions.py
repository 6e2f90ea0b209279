"""Memberships: who answers for which site, in which role, with how much room.

Every change of a membership goes through here, whoever makes it: the Django
admin (both of its screens, with ``staff=True``: see ``papo.staff``) now, a
site admin from the console later. Each ``do_*`` checks (``PapoError`` with a
stable code, nothing changed), writes in one transaction and publishes after
commit through the domain helpers:

- the agent's open consoles re-check their access (``sessions``): a console
  learns its sites, roles and capacities in its welcome only, so any change
  makes it reconnect (4409) and be welcomed with the new set;
- the site's agents hear the agent's presence (``presence``);
- waiting chats are routed when the change makes room (``routing``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from conversations import routing
from papo import staff as staff_rules
from papo.errors import PapoError
from sites.models import Site

from . import presence, sessions
from .models import Membership

# What the column holds (PositiveIntegerField), not a product limit.
MAX_CAPACITY = 2**31 - 1


def _authorise(actor, site_id: int, perm: str, staff: bool) -> None:
    """Staff need ``perm``; anyone else must be an admin of the site."""
    if staff:
        staff_rules.require(actor, perm)
        return
    role = (Membership.objects.filter(user=actor, site_id=site_id)
            .values_list("role", flat=True).first())
    if role is None:
        raise PapoError("not_found", "no such site")
    if role != Membership.Role.ADMIN:
        raise PapoError("forbidden", "only a site admin may do this")


def _check_terms(role: object, max_concurrent: object) -> None:
    if role not in Membership.Role.values:
        raise PapoError("invalid", "role must be 'agent' or 'admin'")
    if (not isinstance(max_concurrent, int) or isinstance(max_concurrent, bool)
            or not 0 <= max_concurrent <= MAX_CAPACITY):
        raise PapoError("invalid",
                        f"max_concurrent must be a whole number from 0 to {MAX_CAPACITY}")


def do_add_membership(actor, site_id: int, user_id: int, *, role: object = "agent",
                      max_concurrent: object = 5, staff: bool = False) -> Membership:
    """Make ``user_id`` an agent (or admin) of ``site_id``.

    Their open consoles reconnect and show the new site; its agents see them
    (presence) and, if they are online, waiting chats of the site are routed.
    """
    _check_terms(role, max_concurrent)
    with transaction.atomic():
        _authorise(actor, site_id, "agents.add_membership", staff)
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            raise PapoError("not_found", "no such site")
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise PapoError("not_found", "no such user")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, site=site, role=role, max_concurrent=max_concurrent)
        except IntegrityError as exc:
            raise PapoError("invalid", f"{user} is already a member of {site}") from exc
        presence._publish_presence(user)
        routing.assign_waiting(site.pk)
        sessions.do_end_agent_sockets(user.pk)
    return membership


def do_change_membership(actor, membership_id: int, *, role: object, max_concurrent: object,
                         staff: bool = False) -> Membership:
    """Change a member's role or capacity (its user and site never change:
    remove it and add another). More room routes waiting chats to them."""
    _check_terms(role, max_concurrent)
    with transaction.atomic():
        membership = (Membership.objects.select_for_update().select_related("user", "site")
                      .filter(pk=membership_id).first())
        if membership is None:
            raise PapoError("not_found", "no such membership")
        _authorise(actor, membership.site_id, "agents.change_membership", staff)
        if (membership.role, membership.max_concurrent) == (role, max_concurrent):
            return membership
        more_room = max_concurrent > membership.max_concurrent
        membership.role, membership.max_concurrent = role, max_concurrent
        membership.save(update_fields=["role", "max_concurrent"])
        if more_room:
            routing.assign_waiting(membership.site_id)
        sessions.do_end_agent_sockets(membership.user_id)
    return membership


def do_remove_membership(actor, membership_id: int, *, staff: bool = False) -> None:
    """Remove a member from a site.

    What follows (:func:`membership_removed`) runs from the ``post_delete``
    signal (``agents.signals``), so a membership that goes with its site or
    its user (a cascade, no action involved) has the same consequences.
    """
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
        if membership is None:
            raise PapoError("not_found", "no such membership")
        _authorise(actor, membership.site_id, "agents.delete_membership", staff)
        membership.delete()


def membership_removed(user_id: int, site_id: int) -> None:
    """The site's agents see the agent leave, the agent's consoles re-check their
    access (4403 if it was their last site, else 4409), and their open chats of
    that site go back to the queue."""
    presence.publish_left_site(user_id, site_id)
    sessions.do_end_agent_sockets(user_id)
    routing.requeue_chats_of(user_id, site_id)
