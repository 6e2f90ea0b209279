"""Password guessing: the login forms (console and admin) are rate limited.

django-ratelimit counts POSTs per client address (``papo.net``'s rule, so a
forged ``X-Forwarded-For`` does not help) and per username tried (so spreading
guesses at one account over many addresses does not either). Over the limit
the form answers 429 through ``RATELIMIT_VIEW``, and the refusal is counted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def _rate(group: str, request) -> str:
    return settings.PAPO["LOGIN_RATE"]


def login_limited(view: Callable) -> Callable:
    view = ratelimit(group="papo.login.user", key="post:username", rate=_rate,
                     method="POST", block=True)(view)
    return ratelimit(group="papo.login.ip", key="ip", rate=_rate, method="POST",
                     block=True)(view)
