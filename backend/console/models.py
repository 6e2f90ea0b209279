"""Console-side data: canned responses (per site: ``/shortcut`` → body)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SHORTCUT_RE = r"^[a-z0-9][a-z0-9_-]{0,31}$"


class CannedResponse(models.Model):
    site = models.ForeignKey(
        "papo_sites.Site", on_delete=models.CASCADE, related_name="canned_responses",
        verbose_name=_("site"),
    )
    shortcut = models.CharField(
        _("shortcut"), max_length=32,
        validators=[RegexValidator(SHORTCUT_RE, _("Use 1-32 lowercase letters, digits, - or _."))],
        help_text=_("Typed as /shortcut in the composer."),
    )
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site", "shortcut"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        constraints = [
            models.UniqueConstraint(fields=["site", "shortcut"], name="one_canned_per_shortcut"),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    def as_view(self) -> dict:
        return {"id": self.pk, "site": self.site.key, "shortcut": self.shortcut,
                "body": self.body}
