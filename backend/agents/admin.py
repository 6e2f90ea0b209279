from django import forms
from django.contrib import admin
from django.db import transaction

from papo.admin_refusals import ShowsRefusals

from . import actions
from .models import Membership


def save_memberships(request, formset) -> None:
    """A site's membership rows (``sites.admin``), each through the agents actions:
    nothing is saved straight, so every change reaches the consoles."""
    formset.save(commit=False)  # sorts the rows into new, changed and deleted
    for membership in formset.deleted_objects:
        actions.do_remove_membership(request.user, membership.pk, staff=True)
    for membership, _ in formset.changed_objects:
        actions.do_change_membership(request.user, membership.pk, role=membership.role,
                                     max_concurrent=membership.max_concurrent, staff=True)
    for membership in formset.new_objects:
        added = actions.do_add_membership(
            request.user, membership.site_id, membership.user_id, role=membership.role,
            max_concurrent=membership.max_concurrent, staff=True)
        membership.pk = added.pk


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "max_concurrent"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a membership's user never changes: delete the row, add one
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    """On the site's page (``sites.admin.SiteAdmin``, which saves it with
    :func:`save_memberships`)."""

    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(ShowsRefusals, admin.ModelAdmin):
    """Adds, changes and removes go through ``agents.actions``."""

    list_display = ["user", "site", "role", "max_concurrent"]
    list_filter = ["role", "site"]
    autocomplete_fields = ["user", "site"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "site"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            actions.do_change_membership(request.user, obj.pk, role=obj.role,
                                         max_concurrent=obj.max_concurrent, staff=True)
            return
        added = actions.do_add_membership(request.user, obj.site_id, obj.user_id, role=obj.role,
                                          max_concurrent=obj.max_concurrent, staff=True)
        obj.pk = added.pk

    def delete_model(self, request, obj) -> None:
        actions.do_remove_membership(request.user, obj.pk, staff=True)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():  # all or none: a refusal rolls back the others
            for pk in list(queryset.values_list("pk", flat=True)):
                actions.do_remove_membership(request.user, pk, staff=True)


# Presence and AgentConnection are not registered: they are what the console
# sockets keep up to date (runtime, not settings), and nothing an operator could
# change there would reach a console. The console shows who is online.
