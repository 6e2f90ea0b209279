"""The operator's view of sites. A site owner never needs it (the console does
all of a site's set-up); here the identity secret is masked, with a rotate
action, and the site's page shows the same embed snippet as the console."""

from django import forms
from django.contrib import admin, messages

from agents.admin import MembershipInline, save_memberships
from agents.models import Membership
from agents.site_actions import do_rotate_identity_secret
from papo.admin_refusals import ShowsRefusals
from papo.errors import PapoError

from . import hours, snippet
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
        # The fields the fieldsets below name: not the identity secret (shown masked,
        # changed only by rotating it).
        exclude: list[str] = []


def masked(secret: str) -> str:
    return "•" * 8 + secret[-4:] if len(secret) > 12 else "•" * 8


@admin.register(Site)
class SiteAdmin(ShowsRefusals, admin.ModelAdmin):
    form = SiteForm
    list_display = ["name", "key", "verified_only", "created_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "created_at", "identity_secret_masked"]
    inlines = [MembershipInline, SeenOriginInline]
    actions = ["rotate_identity_secret"]
    fieldsets = [
        (None, {"fields": ["name", "key", "allowed_origins", "created_at"]}),
        ("Identity", {"fields": ["identity_secret_masked", "verified_only"],
                      "description": "The secret is never shown here: the site's owners "
                                     "read it in the console (Settings → Identity secret). "
                                     "Rotate it with the action on the list of sites."}),
        ("Widget", {"fields": ["color", "greeting", "offline_message", "default_locale",
                               "prechat_form", "position", "z_index", "consent_free"]}),
        ("Business hours", {"fields": ["time_zone", "opening_hours", "holidays"]}),
        ("Queue", {"fields": ["queue_hold_minutes"]}),
        ("Mail", {"fields": ["notify_email", "followup_minutes", "transcript_on_resolve"]}),
        ("Attachments", {"fields": ["file_max_bytes", "file_types"]}),
        ("Socket limits", {"fields": ["frame_burst", "frame_rate"]}),
    ]

    @admin.display(description="identity secret")
    def identity_secret_masked(self, obj: Site) -> str:
        return masked(obj.identity_secret) if obj and obj.pk else "(made when saved)"

    @admin.action(description="Rotate the identity secret (visitors identified with the old "
                              "one are refused)", permissions=["change"])
    def rotate_identity_secret(self, request, queryset) -> None:
        for site in queryset.order_by("pk"):
            try:
                do_rotate_identity_secret(request.user, site.pk, staff=True)
            except PapoError as exc:
                self.message_user(request, f"{site}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{site}: a new identity secret; its owners see it "
                                           "in the console's settings.", messages.SUCCESS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The site's page shows the snippet to paste, as the console does."""
        site = self.get_object(request, object_id)
        extra = {"snippet": snippet.for_site(site, request.build_absolute_uri("/").rstrip("/"))
                 } if site else {}
        return super().change_view(request, object_id, form_url, {**extra,
                                                                  **(extra_context or {})})

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
