from django.contrib import admin

from .models import Visitor


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "email", "verified", "page_url", "last_seen_at"]
    list_filter = ["site", "verified"]
    search_fields = ["name", "email", "public_id", "external_id"]
    readonly_fields = ["public_id", "first_seen_at", "last_seen_at"]
