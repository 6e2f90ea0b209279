"""Visitors: the people chatting from a site's widget."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, models, transaction
from django.utils import timezone


def new_public_id() -> str:
    return uuid.uuid4().hex


class Visitor(models.Model):
    site = models.ForeignKey("papo_sites.Site", on_delete=models.CASCADE, related_name="visitors")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    # Set by identify(): the site's own user id, proven by an HMAC of the site secret.
    external_id = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=False)

    page_url = models.URLField(max_length=2000, blank=True)
    page_title = models.CharField(max_length=500, blank=True)
    referrer = models.URLField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    locale = models.CharField(max_length=35, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)  # IANA, e.g. America/Sao_Paulo
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_visitor_per_site_user",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"Visitor {self.public_id[:8]}"

    def persist(self) -> bool:
        """Store a visitor on their first real write (a message, a name, an email);
        True when this call inserted the row (so nothing of theirs is stored yet).

        Hello writes nothing for a new visitor: they get a signed token for a
        fresh public id and a row exists only once they do something, so a
        widget opened and left costs no database write. Two tabs racing here
        end up on the same row (``public_id`` is unique).
        """
        if self.pk is not None:
            return False
        try:
            with transaction.atomic():
                self.save(force_insert=True)
        except IntegrityError:
            self.pk = Visitor.objects.get(public_id=self.public_id).pk
            self._state.adding = False
            self.save()
            return False
        return True

    @property
    def display_name(self) -> str:
        return str(self)

    def as_public(self) -> dict:
        return {
            "id": self.public_id,
            "name": self.name,
            "email": self.email,
            "verified": self.verified,
        }

    def as_agent_view(self) -> dict:
        """What an agent of the same site may see of a visitor."""
        return {
            **self.as_public(),
            "display_name": self.display_name,
            "page_url": self.page_url,
            "page_title": self.page_title,
            "referrer": self.referrer,
            "user_agent": self.user_agent,
            "locale": self.locale,
            "timezone": self.time_zone,
            "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
        }
