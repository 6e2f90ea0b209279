from django import forms
from django.contrib import admin

from agents.admin import MembershipInline, save_memberships
from agents.models import Membership
from papo.admin_refusals import ShowsRefusals

from . import hours
from .forms import FileTypesField
from .models import SeenOrigin, Site


class SeenOriginInline(admin.TabularInline):
    """Where the widget was seen loading from (sites.seen): read only."""

    model = SeenOrigin
    fields = readonly_fields = ["origin", "allowed", "first_seen_at", "last_seen_at"]
    ordering = ["-last_seen_at"]
    extra = 0
    can_delete = False
    verbose_name_plural = "pages seen loading the widget (allowed then, or refused)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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
    inlines = [MembershipInline, SeenOriginInline]
    fieldsets = [
        (None, {"fields": ["name", "key", "allowed_origins", "created_at"]}),
        ("Identity", {"fields": ["identity_secret", "verified_only"]}),
        ("Widget", {"fields": ["color", "greeting", "offline_message", "default_locale",
                               "prechat_form", "position", "z_index", "consent_free"]}),
        ("Business hours", {"fields": ["time_zone", "opening_hours", "holidays"]}),
        ("Queue", {"fields": ["queue_hold_minutes"]}),
        ("Mail", {"fields": ["notify_email", "followup_minutes", "transcript_on_resolve"]}),
        ("Attachments", {"fields": ["file_max_bytes", "file_types"]}),
        ("Socket limits", {"fields": ["frame_burst", "frame_rate"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":  # a select of the zones this server knows
            return forms.ChoiceField(label=db_field.verbose_name.capitalize(),
                                     choices=hours.zone_choices, initial=db_field.default,
                                     help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Membership:  # through the agents actions, so consoles hear
            save_memberships(request, formset)
            return
        super().save_formset(request, form, formset, change)
