"""What a site's owners and admins do to the site itself: create it (its creator
is its first owner), allow an origin its widget was refused on, rotate its
identity secret, delete it.

Same shape as every Papo action: checks raise ``PapoError`` and change nothing,
one transaction. They live in ``agents`` because memberships are the authority:
an owner or admin acts through their membership, the operator's staff through
Django's permission (``staff=True``, ``papo.staff``) from the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from papo import staff as staff_rules
from papo.errors import PapoError
from sites.models import Site, new_identity_secret
from sites.origins import normalize_origin, origin_of_address, parse_origin_list

from . import actions
from .models import Membership

NAME_MAX = Site._meta.get_field("name").max_length


def may_create_sites(user) -> bool:
    """Who may create a site on this Papo (docs/security.md, "Who may do what"):
    an active user the operator let in, as staff or as a member of any site.
    ``PAPO_SITE_CREATORS=staff`` keeps it to staff."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_staff:
        return True
    return (settings.PAPO_SITE_CREATORS == "members"
            and Membership.objects.filter(user=user).exists())


def do_create_site(actor, name: object, address: object) -> Site:
    """A new site named ``name`` whose widget may load on ``address``'s origin,
    with ``actor`` as its owner."""
    if not may_create_sites(actor):
        raise PapoError("forbidden", "ask whoever runs this Papo to let you create sites")
    if not isinstance(name, str) or not isinstance(address, str):
        raise PapoError("invalid", "a site needs a name and an address")
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise PapoError("invalid", f"a site's name is 1 to {NAME_MAX} characters")
    try:
        origin = origin_of_address(address)
    except ValueError as exc:
        raise PapoError("invalid", f"{address!r} is not a web address: {exc}") from exc
    with transaction.atomic():
        site = Site.objects.create(name=name, allowed_origins=origin)
        actions.add_member(site, actor, Membership.Role.OWNER, 5)
    return site


def _manager(actor, site_id: int, *, owner: bool = False) -> None:
    role = actions.role_of(actor, site_id)
    if role is None:
        raise PapoError("not_found", "no such site")
    if owner and role != Membership.Role.OWNER:
        raise PapoError("forbidden", "only the site's owners may do this")
    if role not in (Membership.Role.OWNER, Membership.Role.ADMIN):
        raise PapoError("forbidden", "only the site's owners and admins may do this")


def do_allow_origin(actor, site_id: int, origin: object) -> Site:
    """Add ``origin`` to the site's allowed origins (the install check's "Allow")."""
    if not isinstance(origin, str):
        raise PapoError("invalid", "origin must be a string")
    try:
        origin = normalize_origin(origin)
    except ValueError as exc:
        raise PapoError("invalid", f"{origin!r} is not an origin a site can allow: {exc}") \
            from exc
    with transaction.atomic():
        _manager(actor, site_id)
        site = Site.objects.select_for_update().get(pk=site_id)
        if origin not in parse_origin_list(site.allowed_origins):
            site.allowed_origins = "\n".join([*parse_origin_list(site.allowed_origins), origin])
            site.save(update_fields=["allowed_origins"])
    return site


def do_rotate_identity_secret(actor, site_id: int, *, staff: bool = False) -> str:
    """A new identity secret for the site (its owners, or staff allowed to change
    sites); returns it. Visitors identified with the old one are refused from now on."""
    with transaction.atomic():
        if staff:
            staff_rules.require(actor, "papo_sites.change_site")
        else:
            _manager(actor, site_id, owner=True)
        secret = new_identity_secret()
        if not Site.objects.filter(pk=site_id).update(identity_secret=secret):
            raise PapoError("not_found", "no such site")
    return secret


def do_delete_site(actor, site_id: int, confirm_name: object) -> None:
    """Delete the site and everything of it (its owners only; ``confirm_name``
    must be its name, typed, so a slip of the mouse deletes nothing)."""
    with transaction.atomic():
        _manager(actor, site_id, owner=True)
        site = Site.objects.select_for_update().get(pk=site_id)
        if not isinstance(confirm_name, str) or confirm_name.strip() != site.name:
            raise PapoError("invalid", "type the site's name to delete it")
        site.delete()
