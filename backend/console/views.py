"""The console's pages: the app shell (behind login, members only) and site settings
(owners and admins; the identity secret and deleting the site: owners).

The shell carries no inline script (a strict CSP can forbid them): the bundle
reads what it needs from ``data-`` attributes on ``<body>``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from agents import site_actions
from agents.models import Membership
from attachments import actions as attachment_actions
from attachments import http as attachment_http
from papo.errors import PapoError
from sites import hours, snippet
from sites.forms import FileTypesField
from sites.models import Site

from . import access, actions, errors
from .setup_views import papo_url


@login_required
def app(request: HttpRequest) -> HttpResponse:
    """The console; with no site yet, first run: create one (if this user may)."""
    if not access.memberships(request):
        if site_actions.may_create_sites(request.user):
            return redirect("console:new_site")
        return access.refused(request)
    return render(request, "console/app.html")


class SiteSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=hours.zone_choices,
                                  help_text=Site._meta.get_field("time_zone").help_text)
    file_types = FileTypesField(label=gettext_lazy("File types visitors and agents may send"))
    # Left out of a post (a client that predates it), the limit stays as it is.
    file_max_bytes = forms.IntegerField(min_value=0, required=False,
                                        label=gettext_lazy("Largest file (bytes; 0: no files)"))

    def clean_file_max_bytes(self) -> int:
        value = self.cleaned_data.get("file_max_bytes")
        return self.instance.file_max_bytes if value is None else value

    class Meta:
        model = Site
        fields = list(actions.SITE_SETTINGS_FIELDS)
        labels = {
            "allowed_origins": gettext_lazy("Allowed origins"),
            "color": gettext_lazy("Widget colour"),
            "greeting": gettext_lazy("Greeting"),
            "offline_message": gettext_lazy("Offline message"),
            "prechat_form": gettext_lazy("Ask for name and email before the chat (pre-chat form)"),
            "default_locale": gettext_lazy("Widget language"),
            "consent_free": gettext_lazy("Consent-free mode"),
            "opening_hours": gettext_lazy("Opening hours"),
            "holidays": gettext_lazy("Holidays"),
            "queue_hold_minutes": gettext_lazy("Keep a waiting visitor's place (minutes)"),
            "notify_email": gettext_lazy("Notification address"),
            "followup_minutes": gettext_lazy("E-mail unseen replies after (minutes)"),
            "transcript_on_resolve": gettext_lazy("Send each resolved chat's transcript there"),
        }
        help_texts = {
            "allowed_origins": gettext_lazy(
                "Exact origins that may embed the widget, one per line, "
                "e.g. https://shop.example"),
            "consent_free": gettext_lazy(
                "The widget stores nothing in the visitor's browser and contacts Papo only "
                "once they click the launcher. Copy the embed snippet again after changing "
                "this: it carries the setting."),
            "notify_email": gettext_lazy(
                "Chats nobody answered and messages left while you were away are mailed "
                "here. Empty: to the site's admins."),
            "followup_minutes": gettext_lazy(
                "A reply the visitor has not read after this long is mailed to them, with a "
                "link to continue the chat (0: never)."),
        }
        widgets = {
            "allowed_origins": forms.Textarea(attrs={"rows": 4}),
            "opening_hours": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
            "holidays": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "color": forms.TextInput(attrs={"type": "color"}),
        }


def _settings_page(request: HttpRequest, member: Membership, form: SiteSettingsForm,
                   *, secret: str = "", status: int = 200) -> HttpResponse:
    """The settings page; ``secret``: the identity secret, shown this once (an owner
    asked to see it, or rotated it), never kept in a cookie or a redirect."""
    return render(request, "console/site_settings.html", {
        "site": member.site, "member": member, "form": form, "tab": "settings",
        "secret": secret, "secret_hint": mask(member.site.identity_secret),
        "snippet": snippet.for_site(member.site, papo_url(request))}, status=status)


def mask(secret: str) -> str:
    """Enough of a secret to tell two apart, nothing to use."""
    return "•" * 8 + secret[-4:] if len(secret) > 12 else "•" * 8


@login_required
@require_http_methods(["GET", "POST"])
@access.site_page(manage=True)
def site_settings(request: HttpRequest, member: Membership) -> HttpResponse:
    key = member.site.key
    site = member.site
    form = SiteSettingsForm(request.POST or None, instance=Site.objects.get(pk=site.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_site_settings(
                request.user, key,
                {f: form.cleaned_data[f] for f in actions.SITE_SETTINGS_FIELDS})
        except PapoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("console:site_settings", key=key)
    return _settings_page(request, member, form)


@login_required
@require_POST
@never_cache
@access.site_page(own=True)
def identity_secret(request: HttpRequest, member: Membership) -> HttpResponse:
    """An owner sees the identity secret (``show``) or replaces it (``rotate``)."""
    key = member.site.key
    if request.POST.get("do") == "rotate":
        try:
            secret = site_actions.do_rotate_identity_secret(request.user, member.site_id)
        except PapoError as exc:
            messages.error(request, errors.say(exc))
            return redirect("console:site_settings", key=key)
        member.site.identity_secret = secret
        messages.success(request, _("A new identity secret: put it on your server now. "
                                    "Visitors identified with the old one are refused."))
    else:
        secret = member.site.identity_secret
    return _settings_page(request, member, SiteSettingsForm(instance=member.site),
                          secret=secret)


@login_required
@require_POST
@access.site_page(own=True)
def delete_site(request: HttpRequest, member: Membership) -> HttpResponse:
    key = member.site.key
    name = member.site.name
    try:
        site_actions.do_delete_site(request.user, member.site_id, request.POST.get("name"))
    except PapoError as exc:
        messages.error(request, _("Type the site's name exactly to delete it.")
                       if exc.code == "invalid" else errors.say(exc))
        return redirect("console:site_settings", key=key)
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return redirect("console:app")


@require_POST
async def upload(request: HttpRequest, key: str) -> HttpResponse:
    """An agent's file for a chat of site ``key`` (attachments.http: the raw file as the
    body, its name in ``X-Papo-Name``). The session's agent must be a member of the
    site; Django's CSRF check applies (the console sends ``X-CSRFToken``)."""
    return await attachment_http.take_in(request, lambda r, length, client_id: _agent(r, key))


def _agent(request: HttpRequest, key: str) -> attachment_actions.Uploader:
    user = request.user
    if not (user.is_authenticated and user.is_active):
        raise PapoError("session_ended", "log in to the console first")
    member = (Membership.objects.filter(user=user, site__key=key).select_related("site")
              .first())
    if member is None:
        raise PapoError("not_found", "no such site")  # other tenants' look like missing ones
    return attachment_actions.Uploader(site=member.site, agent=user)
