"""Memberships: who answers for which site, in which role, with how much room.

Every change of a membership goes through here, whoever makes it: the Django
admin (both of its screens, with ``staff=True``: see ``papo.staff``), a site's
owners and admins from the console's team page, a new site's first owner
(``agents.site_actions``), an accepted invite (``agents.invites``). Each
``do_*`` checks (``PapoError`` with a stable code, nothing changed), writes in
one transaction and publishes after commit through the domain helpers:

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
from .models import MANAGERS, Membership

# What the column holds (PositiveIntegerField), not a product limit.
MAX_CAPACITY = 2**31 - 1


def role_of(user, site_id: int) -> str | None:
    return (Membership.objects.filter(user=user, site_id=site_id)
            .values_list("role", flat=True).first())


def _authorise(actor, site_id: int, perm: str, staff: bool, *, owners: bool = False) -> None:
    """Staff need ``perm``; anyone else must manage the site (an owner or an admin),
    and be its owner when ``owners``: the change makes, unmakes or touches an owner."""
    if staff:
        staff_rules.require(actor, perm)
        return
    role = role_of(actor, site_id)
    if role is None:
        raise PapoError("not_found", "no such site")
    if role not in MANAGERS:
        raise PapoError("forbidden", "only the site's owners and admins may do this")
    if owners and role != Membership.Role.OWNER:
        raise PapoError("forbidden", "only an owner may make, change or remove an owner")


def _lock_site(site_id: int) -> Site:
    """The site's row, locked: its membership changes queue up behind each other, so
    two owners stepping down at once cannot leave it with none."""
    site = Site.objects.select_for_update().filter(pk=site_id).first()
    if site is None:
        raise PapoError("not_found", "no such site")
    return site


def _keeps_an_owner(membership: Membership) -> None:
    """Refuse to take away the site's last owner (demoted or removed)."""
    if membership.role == Membership.Role.OWNER and not (
            Membership.objects.filter(site_id=membership.site_id, role=Membership.Role.OWNER)
            .exclude(pk=membership.pk).exists()):
        raise PapoError("last_owner", "a site keeps at least one owner: make someone else "
                                      "owner first")


def _check_terms(role: object, max_concurrent: object) -> None:
    if role not in Membership.Role.values:
        raise PapoError("invalid", "role must be 'owner', 'admin' or 'agent'")
    if (not isinstance(max_concurrent, int) or isinstance(max_concurrent, bool)
            or not 0 <= max_concurrent <= MAX_CAPACITY):
        raise PapoError("invalid",
                        f"max_concurrent must be a whole number from 0 to {MAX_CAPACITY}")


def do_add_membership(actor, site_id: int, user_id: int, *, role: object = "agent",
                      max_concurrent: object = 5, staff: bool = False) -> Membership:
    """Make ``user_id`` an agent, admin or owner (owners only) of ``site_id``.

    Their open consoles reconnect and show the new site; its agents see them
    (presence) and, if they are online, waiting chats of the site are routed.
    """
    _check_terms(role, max_concurrent)
    with transaction.atomic():
        _authorise(actor, site_id, "agents.add_membership", staff,
                   owners=role == Membership.Role.OWNER)
        site = _lock_site(site_id)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise PapoError("not_found", "no such user")
        return add_member(site, user, role, max_concurrent)


def add_member(site: Site, user, role: str, max_concurrent: int) -> Membership:
    """The write and what follows it, once a caller has checked who asks (inside
    its transaction): :func:`do_add_membership`, a new site's first owner, an
    accepted invite (``agents.invites``)."""
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
    remove it and add another). More room routes waiting chats to them. Only an
    owner makes or unmakes an owner, and never the site's last one."""
    _check_terms(role, max_concurrent)
    with transaction.atomic():
        site_id = (Membership.objects.filter(pk=membership_id)
                   .values_list("site_id", flat=True).first())
        if site_id is None:
            raise PapoError("not_found", "no such membership")
        _lock_site(site_id)
        membership = (Membership.objects.select_for_update().select_related("user", "site")
                      .filter(pk=membership_id).first())
        if membership is None:
            raise PapoError("not_found", "no such membership")
        _authorise(actor, membership.site_id, "agents.change_membership", staff,
                   owners=Membership.Role.OWNER in (membership.role, role))
        if (membership.role, membership.max_concurrent) == (role, max_concurrent):
            return membership
        if role != Membership.Role.OWNER:
            _keeps_an_owner(membership)
        more_room = max_concurrent > membership.max_concurrent
        membership.role, membership.max_concurrent = role, max_concurrent
        membership.save(update_fields=["role", "max_concurrent"])
        if more_room:
            routing.assign_waiting(membership.site_id)
        sessions.do_end_agent_sockets(membership.user_id)
    return membership


def do_remove_membership(actor, membership_id: int, *, staff: bool = False) -> None:
    """Remove a member from a site (an owner: by an owner, and never the last one).

    What follows (:func:`membership_removed`) runs from the ``post_delete``
    signal (``agents.signals``), so a membership that goes with its site or
    its user (a cascade, no action involved) has the same consequences.
    """
    with transaction.atomic():
        site_id = (Membership.objects.filter(pk=membership_id)
                   .values_list("site_id", flat=True).first())
        if site_id is None:
            raise PapoError("not_found", "no such membership")
        _lock_site(site_id)
        membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
        if membership is None:
            raise PapoError("not_found", "no such membership")
        _authorise(actor, membership.site_id, "agents.delete_membership", staff,
                   owners=membership.role == Membership.Role.OWNER)
        _keeps_an_owner(membership)
        membership.delete()


def do_transfer_ownership(actor, site_id: int, to_user_id: int) -> Membership:
    """The owner ``actor`` hands the site to another member: they become an owner,
    ``actor`` an admin, in one step (both consoles reconnect with their new roles)."""
    with transaction.atomic():
        _authorise(actor, site_id, "", False, owners=True)
        _lock_site(site_id)
        mine = Membership.objects.select_for_update().get(user=actor, site_id=site_id)
        theirs = (Membership.objects.select_for_update()
                  .filter(user_id=to_user_id, site_id=site_id).first())
        if theirs is None or theirs.pk == mine.pk:
            raise PapoError("not_found", "no such member of this site")
        if theirs.role != Membership.Role.OWNER:
            theirs.role = Membership.Role.OWNER
            theirs.save(update_fields=["role"])
            sessions.do_end_agent_sockets(theirs.user_id)
        mine.role = Membership.Role.ADMIN
        mine.save(update_fields=["role"])
        sessions.do_end_agent_sockets(actor.pk)
    return theirs


def membership_removed(user_id: int, site_id: int) -> None:
    """The site's agents see the agent leave, the agent's consoles re-check their
    access (4403 if it was their last site, else 4409), and their open chats of
    that site go back to the queue."""
    presence.publish_left_site(user_id, site_id)
    sessions.do_end_agent_sockets(user_id)
    routing.requeue_chats_of(user_id, site_id)
