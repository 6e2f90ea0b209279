from django.contrib import admin

from agents.models import Membership

from .models import Site


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "verified_only", "created_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "created_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "key", "allowed_origins", "created_at"]}),
        ("Identity", {"fields": ["identity_secret", "verified_only"]}),
        ("Widget", {"fields": ["color", "greeting", "offline_message", "default_locale",
                               "prechat_form", "position", "z_index"]}),
        ("Socket limits", {"fields": ["frame_burst", "frame_rate"]}),
    ]
