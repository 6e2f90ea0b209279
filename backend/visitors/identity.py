"""Identity verification: the site's own server vouches for a visitor.

``user_hash`` is hex HMAC-SHA256 of the site's ``user_id`` keyed with the
site's identity secret, computed on the site owner's server (README shows the
one-liners). A valid hash lets the widget be linked to the same visitor on
every device; without the secret nobody can claim someone else's ``user_id``.
"""

from __future__ import annotations

import hashlib
import hmac


def user_hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def check_user_hash(secret: str, user_id: str, given: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about the right hash."""
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(user_hash(secret, user_id), given.strip().lower())
