"""Create (or refresh) the demo: a site, an agent login, and print every URL."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agents.models import Membership, Presence
from sites.models import Site

DEMO_KEY = "pk_demo_papo_site"


class Command(BaseCommand):
    help = "Create the demo site and agent used by embed_snippet.html, and print the URLs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--backend", default="http://127.0.0.1:8000")
        parser.add_argument("--host-page", default="http://127.0.0.1:8001")
        parser.add_argument("--username", default="agent")
        parser.add_argument("--password", default="papo-demo-agent")

    @transaction.atomic
    def handle(self, *args, **opts) -> None:
        host_page = opts["host_page"].rstrip("/")
        localhost_page = host_page.replace("127.0.0.1", "localhost")
        site, _ = Site.objects.update_or_create(
            key=DEMO_KEY,
            defaults={
                "name": "Papo demo shop",
                "allowed_origins": "\n".join(dict.fromkeys([host_page, localhost_page])),
            },
        )
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=opts["username"], defaults={"first_name": "Demo", "last_name": "Agent"}
        )
        user.set_password(opts["password"])
        user.is_staff = True
        user.is_superuser = True
        user.save()
        Membership.objects.update_or_create(
            user=user, site=site, defaults={"role": Membership.Role.OWNER, "max_concurrent": 5}
        )
        Presence.objects.get_or_create(user=user)
        backend = opts["backend"].rstrip("/")
        self.stdout.write(self.style.SUCCESS("Papo demo is ready."))
        self.stdout.write(f"  Host page with the widget : {host_page}/embed_snippet.html")
        self.stdout.write(f"  Agent console             : {backend}/console/")
        self.stdout.write(f"  Django admin              : {backend}/admin/")
        self.stdout.write(f"  Widget config (HTTP)      : {backend}/api/widget/{site.key}/config")
        self.stdout.write(f"  Widget socket             : {backend.replace('http', 'ws', 1)}"
                          f"/ws/widget/{site.key}/")
        self.stdout.write(f"  Agent login               : {opts['username']} / {opts['password']}")
        self.stdout.write(f"  Site key                  : {site.key}")
