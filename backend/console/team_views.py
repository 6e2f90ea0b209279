"""A site's team, in the console: its members (role, capacity, remove), handing
the site to another owner, and invitations by e-mail (send, send again, revoke;
the link to copy when this server sends no mail).

Owners and admins see the page; what each may change is the actions' rule
(``agents.actions``, ``agents.invites``): the page only leaves out what would
be refused, and a raw POST is refused all the same.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents import actions, invite_tokens, invites
from agents.models import Invite, Membership
from papo.errors import PapoError

from . import access, errors

ROLE_CHOICES = [(Membership.Role.AGENT, gettext_lazy("Agent: answers chats")),
                (Membership.Role.ADMIN, gettext_lazy("Admin: also settings and team")),
                (Membership.Role.OWNER, gettext_lazy("Owner: everything"))]


def _roles(member: Membership) -> list[tuple[str, str]]:
    """The roles ``member`` may give: an admin gives agent and admin."""
    return [c for c in ROLE_CHOICES if member.owns or c[0] != Membership.Role.OWNER]


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES,
                             initial=Membership.Role.AGENT)
    max_concurrent = forms.IntegerField(
        label=gettext_lazy("Chats at once"), min_value=0, max_value=actions.MAX_CAPACITY,
        initial=5, help_text=gettext_lazy("How many chats routing gives them at the same time."))

    def __init__(self, *args, roles: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    max_concurrent = forms.IntegerField(min_value=0, max_value=actions.MAX_CAPACITY)


def _page(request: HttpRequest, member: Membership, form: InviteForm | None = None,
          status: int = 200) -> HttpResponse:
    site = member.site
    members = list(Membership.objects.filter(site=site).select_related("user")
                   .order_by("user__first_name", "user__username"))
    pending = list(Invite.objects.filter(site=site).select_related("user", "invited_by")
                   .order_by("-sent_at"))
    mail = settings.PAPO_EMAIL_ENABLED
    for invite in pending:
        invite.link = ("" if mail else
                       request.build_absolute_uri(invite_tokens.link_path(invite.user)))
    return render(request, "console/site_team.html", {
        "site": site, "member": member, "tab": "team", "members": members,
        "pending": pending, "mail": mail, "roles": _roles(member),
        "form": form or InviteForm(roles=_roles(member)),
        "owners": sum(m.owns for m in members)}, status=status)


@login_required
@access.site_page(manage=True)
def team(request: HttpRequest, member: Membership) -> HttpResponse:
    return _page(request, member)


@login_required
@require_POST
@access.site_page(manage=True)
def invite(request: HttpRequest, member: Membership) -> HttpResponse:
    key = member.site.key
    # Every role is accepted here: the action refuses what this member may not give.
    form = InviteForm(request.POST, roles=ROLE_CHOICES)
    if not form.is_valid():
        return _page(request, member, form, status=400)
    data = form.cleaned_data
    try:
        done = invites.do_invite(request.user, member.site_id, data["email"],
                                 role=data["role"], max_concurrent=data["max_concurrent"],
                                 language=get_language() or "en")
    except PapoError as exc:
        form.add_error(None, errors.say(exc))
        return _page(request, member, form, status=400)
    if done.added:
        messages.success(request, _("%(email)s had an account here: they are a member now, "
                                    "and were told by e-mail.") % {"email": done.email}
                         if settings.PAPO_EMAIL_ENABLED else
                         _("%(email)s had an account here: they are a member now.")
                         % {"email": done.email})
    elif settings.PAPO_EMAIL_ENABLED:
        messages.success(request, _("Invitation mailed to %(email)s.") % {"email": done.email})
    else:
        messages.success(request, _("This server sends no e-mail: copy the invitation's link "
                                    "below and send it to %(email)s yourself.")
                         % {"email": done.email})
    return redirect("console:team", key=key)


def _act(request: HttpRequest, member: Membership, action, done: str) -> HttpResponse:
    """Run ``action(member)`` for a manager of the site; say ``done`` or why not."""
    try:
        action(member)
    except PapoError as exc:
        messages.error(request, errors.say(exc))
    else:
        messages.success(request, done)
    return redirect("console:team", key=member.site.key)


def _own_membership(member: Membership, membership_id: int) -> int:
    """``membership_id`` if it is of ``member``'s site (another site's: not found)."""
    if not Membership.objects.filter(pk=membership_id, site_id=member.site_id).exists():
        raise PapoError("not_found", "no such member")
    return membership_id


@login_required
@require_POST
@access.site_page(manage=True)
def change_member(request: HttpRequest, member: Membership, membership_id: int) -> HttpResponse:
    form = MemberForm(request.POST)

    def change(member: Membership) -> None:
        if not form.is_valid():
            raise PapoError("invalid", _("Choose a role and a number of chats from 0."))
        actions.do_change_membership(request.user, _own_membership(member, membership_id),
                                     role=form.cleaned_data["role"],
                                     max_concurrent=form.cleaned_data["max_concurrent"])
    return _act(request, member, change, _("Saved."))


@login_required
@require_POST
@access.site_page(manage=True)
def remove_member(request: HttpRequest, member: Membership, membership_id: int) -> HttpResponse:
    return _act(request, member, lambda member: actions.do_remove_membership(
        request.user, _own_membership(member, membership_id)), _("Removed from the site."))


@login_required
@require_POST
@access.site_page(manage=True)
def transfer(request: HttpRequest, member: Membership) -> HttpResponse:
    def hand_over(member: Membership) -> None:
        try:
            to = int(request.POST.get("user", ""))
        except ValueError:
            raise PapoError("invalid", _("Choose who takes the site over.")) from None
        actions.do_transfer_ownership(request.user, member.site_id, to)
    return _act(request, member, hand_over,
                _("The site has a new owner; you are one of its admins now."))


def _own_invite(member: Membership, invite_id: int) -> Invite:
    found = Invite.objects.select_related("user").filter(pk=invite_id,
                                                         site_id=member.site_id).first()
    if found is None:
        raise PapoError("not_found", "no such invitation")
    return found


@login_required
@require_POST
@access.site_page(manage=True)
def resend_invite(request: HttpRequest, member: Membership, invite_id: int) -> HttpResponse:
    def again(member: Membership) -> None:
        found = _own_invite(member, invite_id)
        invites.do_invite(request.user, member.site_id, found.user.email,
                          role=found.role, max_concurrent=found.max_concurrent,
                          language=get_language() or "en")
    done = (_("Sent again; the earlier link no longer works.") if settings.PAPO_EMAIL_ENABLED
            else _("A new link; the earlier one no longer works."))
    return _act(request, member, again, done)


@login_required
@require_POST
@access.site_page(manage=True)
def revoke_invite(request: HttpRequest, member: Membership, invite_id: int) -> HttpResponse:
    return _act(request, member, lambda member: invites.do_revoke_invite(
        request.user, _own_invite(member, invite_id).pk),
        _("Invitation revoked; its link no longer works."))
