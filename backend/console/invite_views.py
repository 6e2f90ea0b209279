"""Where an invitation's link lands: the invitee chooses their name and password
(Django's password-reset page, with the invite's own tokens: the token leaves the
address bar at once, good once, expiring), becomes a member of every site that
invited them (``agents.invites.accept``) and is logged in to the console."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from agents import invites
from agents.invite_tokens import tokens
from agents.models import Invite


class WelcomeForm(SetPasswordForm):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=150, required=False,
                           help_text=gettext_lazy("What colleagues see in the console."))
    field_order = ["name", "new_password1", "new_password2"]

    def save(self, commit: bool = True):
        self.user.first_name = self.cleaned_data.get("name", "").strip()
        return super().save(commit)


class AcceptInvite(auth_views.PasswordResetConfirmView):
    form_class = WelcomeForm
    token_generator = tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    template_name = "console/invite_accept.html"
    success_url = reverse_lazy("console:app")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("validlink"):
            context["sites"] = [i.site for i in Invite.objects.filter(user=self.user)
                                .select_related("site").order_by("site__name")]
            context["email"] = self.user.email
        return context

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            invites.accept(self.user)
        return response


accept_invite = AcceptInvite.as_view()
