"""Seed a live server's database and print what tests need as JSON.

Run as ``python -m papo.testing.seed '<json spec>'`` with the server's own
environment, so it writes through the same settings (SQLite file or
PostgreSQL) the server reads. Sessions are real Django sessions, as the login
view would create them.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.settings")
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from agents.models import Membership, Presence
    from sites.models import Site

    spec = json.loads(sys.argv[1])
    out: dict = {"sites": {}, "agents": {}}
    User = get_user_model()
    for s in spec.get("sites", []):
        site, _ = Site.objects.update_or_create(
            name=s["name"],
            defaults={"allowed_origins": "\n".join(s["origins"]),
                      "verified_only": s.get("verified_only", False),
                      # the site's own socket limits (None: the server's defaults)
                      "frame_burst": s.get("frame_burst"), "frame_rate": s.get("frame_rate"),
                      # any other Site field a test sets (notify_email, followup_minutes, …)
                      **s.get("fields", {})},
        )
        if "key" in s:
            Site.objects.filter(pk=site.pk).update(key=s["key"])
            site.refresh_from_db()
        if s.get("settings"):  # e.g. business hours: saved as the admin saves them
            for name, value in s["settings"].items():
                setattr(site, name, value)
            site.full_clean()
            site.save()
        out["sites"][s["name"]] = {"key": site.key, "id": site.pk,
                                   "secret": site.identity_secret}
    for a in spec.get("agents", []):
        user, _ = User.objects.get_or_create(username=a["username"],
                                             defaults={"first_name": a.get("name", ""),
                                                       "email": a.get("email", "")})
        user.set_password("pw-" + a["username"])
        user.is_active = a.get("active", True)
        user.save()
        Presence.objects.get_or_create(user=user)
        for site_name in a.get("sites", []):
            Membership.objects.update_or_create(
                user=user, site_id=out["sites"][site_name]["id"],
                defaults={"role": a.get("role", "agent"),
                          "max_concurrent": a.get("max_concurrent", 5)},
            )
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        out["agents"][a["username"]] = {"id": user.pk, "session": store.session_key}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
