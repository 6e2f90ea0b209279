from django import forms
from django.contrib import admin

from agents.admin import MembershipInline, save_memberships
from agents.models import Membership
from papo.admin_refusals import ShowsRefusals

from .forms import FileTypesField
from .models import Site


class SiteForm(forms.ModelForm):
    file_types = FileTypesField(label="File types")

    class Meta:
        model = Site
        exclude: list[str] = []  # every field, as the fieldsets below arrange them


@admin.register(Site)
class SiteAdmin(ShowsRefusals, admin.ModelAdmin):
    form = SiteForm
    list_display = ["name", "key", "verified_only", "created_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "created_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "key", "allowed_origins", "created_at"]}),
        ("Identity", {"fields": ["identity_secret", "verified_only"]}),
        ("Widget", {"fields": ["color", "greeting", "offline_message", "default_locale",
                               "prechat_form", "position", "z_index"]}),
        ("Attachments", {"fields": ["file_max_bytes", "file_types"]}),
        ("Socket limits", {"fields": ["frame_burst", "frame_rate"]}),
    ]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Membership:  # through the agents actions, so consoles hear
            save_memberships(request, formset)
            return
        super().save_formset(request, form, formset, change)
