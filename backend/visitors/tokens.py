"""Signed visitor tokens: the only proof a widget connection has of who it is.

A token binds one visitor to one site. It is signed with ``SECRET_KEY`` under
its own salt, so a token signed for anything else (a session, a password
reset) is worthless here, and it carries the site id, so a token lifted from
one site is refused by every other.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "papo.visitor-token.v1"


class TokenError(Exception):
    """The token was refused. ``code`` is the protocol error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def make_token(site_id: int, visitor_public_id: str) -> str:
    return signing.dumps({"s": site_id, "v": visitor_public_id}, salt=SALT, compress=False)


def read_token(token: str, site_id: int) -> str:
    """Return the visitor public id a token names, or raise TokenError."""
    if not isinstance(token, str) or not token or len(token) > 512:
        raise TokenError("token_invalid", "the visitor token is malformed")
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.PAPO["VISITOR_TOKEN_MAX_AGE"]
        )
    except signing.SignatureExpired as exc:
        raise TokenError("token_expired", "the visitor token has expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("token_invalid", "the visitor token signature is invalid") from exc
    if (
        not isinstance(payload, dict)
        or payload.get("s") != site_id
        or not isinstance(payload.get("v"), str)
    ):
        raise TokenError("token_invalid", "the visitor token is not for this site")
    return payload["v"]
