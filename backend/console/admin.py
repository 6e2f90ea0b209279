from django.contrib import admin

from . import actions
from .models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """Superusers' view of every site's canned responses; consoles hear of changes."""

    list_display = ["shortcut", "site", "body", "updated_at"]
    list_filter = ["site"]
    search_fields = ["shortcut", "body"]
    autocomplete_fields = ["site"]
    exclude = ["created_by", "updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        actions.publish_canned(obj.site)

    def delete_model(self, request, obj) -> None:
        site = obj.site
        super().delete_model(request, obj)
        actions.publish_canned(site)
