"""The operator's view of conversations. Nothing here is saved straight: status
and assignee change only through the same actions as the console (resolve,
reopen, send back to the queue, transfer), as admin actions on the list, so
every change is checked, told to the consoles and the widget, and a refusal
is shown with its reason."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from agents.models import Membership
from papo.errors import PapoError

from . import actions
from .models import Conversation, Message
from .serializers import agent_name


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["seq", "author", "agent", "internal", "body", "event", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # messages are written by actions only (seq, events, delivery)


def _each(modeladmin, request, queryset, action, done: str, *args) -> None:
    """Run ``action`` on each selected conversation (one transaction each);
    say how many it did and, for each refusal, which and why."""
    ok = 0
    for pk in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            action(request.user, pk, *args, staff=True)
            ok += 1
        except PapoError as exc:
            modeladmin.message_user(request, f"#{pk}: {exc.message}", messages.ERROR)
    if ok:
        modeladmin.message_user(request, f"{ok} conversation(s) {done}.", messages.SUCCESS)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "site", "visitor", "status", "assignee", "rating_score", "created_at",
                    "updated_at"]
    list_filter = ["status", "site"]
    search_fields = ["visitor__name", "visitor__email", "messages__body"]
    readonly_fields = ["site", "visitor", "status", "assignee", "last_seq", "created_at",
                       "updated_at", "queued_at", "first_agent_reply_at", "resolved_at",
                       "visitor_read_seq", "agent_read_seq", "ended_by", "rating_score",
                       "rating_comment", "rated_at"]
    inlines = [MessageInline]
    actions = ["resolve", "reopen", "requeue", "transfer"]

    def has_add_permission(self, request) -> bool:
        return False  # conversations start from a visitor's first message

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False,
                         "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        """Never: every field is read-only here, and saving the row whole would
        write back a stale ``last_seq``. The actions below change conversations."""

    @admin.action(description="Resolve", permissions=["change"])
    def resolve(self, request, queryset) -> None:
        _each(self, request, queryset, actions.do_resolve, "resolved")

    @admin.action(description="Reopen (back to the queue)", permissions=["change"])
    def reopen(self, request, queryset) -> None:
        _each(self, request, queryset, actions.do_reopen, "reopened")

    @admin.action(description="Send back to the queue", permissions=["change"])
    def requeue(self, request, queryset) -> None:
        _each(self, request, queryset, actions.do_requeue, "sent back to the queue")

    @admin.action(description="Transfer to an agent…", permissions=["change"])
    def transfer(self, request, queryset):
        """First a page to choose the agent (among the members of the chats' sites),
        then the transfer of each chat to them."""
        to = request.POST.get("to", "")
        if "apply" in request.POST and to.isdigit():
            _each(self, request, queryset, actions.do_transfer, "transferred", int(to))
            return None
        members = (Membership.objects.filter(site__in=queryset.values("site"),
                                             user__is_active=True)
                   .select_related("user", "site").order_by("user__first_name", "user_id"))
        agents: dict[int, tuple[str, list[str]]] = {}
        for m in members:
            agents.setdefault(m.user_id, (agent_name(m.user), []))[1].append(m.site.name)
        return TemplateResponse(request, "admin/conversations/transfer.html", {
            **self.admin_site.each_context(request),
            "title": "Transfer to an agent",
            "opts": self.opts,
            "conversations": list(queryset.order_by("pk")),
            "agents": [(pk, name, ", ".join(sites)) for pk, (name, sites) in agents.items()],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })
