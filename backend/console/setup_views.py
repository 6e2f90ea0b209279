"""The site owner's first steps, in the console: create a site (first run lands
here), then its install page: the snippet to paste, and the install check that
says where the widget loaded and which pages were refused, with "Allow". The
page refreshes its check by itself (``install_check_fragment``, pages.ts)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents import site_actions
from agents.models import Membership
from papo.errors import PapoError
from sites import snippet
from sites.origins import normalize_origin, origin_of_address

from . import access, errors, install_check


class NewSiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=site_actions.NAME_MAX,
                           widget=forms.TextInput(attrs={"autocomplete": "organization"}),
                           help_text=gettext_lazy("As visitors and your team will see it, "
                                                  "e.g. Acme Shop."))
    address = forms.CharField(
        label=gettext_lazy("Your website's address"), max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "https://shop.example",
                                      "inputmode": "url", "spellcheck": "false"}),
        help_text=gettext_lazy("Where you will paste the chat: the widget loads only on "
                               "pages of this address. You can add more later."))

    def clean_address(self) -> str:
        try:
            return origin_of_address(self.cleaned_data["address"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Type the address of your website, like https://shop.example.")) from exc


def papo_url(request: HttpRequest) -> str:
    """This Papo as the owner's browser reaches it: what the snippet loads from."""
    return request.build_absolute_uri("/").rstrip("/")


@login_required
@require_http_methods(["GET", "POST"])
def new_site(request: HttpRequest) -> HttpResponse:
    if not site_actions.may_create_sites(request.user):
        return access.refused(request, "no_site_creation")
    form = NewSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = site_actions.do_create_site(request.user, form.cleaned_data["name"],
                                               form.cleaned_data["address"])
        except PapoError as exc:
            form.add_error("address" if exc.code == "invalid" else None, errors.say(exc))
        else:
            messages.success(request, _("%(name)s is ready. Paste the snippet below into "
                                        "your pages.") % {"name": site.name})
            return redirect("console:site", key=site.key)
    return render(request, "console/new_site.html", {
        "form": form, "first": not access.memberships(request)})


@login_required
@access.site_page(manage=True)
def site_home(request: HttpRequest, member: Membership) -> HttpResponse:
    """The install page: the snippet with a copy button, and the install check."""
    site = member.site
    return render(request, "console/site_install.html", {
        "site": site, "member": member, "tab": "install",
        "snippet": snippet.for_site(site, papo_url(request)),
        "check": install_check.check(site)})


@login_required
@require_GET
def install_check_fragment(request: HttpRequest, key: str) -> HttpResponse:
    """The install page's live parts, for the page to fetch every few seconds while it
    is open (pages.ts): the header's site links (their refused-page warning), the
    refused pages and the check. The page's own template renders the same partials,
    so the two never disagree; no flash messages here, so a poll never takes one."""
    try:
        member = access.member(request, key, manage=True)
    except access.Refused as exc:
        return access.refused(request, exc.reason)
    response = render(request, "console/_install_live.html", {
        "site": member.site, "check": install_check.check(member.site)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@access.site_page(manage=True)
def allow_origin(request: HttpRequest, member: Membership) -> HttpResponse:
    key = member.site.key
    origin = request.POST.get("origin", "")
    try:
        site_actions.do_allow_origin(request.user, member.site_id, origin)
    except PapoError as exc:
        messages.error(request, errors.say(exc))
    else:
        messages.success(request, _("%(origin)s is allowed. Reload a page there: the widget "
                                    "loads, and this check turns green.")
                         % {"origin": normalize_origin(origin)})
    return redirect("console:site", key=key)
