"""The Django admin's authority, checked by the actions themselves.

Agents act through their memberships: a site admin manages their own site.
The admin at ``/admin/`` belongs to the operator's staff, who need no
membership: they act on every site with Django's permission for the model
they change (``conversations.change_conversation``, ``agents.add_membership``…).
The admin calls actions with ``staff=True``; the action checks the permission
here, so the rule holds whatever screen or command calls it.
"""

from __future__ import annotations

from .errors import PapoError


def require(user, perm: str) -> None:
    """Refuse (``forbidden``) unless ``user`` is active staff holding ``perm``."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)
            and user.has_perm(perm)):
        raise PapoError("forbidden", "this needs the admin's permission to change it")
