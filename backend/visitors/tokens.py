"""Signed visitor tokens: the only proof a widget connection has of who it is.

A token binds one visitor to one site. It is signed with ``SECRET_KEY`` under
its own salt, so a token signed for anything else (a session, a password
reset) is worthless here, and it carries the site id, so a token lifted from
one site is refused by every other. It expires ``PAPO["VISITOR_TOKEN_MAX_AGE"]``
seconds after it was issued (180 days by default): a token copied out of a
shared or stolen browser stops working, and the widget then simply starts
afresh as a new visitor (identified users get their history back through
``identify``).
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
        or type(payload.get("s")) is not int  # 3.0 or true must not pass for site 3 or 1
        or payload["s"] != site_id
        or not isinstance(payload.get("v"), str)
    ):
        raise TokenError("token_invalid", "the visitor token is not for this site")
    return payload["v"]
