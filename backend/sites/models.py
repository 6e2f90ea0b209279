"""A site is a tenant: one customer website that embeds the widget."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import hours
from .origins import allowed_set, validate_origin_list

# The fields that make a site's business hours (sites/hours.py).
HOURS_FIELDS = frozenset({"time_zone", "opening_hours", "holidays"})
# Kinds of file a site may take (attachments/sniff.py decides a file's kind from its
# bytes). Images are decoded and re-encoded and shown inline; every other kind is only
# ever served as a download.
FILE_TYPES = [
    ("image", "Images (PNG, JPEG, GIF, WebP; re-encoded)"),
    ("pdf", "PDF"),
    ("text", "Plain text"),
    ("document", "Office documents (Word, Excel, PowerPoint, OpenDocument, RTF)"),
    ("archive", "Archives (zip, gzip, 7z, rar, tar)"),
    ("media", "Audio and video"),
    ("markup", "HTML, SVG and XML (as downloads)"),
    ("other", "Anything else (as downloads)"),
]
FILE_TYPE_NAMES = frozenset(name for name, _ in FILE_TYPES)
DEFAULT_FILE_TYPES = "image,pdf,text,document"
DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024


def validate_file_types(value: str) -> None:
    unknown = set(split_file_types(value)) - FILE_TYPE_NAMES
    if unknown:
        raise ValidationError(f"unknown file types: {', '.join(sorted(unknown))}")


def split_file_types(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def new_site_key() -> str:
    """Public, unguessable key that the embed snippet carries (128 bits)."""
    return "pk_" + secrets.token_urlsafe(16)


# Languages the widget speaks (widget/src/i18n.ts), for a site's default. The
# console's own languages are settings.LANGUAGES (today the same three).
WIDGET_LOCALES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("es", "Español")]


def new_identity_secret() -> str:
    """Secret the site owner's server uses to sign visitor ids (HMAC-SHA256)."""
    return secrets.token_urlsafe(32)


