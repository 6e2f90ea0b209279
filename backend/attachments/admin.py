from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: files change only through uploads and sends; deleting one here
    deletes its stored files (attachments.signals)."""

    list_display = ["public_id", "name", "content_type", "size", "site", "conversation",
                    "ready", "scan", "created_at", "sent_at"]
    list_filter = ["kind", "ready", "scan"]
    search_fields = ["public_id", "name"]
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
