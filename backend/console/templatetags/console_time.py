"""``{{ when|ago }}``: "just now" or "5 minutes ago", in the page's language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(when: datetime | None) -> str:
    if when is None:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(when)}