class Site(models.Model):
    class Position(models.TextChoices):
        RIGHT = "right", "Bottom right"
        LEFT = "left", "Bottom left"

    name = models.CharField(max_length=200)
    key = models.CharField(
        "public site key", max_length=64, unique=True, default=new_site_key, editable=False
    )
    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origin_list],
        help_text="Exact origins that may embed the widget, one per line, "
        "e.g. https://shop.example or http://localhost:8001.",
    )
    identity_secret = models.CharField(max_length=128, default=new_identity_secret)
    verified_only = models.BooleanField(
        default=False, help_text="Refuse visitors whose identity the site did not sign."
    )

    # Widget settings
    color = models.CharField(
        max_length=7,
        default="#1f6feb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a #rrggbb colour.")],
    )
    greeting = models.CharField(max_length=300, default="Hi! How can we help?")
    offline_message = models.CharField(
        max_length=300, default="We're away right now. Leave a message."
    )
    default_locale = models.CharField(max_length=10, choices=WIDGET_LOCALES, default="en")
    prechat_form = models.BooleanField("pre-chat form", default=False)
    consent_free = models.BooleanField(
        "consent-free mode", default=False,
        help_text="The widget stores nothing and contacts Papo only once the visitor clicks "
                  "the launcher (the embed snippet then carries data-consent-free; "
                  "docs/privacy.md).")
    position = models.CharField(max_length=5, choices=Position.choices, default=Position.RIGHT)
    z_index = models.PositiveIntegerField(default=2147483000)

    # Mail (mail/): where the site hears of chats nobody answered (blank: its admins),
    # after how long a reply the visitor did not see goes to their e-mail (0: never),
    # and whether a resolved chat's transcript goes to that address too.
    notify_email = models.EmailField(
        "notification address", blank=True,
        help_text="Unanswered chats and left messages are mailed here (blank: the site's "
                  "admins).")
    followup_minutes = models.PositiveIntegerField(
        "e-mail unseen replies after (minutes)", default=10,
        help_text="A reply the visitor has not read after this long is e-mailed to them, "
                  "with a link to continue the chat (0: never).")
    transcript_on_resolve = models.BooleanField(
        "send transcripts to the site", default=False,
        help_text="Mail each resolved chat's transcript to the notification address.")

    # Business hours (sites/hours.py). Outside them the widget says when the team is
    # back, and routing hands out nothing (agents may still take chats by hand).
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[hours.validate_time_zone],
        help_text=_("The zone the opening hours are written in, e.g. Europe/Lisbon."))
    opening_hours = models.TextField(
        _("opening hours"), blank=True, validators=[hours.validate_week],
        help_text=_("One line per day or days: “mon-fri 09:00-18:00”, “sat 10:00-13:00 "
                    "15:00-19:00”; past midnight: “fri 22:00-02:00”. Empty: always open."))
    holidays = models.TextField(
        _("holidays"), blank=True, validators=[hours.validate_holidays],
        help_text=_("Days closed, one per line: 2025-12-25, or 12-25 for every year."))
    # When the hours next open or close the site (None: never): the presence sweep
    # (agents.availability.hours_tick) tells the widgets and routes the queue then.
    hours_next_change = models.DateTimeField(null=True, blank=True, editable=False,
                                             db_index=True)
    # The queue (conversations/queue.py)
    queue_hold_minutes = models.PositiveIntegerField(
        _("keep a waiting visitor's place (minutes)"), default=30,
        help_text=_("A visitor waiting in the queue who has had no page of the site open "
                    "for this long leaves it; their chat is closed as abandoned (0: never)."))
    # Attachments (attachments/): the largest file a visitor or an agent may send here (0:
    # none; never more than PAPO_UPLOAD_MAX_BYTES), and which kinds (FILE_TYPES).
    file_max_bytes = models.PositiveIntegerField(
        "largest file (bytes)", default=DEFAULT_FILE_MAX_BYTES,
        help_text="0 turns attachments off. The server's own cap (PAPO_UPLOAD_MAX_BYTES) "
                  "is the most it can be.")
    file_types = models.CharField(
        "file types", max_length=200, default=DEFAULT_FILE_TYPES, blank=True,
        validators=[validate_file_types],
        help_text="Kinds of file visitors and agents may send, comma separated: "
                  + ", ".join(name for name, _ in FILE_TYPES) + ".")

    # Socket limits (blank: the server defaults in settings.PAPO)
    frame_burst = models.PositiveIntegerField(null=True, blank=True)
    frame_rate = models.FloatField("frames per second", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Changed hours are announced (and the queue routed) by the next sweep."""
        fields = kwargs.get("update_fields")
        if fields is None or HOURS_FIELDS & set(fields):
            had = self.hours_next_change is not None
            self.hours_next_change = (timezone.now() if self.opening_hours.strip() or had
                                      else None)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "hours_next_change"}
        super().save(*args, **kwargs)

    @property
    def origin_list(self) -> frozenset[str]:
        return allowed_set(self.allowed_origins)

    def hours_at(self, at: datetime | None = None) -> hours.State:
        """Is the site open at ``at`` (now), and when does that change."""
        try:
            parsed = hours.hours(self.time_zone, self.opening_hours, self.holidays)
        except ValidationError:  # written past validation (a shell): read as no hours
            return hours.ALWAYS
        return hours.state_at(parsed, at or timezone.now())

    def clean(self) -> None:
        cap = settings.PAPO["UPLOAD_MAX_BYTES"]
        if self.file_max_bytes is not None and self.file_max_bytes > cap:
            raise ValidationError({"file_max_bytes": f"at most {cap:,} bytes on this server "
                                                     "(PAPO_UPLOAD_MAX_BYTES)"})

    @property
    def file_type_set(self) -> frozenset[str]:
        return frozenset(split_file_types(self.file_types)) & FILE_TYPE_NAMES

    @property
    def file_limit(self) -> int:
        """The largest file this site takes now: its own setting, within the server's cap."""
        return min(self.file_max_bytes, settings.PAPO["UPLOAD_MAX_BYTES"])

    def files_config(self) -> dict:
        """What a client needs to refuse a file before uploading it."""
        return {"max_bytes": self.file_limit,
                "types": [name for name, _ in FILE_TYPES if name in self.file_type_set]}

    def widget_config(self, agents_online: bool, opens_at: datetime | None = None) -> dict:
        """What the widget needs to draw itself (public: no secrets here).

        ``opens_at``: closed by its hours until then. ``email``: this deployment
        sends mail, so the widget may promise it (to an address the visitor gave).
        ``files``: what it takes, so a file it refuses is refused before uploading."""
        return {
            "site": self.key,
            "name": self.name,
            "color": self.color,
            "greeting": self.greeting,
            "offline_message": self.offline_message,
            "locale": self.default_locale,
            "prechat_form": self.prechat_form,
            "position": self.position,
            "z_index": self.z_index,
            "verified_only": self.verified_only,
            "consent_free": self.consent_free,
            "agents_online": agents_online,
            "opens_at": opens_at.isoformat() if opens_at else None,
            "email": settings.PAPO_EMAIL_ENABLED,
            "files": self.files_config(),
        }


class SeenOrigin(models.Model):
    """A page origin the site's widget was seen loading from, allowed or refused, and
    when (``sites.seen``: written at most once a minute per origin, read by the
    install check)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="seen_origins")
    origin = models.CharField(max_length=200)
    allowed = models.BooleanField(help_text="Whether the site allowed it when last seen.")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "origin"],
                                               name="seen_origin_once_per_site")]

    def __str__(self) -> str:
        return self.origin
