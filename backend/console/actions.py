"""Console actions: canned responses and site settings.

Same shape as every Papo action: checks raise ``PapoError`` and change
nothing; the write is one transaction; events go out after commit. Consumers,
the settings view, the admin and tests call these.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents import availability
from agents.access import manager_of
from bus import events, groups
from papo.errors import PapoError
from sites.models import HOURS_FIELDS, Site

from .models import CannedResponse

SITE_SETTINGS_FIELDS = ("allowed_origins", "color", "greeting", "offline_message",
                        "prechat_form", "default_locale", "consent_free",
                        "time_zone", "opening_hours", "holidays", "queue_hold_minutes",
                        "notify_email", "followup_minutes", "transcript_on_resolve",
                        "file_max_bytes", "file_types")


def publish_canned(site: Site) -> None:
    rows = CannedResponse.objects.filter(site=site).select_related("site").order_by("shortcut")
    events.publish(groups.site_agents(site.pk), {
        "type": "canned", "site": site.key, "responses": [c.as_view() for c in rows]},
        site=site.pk)


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        field, msgs = next(iter(exc.message_dict.items()))
        return f"{field}: {msgs[0]}"
    return exc.messages[0]


def do_save_canned(user, site_key: object, shortcut: object, body: object,
                   canned_id: int | None = None) -> CannedResponse:
    """Create (no id) or change a canned response of a site the user administers."""
    if not isinstance(shortcut, str) or not isinstance(body, str):
        raise PapoError("invalid", "shortcut and body must be strings")
    shortcut = shortcut.strip().lstrip("/").lower()
    body = body.strip()
    if not body:
        raise PapoError("body_empty", "a canned response needs a text")
    with transaction.atomic():
        member = manager_of(user, site_key)
        if canned_id is None:
            canned = CannedResponse(site=member.site, created_by=user)
        else:
            canned = (CannedResponse.objects.select_for_update()
                      .filter(pk=canned_id, site=member.site).first())
            if canned is None:
                raise PapoError("not_found", "no such canned response")
        canned.shortcut, canned.body, canned.updated_at = shortcut, body, timezone.now()
        try:
            canned.full_clean(exclude=["site", "created_by"], validate_unique=False)
        except ValidationError as exc:
            raise PapoError("invalid", _first_error(exc)) from exc
        if (CannedResponse.objects.filter(site=member.site, shortcut=shortcut)
                .exclude(pk=canned.pk).exists()):
            raise PapoError("invalid", f"/{shortcut} already exists")
        try:
            with transaction.atomic():
                canned.save()
        except IntegrityError as exc:  # a concurrent save took the shortcut
            raise PapoError("invalid", f"/{shortcut} already exists") from exc
        canned.site = member.site
        publish_canned(member.site)
    return canned


def do_delete_canned(user, canned_id: object) -> None:
    if not isinstance(canned_id, int) or isinstance(canned_id, bool):
        raise PapoError("invalid", "id must be an integer")
    with transaction.atomic():
        canned = CannedResponse.objects.select_related("site").filter(
            pk=canned_id, site__members__user=user).first()
        if canned is None:
            raise PapoError("not_found", "no such canned response")
        manager_of(user, canned.site.key)
        site = canned.site
        canned.delete()
        publish_canned(site)


def do_update_site_settings(user, site_key: object, values: dict) -> Site:
    """Change a site's widget settings (site admins only); validated like the admin."""
    unknown = set(values) - set(SITE_SETTINGS_FIELDS)
    if unknown:
        raise PapoError("invalid", f"unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=manager_of(user, site_key).site_id)
        for field, value in values.items():
            setattr(site, field, value)
        try:
            site.full_clean()
        except ValidationError as exc:
            raise PapoError("invalid", _first_error(exc)) from exc
        site.save(update_fields=list(values))
        if HOURS_FIELDS & set(values):
            availability.hours_turned(site.pk)  # now, not at the next sweep
    return site
