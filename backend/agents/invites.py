"""Invitations: a site's owners and admins bring people in by e-mail address.

- An address with a working account (it has a password) becomes a member at
  once; they are mailed a note that says so.
- Any other address gets an :class:`~agents.models.Invite` (and an account,
  made for it, with no password) and a mail with a link to set their password
  (``invite_tokens``), through the task worker. Setting it makes every pending
  invite of theirs a membership and logs them in (``console.invite_views``).
  When this server sends no mail, the console shows the link to copy instead.
- Inviting again changes the role and capacity and sends a new link (the old
  ones stop working); revoking ends the link, and removes the account made for
  the invite if it was never used and is not invited anywhere else.

Who may: the site's owners and admins, an owner to invite an owner
(``agents.actions`` checks, as for every membership).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from mail import sending, tasks
from mail.models import SentMail
from papo.errors import PapoError

from . import actions
from .models import Invite, Membership

USERNAME_MAX = 150  # Django's username column: the address is the username


@dataclass(frozen=True)
class Invited:
    email: str
    added: bool  # True: a member now (they had an account); False: invited (a link)
    user: object
    invite: Invite | None = None


def _address(email: object) -> str:
    if not isinstance(email, str):
        raise PapoError("invalid", "an e-mail address is needed")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise PapoError("invalid", f"{email!r} is not an e-mail address") from exc
    if len(email) > USERNAME_MAX:
        raise PapoError("invalid", f"an address of at most {USERNAME_MAX} characters, please")
    return email


def _account_of(email: str):
    users = get_user_model().objects
    return (users.filter(email__iexact=email).order_by("pk").first()
            or users.filter(username__iexact=email).first())


def do_invite(actor, site_id: int, email: object, *, role: object = "agent",
              max_concurrent: object = 5, language: str = "en") -> Invited:
    """Invite ``email`` to ``site_id`` as ``role``, or invite them again (a new
    link, the new role and capacity). ``language``: the mail's (the inviter's)."""
    email = _address(email)
    actions._check_terms(role, max_concurrent)
    with transaction.atomic():
        actions._authorise(actor, site_id, "", False, owners=role == Membership.Role.OWNER)
        site = actions._lock_site(site_id)
        user = _account_of(email)
        if user is not None and not user.is_active:
            raise PapoError("invalid", f"{email}'s account is switched off; whoever runs this "
                                       "Papo can switch it back on")
        if user is not None and Membership.objects.filter(user=user, site=site).exists():
            raise PapoError("invalid", f"{email} is already a member of {site}")
        if user is not None and user.has_usable_password():
            actions.add_member(site, user, role, max_concurrent)
            _mail(SentMail.Kind.ADDED,
                  f"added:{site.pk}:{user.pk}:{timezone.now().timestamp():.3f}:{language}",
                  site.pk, user.email or email)
            return Invited(email, True, user)
        new_user = user is None
        if new_user:
            user = get_user_model().objects.create_user(username=email, email=email)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        invite, _ = Invite.objects.update_or_create(
            site=site, user=user,
            defaults={"role": role, "max_concurrent": max_concurrent, "invited_by": actor,
                      "sent_at": timezone.now()},
            create_defaults={"role": role, "max_concurrent": max_concurrent,
                             "invited_by": actor, "new_user": new_user})
        _mail(SentMail.Kind.INVITE,
              f"invite:{invite.pk}:{invite.sent_at.timestamp():.3f}:{language}", site.pk, email)
    return Invited(email, False, user, invite)


def _mail(kind: str, key: str, site_id: int, to: str) -> None:
    """Claim the mail and hand it to the worker (committed with the invite, or not at
    all). ``mail.tasks`` builds it when it sends; the key ends with its language."""
    if not settings.PAPO_EMAIL_ENABLED:
        return  # the console shows the link to copy
    if sending.claim(key, kind=kind, site_id=site_id, to=to):
        tasks.deliver.enqueue(key)


def do_revoke_invite(actor, invite_id: int) -> None:
    """Take an invitation back: its link stops working; an account made for it that
    was never used and has nothing else here goes with it."""
    with transaction.atomic():
        invite = Invite.objects.select_related("user").filter(pk=invite_id).first()
        if invite is None:
            raise PapoError("not_found", "no such invitation")
        actions._authorise(actor, invite.site_id, "", False,
                           owners=invite.role == Membership.Role.OWNER)
        user = invite.user
        invite.delete()
        if (invite.new_user and not user.has_usable_password() and user.last_login is None
                and not user.is_staff and not user.memberships.exists()
                and not user.invites.exists()):
            user.delete()


def accept(user) -> list[Membership]:
    """``user`` set their password through an invite link: each pending invite of
    theirs becomes a membership (one already a member of is just dropped)."""
    made = []
    with transaction.atomic():
        for invite in (Invite.objects.select_for_update().select_related("site")
                       .filter(user=user).order_by("pk")):
            actions._lock_site(invite.site_id)
            if not Membership.objects.filter(user=user, site_id=invite.site_id).exists():
                made.append(actions.add_member(invite.site, user, invite.role,
                                               invite.max_concurrent))
            invite.delete()
    return made
