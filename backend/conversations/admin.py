from django.contrib import admin

from .models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["seq", "author", "agent", "internal", "body", "event", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # messages are written by actions only (seq, events, delivery)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "site", "visitor", "status", "assignee", "created_at", "updated_at"]
    list_filter = ["status", "site"]
    search_fields = ["visitor__name", "visitor__email", "messages__body"]
    readonly_fields = ["site", "visitor", "last_seq", "created_at", "updated_at", "queued_at",
                       "first_agent_reply_at", "resolved_at", "visitor_read_seq",
                       "agent_read_seq"]
    inlines = [MessageInline]

    def has_add_permission(self, request) -> bool:
        return False  # conversations start from a visitor's first message

    def save_model(self, request, obj, form, change) -> None:
        """Status and assignee changes go through the same actions as the console."""
        from . import actions

        if change and "status" in form.changed_data:
            if obj.status == Conversation.Status.RESOLVED:
                actions.do_resolve(request.user, obj.pk)
                return
            if form.initial.get("status") == Conversation.Status.RESOLVED:
                actions.do_reopen(request.user, obj.pk)
                return
        if change and "assignee" in form.changed_data and obj.assignee_id:
            actions.do_transfer(request.user, obj.pk, obj.assignee_id)
            return
        super().save_model(request, obj, form, change)
