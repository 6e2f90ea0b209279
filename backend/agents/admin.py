from django.contrib import admin

from .models import AgentConnection, Membership, Presence


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "role", "max_concurrent"]
    list_filter = ["role", "site"]
    autocomplete_fields = ["user", "site"]


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "last_seen_at", "last_assigned_at"]
    list_filter = ["status"]


@admin.register(AgentConnection)
class AgentConnectionAdmin(admin.ModelAdmin):
    list_display = ["user", "channel_name", "seen_at"]
    readonly_fields = ["user", "channel_name", "seen_at"]
